#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# backend=auto keeps a jail where it was started: when the `iptables` in PATH
# changes between two calls (update-alternatives run while Fail2ban runs),
# the next ban, unban and stop still find the jail in the tables it is in.
source "$(dirname "$0")/../lib/nstest.sh"

# point_iptables legacy|nft: the `iptables` and `ip6tables` first in PATH.
point_iptables() {
	ln -sf "$(command -v iptables-"$1")" "$NFBAN_IPT_PATH/iptables"
	ln -sf "$(command -v ip6tables-"$1")" "$NFBAN_IPT_PATH/ip6tables"
}
legacy_rules() { iptables-legacy-save -t filter | grep -E '^-A' || true; }
nft_rules() { iptables-nft-save -t filter 2>/dev/null | grep -E '^-A' || true; }

test_jail_started_on_legacy_stays_there() {
	point_iptables legacy
	nfban multiport start name=k
	point_iptables nft
	run nfban multiport ban name=k ip=192.0.2.1
	assert_status 0 "$err"
	assert_match "-A f2b-k -s 192.0.2.1/32 -j REJECT" "$(legacy_rules)"
	assert_eq "" "$(nft list ruleset)" "nothing in nf_tables"
	run nfban multiport unban name=k ip=192.0.2.1
	assert_status 0 "$err"
	assert_no_match "192.0.2.1" "$(legacy_rules)"
	run nfban multiport stop name=k
	assert_status 0 "$err"
	assert_eq "" "$(legacy_rules)" "legacy tables after stop"
	assert_eq "" "$(nft list ruleset)" "nf_tables after stop"
}

test_jail_started_on_nft_stays_there() {
	point_iptables nft
	nfban multiport start name=k family=inet6
	point_iptables legacy
	run nfban multiport ban name=k ip=2001:db8::1
	assert_status 0 "$err"
	assert_match "-A f2b-k -s 2001:db8::1/128 -j REJECT" "$(ip6tables-nft-save -t filter | grep -E '^-A')"
	# The legacy tables were never loaded: looking for the jail did not create them.
	assert_eq "" "$(cat /proc/net/ip6_tables_names)" "legacy IPv6 tables"
	run nfban multiport stop name=k family=inet6
	assert_status 0 "$err"
	assert_eq "" "$(ip6tables-nft-save -t filter | grep -E '^-A' || true)" "nf_tables after stop"
}

# The legacy table loaded, without the jail: the jail on nf_tables stays there, the legacy table
# as it was - also while another process holds the xtables lock (an operation that is not the
# legacy table's does not wait for it).
test_jail_on_nft_stays_there_beside_a_loaded_legacy_table() {
	local before lk
	point_iptables nft
	nfban multiport start name=k
	iptables-legacy -w -N other
	before=$(iptables-legacy-save -t filter | grep -v '^#')
	point_iptables legacy
	run nfban multiport ban name=k ip=192.0.2.1
	assert_status 0 "$err"
	assert_match "-A f2b-k -s 192.0.2.1/32 -j REJECT" "$(nft_rules)"
	exec {lk}>"$XTABLES_LOCKFILE"
	flock -x "$lk"
	SECONDS=0
	run nfban multiport ban name=k ip=192.0.2.2 lock_wait=5
	assert_status 0 "$err"
	[ "$SECONDS" -lt 4 ] || fail "a ban of a jail on nf_tables waited ${SECONDS} s for the xtables lock"
	assert_match "-A f2b-k -s 192.0.2.2/32 -j REJECT" "$(nft_rules)"
	exec {lk}>&-
	assert_eq "$before" "$(iptables-legacy-save -t filter | grep -v '^#')" "the legacy table"
	run nfban multiport stop name=k
	assert_status 0 "$err"
	assert_eq "" "$(nft_rules)" "nf_tables after stop"
	iptables-legacy -w -X other
}

# The jail's chain in both: the operation goes where `iptables` points.
test_jail_in_both_follows_iptables() {
	point_iptables legacy
	nfban multiport start name=k
	point_iptables nft
	nfban multiport start name=k backend=nft
	run nfban multiport ban name=k ip=192.0.2.1
	assert_status 0 "$err"
	assert_match "-A f2b-k -s 192.0.2.1/32 -j REJECT" "$(nft_rules)"
	assert_no_match "192.0.2.1" "$(legacy_rules)"
	point_iptables legacy
	run nfban multiport ban name=k ip=192.0.2.2
	assert_status 0 "$err"
	assert_match "-A f2b-k -s 192.0.2.2/32 -j REJECT" "$(legacy_rules)"
	assert_no_match "192.0.2.2" "$(nft_rules)"
	nfban multiport stop name=k
	nfban multiport stop name=k backend=nft
	assert_eq "" "$(legacy_rules)" "legacy tables after stop"
	assert_eq "" "$(nft_rules)" "nf_tables after stop"
}

# A new jail goes where `iptables` writes.
test_new_jail_follows_iptables() {
	point_iptables nft
	nfban perport start name=n
	assert_match "-A INPUT -p tcp -m tcp --dport 22 -j f2b-n" "$(nft_rules)"
	assert_eq "" "$(cat /proc/net/ip_tables_names)" "legacy tables untouched"
	nfban perport stop name=n
}

# No `iptables` in PATH at all (Debian 13 without the iptables package): a new jail goes to
# nf_tables when the kernel has it (asked on the instance's own socket), and stays there.
test_no_iptables_in_path_is_nf_tables() {
	local empty
	empty=$(mktemp -d /tmp/nfban-nopath.XXXXXX)
	run env PATH="$empty" "$NFBAN_BIN" multiport start name=z
	assert_status 0 "$err"
	assert_match "-A INPUT -p tcp -m multiport --dports 22 -j f2b-z" "$(nft_rules)"
	run env PATH="$empty" "$NFBAN_BIN" multiport ban name=z ip=192.0.2.7
	assert_status 0 "$err"
	assert_match "-A f2b-z -s 192.0.2.7/32 -j REJECT" "$(nft_rules)"
	assert_eq "" "$(cat /proc/net/ip_tables_names)" "legacy tables untouched"
	run env PATH="$empty" "$NFBAN_BIN" multiport stop name=z
	assert_status 0 "$err"
	rmdir "$empty"
	assert_eq "" "$(nft_rules)" "nf_tables after stop"
}

run_suite "$@"
