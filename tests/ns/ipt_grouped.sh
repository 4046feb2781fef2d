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
	py_groups_start "$NFBAN_IPT_BACKEND"
	py_groups_stock_ops stock multiport 4
	same_as_stock 4
	py_groups_end
	assert_ipt 4 <<'EOT'
:f2b-grp -
-A INPUT -p tcp -m multiport --dports 22 -j f2b-grp
-A f2b-grp -j RETURN
EOT
	nfban multiport stop name=grp port=22
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
}

run_suite "$@"
