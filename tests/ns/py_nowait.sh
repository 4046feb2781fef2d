#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/ns/py_nowait.sh - the .py actions' bans keep the GIL (ctypes.PyDLL, nfban_jail_try)
# only when the call cannot wait, and release it (ctypes.CDLL) when another writer holds
# nfban's writer lock: tests/ns/py_nowait.py, with Debian's Python, against this namespace's
# nf_tables.
set -euo pipefail
source "$(dirname "$0")/../lib/nstest.sh"

test_ban_keeps_the_gil_only_when_it_cannot_wait() {
	command -v nft >/dev/null || skip "nft not installed"
	local asan    # (an ASan build's libnfban needs its runtime loaded first; Python's leaks are not ours)
	asan=$(ldd "$NFBAN_PLUGIN_DIR/libnfban.so" | awk '/libasan/ {print $3}')
	run env LD_PRELOAD="$asan" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		/usr/bin/python3 "$NFBAN_ROOT/tests/ns/py_nowait.py" "$NFBAN_PLUGIN_DIR" \
		"$NFBAN_BUILD/tests/tools/holdlock"
	printf '%s\n' "$out" | sed 's/^/# /'
	assert_status 0 "py_nowait.py: $(printf '%s\n' "$out" | grep '^not ok' || true)"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

run_suite "$@"
