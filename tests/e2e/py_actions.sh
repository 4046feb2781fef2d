#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/py_actions.sh - the in-process .py actions against the .conf files of the same name,
# through Debian's Fail2ban code, with nothing run (tests/e2e/py_parity.py says what is
# compared: the keys each .py opens libnfban with, per family, and every operation of a jail's
# life, repairs included, against the commands Fail2ban makes of the .conf).  No
# namespace, no kernel; the build's libnfban (which wants root: its loader vets the plugins)
# gives the .py actions their plugins' key tables.
set -uo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

if ! /usr/bin/python3 -c 'import fail2ban' 2>/dev/null; then
	echo "1..0 # SKIP Fail2ban's Python package is not installed"
	exit 0
fi
T=$(mktemp -d /tmp/nfban-pyactions.XXXXXX)
trap 'rm -rf "$T"; nstest_done' EXIT
mkdir -p "$T/action.d"
for f in "$NFBAN_ROOT"/action.d/*.conf "$NFBAN_ROOT"/action.d/*.py; do
	sed "s|@SBINDIR@|/sbin-under-test|g; s|@PLUGINDIR@|$NFBAN_BUILD/plugins|g" "$f" >"$T/action.d/$(basename "$f")"
done
/usr/bin/python3 "$E2E_DIR/py_parity.py" "$T" 2>"$T/stderr"
rc=$?
# Fail2ban's own log lines (the repairs' "Invariant check failed") are expected on stderr;
# a traceback is not.
if grep -q Traceback "$T/stderr"; then
	echo "# py_parity.py stderr:"; sed 's/^/# /' "$T/stderr"
	rc=1
fi
exit $rc
