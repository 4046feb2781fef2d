#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/ns/watch_filter.sh - the .py actions' watcher is not woken by bans: the kernel's socket
# filter on its notification socket (action.d/nfban_action.py) drops every notification that is
# one message and no deletion, and passes every deletion and every datagram of several messages
# (nf_tables sends a transaction's notifications together).  Each test runs the commands with
# two sockets listening (tests/ns/watch_filter.py): with the filter, and without, which shows
# that the kernel did notify.  NFT_MSG_* numbers: 2 DELTABLE, 5 DELCHAIN, 6 NEWRULE, 8 DELRULE,
# 11 DELSET, 12 NEWSETELEM, 14 DELSETELEM, 15 NEWGEN.
set -euo pipefail
source "$(dirname "$0")/../lib/nstest.sh"

PY=/usr/bin/python3
J=(name=t port=22)

watch() { run "$PY" "$NFBAN_ROOT/tests/ns/watch_filter.py" "$@"; assert_status 0 "watch_filter.py"; }
line() { printf '%s\n' "$out" | sed -n "s/^$1: //p"; }

# nfban's bans (NEWSETELEM, then the commit's NEWGEN, each a datagram of its own): nothing.
test_bans_dropped() {
	nfban nftables start "${J[@]}"
	watch "$NFBAN_BIN" nftables ban "${J[@]}" ip=192.0.2.1 \; \
		"$NFBAN_BIN" nftables ban "${J[@]}" ip=192.0.2.2 \; \
		nft add element inet f2b-table addr-set-t '{ 192.0.2.3 }'
	assert_eq "-" "$(line filtered)" "the filtered socket"
	assert_eq "12 15 12 15 12 15" "$(line all)" "the unfiltered socket"
}

# An unban (DELSETELEM) and a rule deleted by handle (DELRULE) pass; a rule added does not.
test_single_deletions_pass() {
	nfban nftables start "${J[@]}"
	nfban nftables ban "${J[@]}" ip=192.0.2.1
	nft add chain inet f2b-table c
	watch "$NFBAN_BIN" nftables unban "${J[@]}" ip=192.0.2.1 \; \
		nft add rule inet f2b-table c ip saddr 192.0.2.9 drop \; nft flush chain inet f2b-table c
	assert_eq "14 8" "$(line filtered)" "the filtered socket"
	assert_eq "14 15 6 15 8 15" "$(line all)" "the unfiltered socket"
}

# `nft flush ruleset` and a removal of the jail's table: one datagram of several deletions.
test_bulk_deletions_pass() {
	nfban nftables start "${J[@]}"
	nfban nftables ban "${J[@]}" ip=192.0.2.1
	watch nft flush ruleset
	assert_match '^[0-9,]*,2$' "$(line filtered)" "the filtered socket (ends with DELTABLE)"
	assert_eq "$(line filtered) 15" "$(line all)" "the unfiltered socket"
}

# The iptables plugins on nf_tables: `iptables -F f2b-t` deletes the jail's rules (DELRULE, in
# one datagram); the ban after it (NEWRULE) is dropped.
test_ipt_flush_passes() {
	nfban multiport start "${J[@]}" backend=nft
	nfban multiport ban "${J[@]}" backend=nft ip=192.0.2.1
	watch iptables-nft -w -F f2b-t \; "$NFBAN_BIN" multiport ban "${J[@]}" backend=nft ip=192.0.2.2
	assert_eq "8,8" "$(line filtered)" "the filtered socket (the ban and the RETURN rule)"
	assert_eq "8,8 15 6 15" "$(line all)" "the unfiltered socket"
}

run_suite "$@"
