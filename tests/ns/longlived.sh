#!/bin/bash
# The plugin ABI in a long-lived host (tests/host/longlived.c): one plugin
# instance, thousands of calls.  The kernel must hold every ban after the
# ban pass and none after the unban pass; the host fails on any failed call
# or any file descriptor left open, and, in the ASan build, LeakSanitizer
# fails it for memory a call lost.
source "$(dirname "$0")/../lib/nstest.sh"

HOST="$NFBAN_BUILD/tests/host/longlived"
N=${NFBAN_LONGLIVED_N:-1000}

host() { "$HOST" "$NFBAN_PLUGIN_DIR" "$@"; }
ipt_bans() { ipt_rules "$1" | grep -c -- "-A f2b-$2 -s " || true; }
nft_elems() { # set
	nft -j list set inet f2b-table "$1" | python3 -c '
import json, sys
print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))'
}

test_multiport_thousand_bans_one_instance() {
	local j=(name=ll port=ssh,http)
	nfban multiport start "${j[@]}"
	run host multiport ban "$N" "${j[@]}"
	assert_status 0 "ban pass: $err"
	assert_eq "$N" "$(ipt_bans 4 ll)" "bans in the kernel after $N in-process bans"
	# A second pass on a new instance finds them all there: nothing doubles.
	run host multiport ban "$N" "${j[@]}"
	assert_status 0 "second ban pass: $err"
	assert_eq "$N" "$(ipt_bans 4 ll)" "bans after banning the same addresses again"
	run host multiport unban "$N" "${j[@]}"
	assert_status 0 "unban pass: $err"
	assert_eq 0 "$(ipt_bans 4 ll)" "bans after the unban pass"
	nfban multiport stop "${j[@]}"
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
}

test_perport_ipv6_one_instance() {
	local j=(name=ll6 port=22,80 family=inet6)
	nfban perport start "${j[@]}"
	run host perport ban 300 "${j[@]}"
	assert_status 0 "ban pass: $err"
	assert_eq 300 "$(ipt_bans 6 ll6)" "IPv6 bans after 300 in-process bans"
	run host perport unban 300 "${j[@]}"
	assert_status 0 "unban pass: $err"
	assert_eq 0 "$(ipt_bans 6 ll6)" "IPv6 bans after the unban pass"
}

test_nftables_thousand_bans_one_instance() {
	local j=(name=ll port=ssh)
	nfban nftables start "${j[@]}"
	run host nftables ban "$N" "${j[@]}"
	assert_status 0 "ban pass: $err"
	assert_eq "$N" "$(nft_elems addr-set-ll)" "set elements after $N in-process bans"
	run host nftables unban "$N" "${j[@]}"
	assert_status 0 "unban pass: $err"
	assert_eq 0 "$(nft_elems addr-set-ll)" "set elements after the unban pass"
	nfban nftables stop "${j[@]}"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

run_suite "$@"
