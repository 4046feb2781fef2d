#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/ns/ipt_grouped.sh - nfban-multiport.py's bans grouped (the BanGrouper: a burst of
# bans, a kernel transaction per group, nfban_jail_ban_many), with Debian's Python, against the
# kernel (tests/ns/py_groups.py says what is asked): the rules 300 grouped bans leave are the
# rules the same bans by stock's commands one by one leave; an address the kernel refuses
# fails alone.  Run for both backends, as every ipt_*.sh (tests/run).
set -euo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
STOCK_TYPE=multiport
source "$(dirname "$0")/../lib/stock_ipt.sh"

test_grouped_bans_as_stock_one_by_one() {
	[ -e /usr/lib/python3/dist-packages/fail2ban ] || skip "Fail2ban's Python package is not installed"
	local fake="$NFBAN_BUILD/tests/fakekernel.so" asan line order="" rest=""
	[ -e "$fake" ] || skip "$fake not built"
	asan=$(ldd "$NFBAN_PLUGIN_DIR/libnfban.so" | awk '/libasan/ {print $3}')
	coproc PYG { env LD_PRELOAD="${asan:+$asan }$fake" NFBAN_FAKE_KERNEL=refuse-ban \
		NFBAN_FAKE_BAN=10.9.8.2 ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0:verify_asan_link_order=0" \
		/usr/bin/python3 "$NFBAN_ROOT/tests/ns/py_groups.py" "$NFBAN_PLUGIN_DIR" \
		"$NFBAN_IPT_BACKEND" 10.9.8.2 2>&1; }
	while IFS= read -r line <&"${PYG[0]}"; do
		case $line in
		"order "*) order=${line#order }; break ;;
		*) rest+="$line"$'\n'; echo "# $line" ;;
		esac
	done
	assert_no_match "^not ok" "$rest"
	[ -n "$order" ] || fail "py_groups.py ended before its bans: $rest"
	STOCK_OPS=("$(printf '%q ' stock multiport 4 start name=grp port=22)")
	for ip in $order; do
		STOCK_OPS+=("$(printf '%q ' stock multiport 4 ban name=grp port=22 "ip=$ip")")
	done
	same_as_stock 4
	echo go >&"${PYG[1]}"
	rest=""
	while IFS= read -r line <&"${PYG[0]}"; do rest+="$line"$'\n'; echo "# $line"; done
	assert_no_match "^not ok" "$rest"
	assert_match "flushed" "$rest"
	assert_ipt 4 <<'EOT'
:f2b-grp -
-A INPUT -p tcp -m multiport --dports 22 -j f2b-grp
-A f2b-grp -j RETURN
EOT
	nfban multiport stop name=grp port=22
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
}

run_suite "$@"
