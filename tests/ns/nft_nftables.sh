#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The nftables plugin against the real kernel.  The reference for every state
# is Fail2ban's own stock action (action.d/nftables.conf, nft 1.0.6): its
# commands run in a fresh namespace, and `nft -j list ruleset` (handles
# aside) must then be exactly what nfban left.
source "$(dirname "$0")/../lib/nstest.sh"

# stock FAMILY OP KEY=VALUE...: what action.d/nftables.conf runs for OP.
stock() {
	local fam=$1 op=$2 kv proto hdl
	shift 2
	local name=default type=multiport port=ssh protocol=tcp table=f2b-table table_family=inet \
		chain=f2b-chain chain_type=filter chain_hook=input chain_priority=-1 blocktype=reject ip=
	for kv in "$@"; do local "${kv%%=*}=${kv#*=}"; done
	local set=addr-set-$name addr_type=ipv4_addr addr_family=ip
	if [ "$fam" = 6 ]; then set=addr6-set-$name addr_type=ipv6_addr addr_family=ip6; fi
	local T="$table_family $table"
	_add_set() {
		nft add set $T "$set" "{ type $addr_type; }"
		if [ "$type" = multiport ]; then
			for proto in ${protocol//,/ }; do
				# shellcheck disable=SC2086
				nft add rule $T "$chain" $proto dport "{ ${port//:/-} }" $addr_family saddr "@$set" $blocktype
			done
		else
			# shellcheck disable=SC2086
			nft add rule $T "$chain" meta l4proto "{ $protocol }" $addr_family saddr "@$set" $blocktype
		fi
	}
	case $op in
	start)
		nft add table $T
		nft -- add chain $T "$chain" "{ type $chain_type hook $chain_hook priority $chain_priority; }"
		_add_set ;;
	stop)
		{ nft -a list chain $T "$chain" | grep -oP "@$set\\s+.*\\s+\\Khandle\\s+(\\d+)\$"; } |
			while read -r hdl; do nft delete rule $T "$chain" $hdl; done
		nft delete set $T "$set"
		{ nft list table $T | grep -qP '^\s+set\s+'; } || nft delete table $T ;;
	flush) nft flush set $T "$set" ;;
	ban) nft add element $T "$set" "{ $ip }" ;;
	unban) nft delete element $T "$set" "{ $ip }" ;;
	esac
}

STOCK_OPS=()
# nf FAMILY OP KEY=VALUE...: nfban must succeed; stock's equivalent is remembered.
nf() {
	local fam=$1 op=$2
	shift 2
	run nfban nftables "$op" "family=inet$fam" "$@"
	assert_status 0 "nfban nftables $op $*"
	STOCK_OPS+=("$(printf '%q ' stock "$fam" "$op" "$@")")
}
# stock_json: the ruleset the stock commands remembered so far leave.
stock_json() {
	in_fresh_ns bash -c "set -e; $(declare -f stock nft_json)
		$(printf '%s\n' "${STOCK_OPS[@]}")
		nft_json"
}
same_as_stock() {
	local want
	want=$(stock_json)
	assert_eq "$want" "$(nft_json)" "nfban's ruleset against stock's ${1:-}"
}
# elements FAMILY SET [TABLE]: the set's elements, one per line.
elements() {
	nft -j list set "${3:-inet f2b-table}" "$1" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(e if isinstance(e, str) else json.dumps(e))'
}

# has_rule TEXT: the ruleset lists TEXT (fixed string).
has_rule() {
	local all
	all=$(nft list ruleset)
	grep -qF -- "$1" <<<"$all" || fail "no '$1' in: $all"
}

setup() {
	[ -e "$NFBAN_PLUGIN_DIR/nftables.so" ] || skip "nftables plugin not built"
	command -v nft >/dev/null || skip "nft not installed"
}

# A ban into a set no rule looks up any more (`nft flush chain`), or into a
# set that is gone, would block nothing: rules absent (exit 1), nothing sent;
# start puts the rules back (Fail2ban's repair), and the ban then goes in.
test_ban_after_the_rules_are_flushed_reports_rules_absent() {
	setup
	local j=(name=sshd port=ssh) s
	nf 4 start "${j[@]}"
	nf 4 ban "${j[@]}" ip=192.0.2.1
	nft flush chain inet f2b-table f2b-chain
	s=$(nft_json)
	run nfban nftables ban "${j[@]}" ip=192.0.2.2
	assert_status 1 "ban with the rules gone"
	assert_lines "$err"
	assert_match "ban 192.0.2.2: no rule in inet f2b-table f2b-chain looks up set addr-set-sshd" "$err"
	assert_eq "$s" "$(nft_json)" "kernel unchanged"
	run nfban nftables check "${j[@]}"
	assert_status 1 "check with the rules gone"
	nf 4 start "${j[@]}"
	nf 4 ban "${j[@]}" ip=192.0.2.2
	assert_eq "192.0.2.1
192.0.2.2" "$(elements addr-set-sshd | sort)" "both bans"
	nft delete table inet f2b-table
	run nfban nftables unban "${j[@]}" ip=192.0.2.1
	assert_status 1 "unban with the set gone"
	assert_match "set inet f2b-table addr-set-sshd is missing" "$err"
}

test_ipv4_multiport_every_operation_as_stock() {
	setup
	local j=(name=sshd port=ssh,80:90)
	nf 4 start "${j[@]}"
	same_as_stock "after start"
	has_rule 'tcp dport { 22, 80-90 } ip saddr @addr-set-sshd reject'

	nf 4 ban "${j[@]}" ip=192.0.2.1
	nf 4 ban "${j[@]}" ip=198.51.100.7
	same_as_stock "after ban"
	assert_eq $'192.0.2.1\n198.51.100.7' "$(elements addr-set-sshd | sort)" "elements"
	run nfban nftables check "${j[@]}"
	assert_status 0 "check"
	nf 4 unban "${j[@]}" ip=192.0.2.1
	same_as_stock "after unban"
	assert_eq "198.51.100.7" "$(elements addr-set-sshd)" "elements after unban"
	nf 4 flush "${j[@]}"
	same_as_stock "after flush"
	assert_eq "" "$(elements addr-set-sshd)" "set after flush"
	has_rule '@addr-set-sshd reject'
	nf 4 stop "${j[@]}"
	same_as_stock "after stop"
	assert_eq "" "$(nft list ruleset)" "nothing left after stop"
}

test_ipv6_multiport_every_operation_as_stock() {
	setup
	local j=(name=sshd port=22,443 protocol=tcp)
	nf 6 start "${j[@]}"
	same_as_stock "after start"
	nf 6 ban "${j[@]}" ip=2001:db8::1
	nf 6 ban "${j[@]}" ip=2001:db8::2
	same_as_stock "after ban"
	run nfban nftables check family=inet6 "${j[@]}"
	assert_status 0 "check"
	nf 6 unban "${j[@]}" ip=2001:db8::1
	same_as_stock "after unban"
	nf 6 flush "${j[@]}"
	same_as_stock "after flush"
	nf 6 stop "${j[@]}"
	same_as_stock "after stop"
	assert_eq "" "$(nft list ruleset)" "nothing left after stop"
}

test_both_families_in_one_table() {
	setup
	local j=(name=sshd port=ssh)
	nf 4 start "${j[@]}"
	nf 6 start "${j[@]}"
	nf 4 ban "${j[@]}" ip=192.0.2.3
	nf 6 ban "${j[@]}" ip=2001:db8::3
	same_as_stock "both families"
	nf 4 stop "${j[@]}"
	same_as_stock "IPv4 stopped"
	assert_eq "2001:db8::3" "$(elements addr6-set-sshd)" "IPv6 set untouched"
	nf 6 stop "${j[@]}"
	same_as_stock "both stopped"
	assert_eq "" "$(nft list ruleset)" "nothing left"
}

test_port_names_ranges_two_protocols() {
	setup
	# domain and https are in /etc/services for tcp and udp alike.
	local j=(name=dns port=domain,https,8000:8100,1 protocol=tcp,udp)
	nf 4 start "${j[@]}"
	same_as_stock "IPv4"
	nf 6 start "${j[@]}"
	same_as_stock "IPv6"
	has_rule 'udp dport { 1, 53, 443, 8000-8100 } ip6 saddr @addr6-set-dns reject'

	nf 4 ban "${j[@]}" ip=192.0.2.9
	nf 4 stop "${j[@]}"
	nf 6 stop "${j[@]}"
	same_as_stock "after stop"
}

# nft resolves a service name whatever the rule's protocol: ssh, smtp and
# submission are listed for tcp only in Debian 12's /etc/services, and stock's
# `udp dport { ssh }` is port 22.
test_service_names_listed_for_tcp_only() {
	setup
	local j=(name=svc port=ssh protocol=udp)
	nf 4 start "${j[@]}"
	nf 6 start "${j[@]}"
	same_as_stock "ssh for udp"
	has_rule 'udp dport 22 ip saddr @addr-set-svc reject'
	local k=(name=mail port=smtp,submission protocol=tcp,udp)
	nf 4 start "${k[@]}"
	nf 6 start "${k[@]}"
	same_as_stock "smtp, submission for tcp and udp"
	has_rule 'udp dport { 25, 587 } ip6 saddr @addr6-set-mail reject'
	nf 4 stop "${k[@]}"
	nf 6 stop "${j[@]}"
	same_as_stock "after stops"
}

# Names listed with other ports for other protocols (TEST_SERVICES): nft takes
# the first of tcp, udp, dccp, udplite, sctp that lists the name, for every
# protocol, and so does nfban.
test_service_numbers_per_protocol_as_stock() {
	setup
	with_services "$TEST_SERVICES" && return
	local j=(name=svc port=alt,udponly,sctponly,sd protocol=tcp,udp,sctp,dccp)
	nf 4 start "${j[@]}"
	same_as_stock "IPv4"
	has_rule 'udp dport { 5353, 7002, 8081, 9899 } ip saddr @addr-set-svc reject'
	has_rule 'sctp dport { 5353, 7002, 8081, 9899 } ip saddr @addr-set-svc reject'
	nf 6 start name=one port=altalias protocol=udp
	same_as_stock "IPv6, an alias"
	has_rule 'udp dport 8081 ip6 saddr @addr6-set-one reject'
}

test_port_lists_as_nft_normalises_them() {
	setup
	# One port, one range, duplicates, adjacent and overlapping ranges, 0 and 65535.
	local p i=0
	for p in 22 80:90 22,22 22,23 22,23,80:90 20:30,31:40 0:10,65535 65535,1:2 80:90,85:95 \
		1:65535 65534:65535 90,80:85,100:200,150:160,7; do
		i=$((i + 1))
		nf 4 start name=j$i "port=$p"
		same_as_stock "port=$p"
	done
	for p in 1 2 3 4 5 6 7 8 9 10 11 12; do
		nf 4 stop name=j$p
	done
	same_as_stock "after stops"
	assert_eq "" "$(nft list ruleset)" "nothing left"
}

test_sctp_dccp_and_many_ports() {
	setup
	local ports
	ports=$(seq -s, 1000 1063)
	nf 4 start name=many protocol=sctp,dccp "port=$ports"
	same_as_stock "sctp, dccp, 64 ports"
	nf 6 start name=r protocol=tcp,udp,sctp,dccp port=1:10,20:30,40,50:60
	same_as_stock "four protocols with ranges"
}

# Stock nft takes hundreds of ports in one rule's anonymous set; so does nfban,
# up to 1024 entries a protocol (the most whose interval elements fit the one
# set-element message a rule's set is sent in), and the rules are stock's.
test_hundreds_of_ports_as_stock() {
	setup
	local p100 p500 r1024 before
	p100=$(seq -s, 2001 2100)
	p500=$(seq -s, 3000 3499)
	r1024=$(for i in $(seq 0 1023); do printf '%d:%d,' $((i * 60 + 1)) $((i * 60 + 3)); done)
	r1024=${r1024%,}
	nf 4 start name=p100 "port=$p100"
	same_as_stock "100 ports"
	nf 6 start name=p500 "port=$p500" protocol=tcp,udp
	same_as_stock "500 ports, two protocols"
	nf 4 start name=r1024 "port=$r1024"
	same_as_stock "1024 ranges"
	# The set is found again: start and check see the rules there.
	before=$(nft_json)
	run nfban nftables start name=r1024 "port=$r1024"
	assert_status 0 "start again"
	assert_eq "$before" "$(nft_json)" "a second start adds nothing"
	run nfban nftables check family=inet6 name=p500 "port=$p500" protocol=tcp,udp
	assert_status 0 "check"
	nf 4 ban name=p100 "port=$p100" ip=192.0.2.1
	nf 6 ban name=p500 "port=$p500" protocol=tcp,udp ip=2001:db8::1
	same_as_stock "bans"
	before=$(nft_json)
	run nfban nftables start name=over "port=$p500,$p500,$(seq -s, 5000 5024)"
	assert_status 2 "1025 entries"
	assert_match "more than 1024 ports" "$err"
	assert_eq "$before" "$(nft_json)" "the kernel after the refusal"
	nf 4 stop name=r1024 "port=$r1024"
	nf 6 stop name=p500 "port=$p500" protocol=tcp,udp
	nf 4 stop name=p100 "port=$p100"
	same_as_stock "after stops"
	assert_eq "" "$(nft list ruleset)" "nothing left"
}

test_allports_every_operation_as_stock() {
	setup
	local j=(name=all type=allports protocol=tcp,udp)
	nf 4 start "${j[@]}"
	same_as_stock "IPv4 allports"
	has_rule 'meta l4proto { tcp, udp } ip saddr @addr-set-all reject'

	nf 6 start "${j[@]}"
	same_as_stock "IPv6 allports"
	nf 4 ban "${j[@]}" ip=192.0.2.4
	nf 6 ban "${j[@]}" ip=2001:db8::4
	same_as_stock "bans"
	run nfban nftables check "${j[@]}"
	assert_status 0 "check"
	nf 4 flush "${j[@]}"
	nf 4 stop "${j[@]}"
	nf 6 stop "${j[@]}"
	same_as_stock "stops"
	assert_eq "" "$(nft list ruleset)" "nothing left"
}

test_allports_one_protocol() {
	setup
	nf 4 start name=one type=allports protocol=tcp blocktype=drop
	same_as_stock "meta l4proto tcp"
	nf 6 start name=one type=allports protocol=udp
	same_as_stock "meta l4proto udp, IPv6"
}

test_blocktypes_as_stock() {
	setup
	nf 4 start name=a blocktype=drop
	nf 4 start name=b "blocktype=reject with icmp type host-prohibited"
	nf 6 start name=c "blocktype=reject with icmpv6 type admin-prohibited"
	nf 4 start name=d "blocktype=reject with icmpx type admin-prohibited"
	nf 6 start name=e "blocktype=reject with icmpx type port-unreachable"
	nf 4 start name=f "blocktype=reject with tcp reset"
	nf 6 start name=g "blocktype=reject with tcp reset" type=allports
	nf 6 start name=h blocktype=reject
	same_as_stock "every blocktype"
	has_rule 'ip saddr @addr-set-b reject with icmp host-prohibited'
	has_rule 'ip6 saddr @addr6-set-g reject with tcp reset'
}

test_ip_and_ip6_tables_and_other_chain() {
	setup
	nf 4 start name=v4 table=f2b-ip table_family=ip chain=fw chain_hook=forward chain_priority=10 port=ssh,80:90
	nf 6 start name=v6 table=f2b-ip6 table_family=ip6 chain_type=filter chain_hook=output port=http
	nf 4 ban name=v4 table=f2b-ip table_family=ip chain=fw chain_hook=forward chain_priority=10 ip=192.0.2.5
	same_as_stock "ip and ip6 tables"
	nf 4 stop name=v4 table=f2b-ip table_family=ip chain=fw chain_hook=forward chain_priority=10
	nf 6 stop name=v6 table=f2b-ip6 table_family=ip6 chain_hook=output
	same_as_stock "after stop"
	assert_eq "" "$(nft list ruleset)" "nothing left"
}

test_idempotent_start_ban_unban_stop() {
	setup
	local j=(name=sshd port=22,80:90 protocol=tcp,udp) before
	nfban nftables start "${j[@]}"
	nfban nftables ban "${j[@]}" ip=192.0.2.1
	before=$(nft_json)
	run nfban nftables start "${j[@]}"
	assert_status 0 "second start"
	assert_eq "$before" "$(nft_json)" "a second start adds nothing"
	run nfban nftables ban "${j[@]}" ip=192.0.2.1
	assert_status 0 "second ban"
	assert_eq "$before" "$(nft_json)" "a second ban changes nothing"
	nfban nftables unban "${j[@]}" ip=192.0.2.1
	run nfban nftables unban "${j[@]}" ip=192.0.2.1
	assert_status 0 "unban of an address not banned"
	assert_match "192.0.2.1 was not banned" "$err"
	nfban nftables stop "${j[@]}"
	run nfban nftables stop "${j[@]}"
	assert_status 0 "second stop"
	assert_eq "" "$(nft list ruleset)" "nothing left"
}

test_start_adds_a_rule_that_was_deleted() {
	setup
	local j=(name=sshd port=22 protocol=tcp,udp) before h
	nfban nftables start "${j[@]}"
	before=$(nft_json)
	h=$(nft -a list chain inet f2b-table f2b-chain | grep -oP 'udp dport .*handle \K\d+$')
	nft delete rule inet f2b-table f2b-chain handle "$h"
	run nfban nftables check "${j[@]}"
	assert_status 1 "check without the udp rule"
	nfban nftables start "${j[@]}"
	assert_eq "$before" "$(nft_json)" "start put back only the udp rule"
	run nfban nftables check "${j[@]}"
	assert_status 0 "check after repair"
}

test_check_fails_without_rule_or_set() {
	setup
	local j=(name=sshd port=ssh) h
	run nfban nftables check "${j[@]}"
	assert_status 1 "check before start"
	nfban nftables start "${j[@]}"
	run nfban nftables check "${j[@]}"
	assert_status 0 "check after start"
	h=$(nft -a list chain inet f2b-table f2b-chain | grep -oP '@addr-set-sshd .*handle \K\d+$')
	nft delete rule inet f2b-table f2b-chain handle "$h"
	run nfban nftables check "${j[@]}"
	assert_status 1 "check without the rule"
	assert_lines "$err"
	assert_match "missing" "$err"
	nft delete set inet f2b-table addr-set-sshd
	run nfban nftables check "${j[@]}"
	assert_status 1 "check without the set"
	nft delete table inet f2b-table
	run nfban nftables check "${j[@]}"
	assert_status 1 "check without the table"
	# A different port list is not this jail's rule.
	nfban nftables start "${j[@]}"
	run nfban nftables check name=sshd port=ssh,http
	assert_status 1 "check with other ports"
}

test_two_jails_share_a_table_one_stops() {
	setup
	local a=(name=sshd port=ssh) b=(name=web port=http,https protocol=tcp)
	nf 4 start "${a[@]}"
	nf 4 start "${b[@]}"
	nf 6 start "${b[@]}"
	nf 4 ban "${a[@]}" ip=192.0.2.1
	nf 4 ban "${b[@]}" ip=192.0.2.2
	same_as_stock "two jails"
	nf 4 stop "${b[@]}"
	same_as_stock "web (IPv4) stopped"
	assert_eq "192.0.2.1" "$(elements addr-set-sshd)" "sshd untouched"
	run nfban nftables check "${a[@]}"
	assert_status 0 "sshd still checks"
	nf 4 stop "${a[@]}"
	same_as_stock "sshd stopped, web IPv6 left"
	nft list table inet f2b-table >/dev/null || fail "table removed while a set is left"
	nf 6 stop "${b[@]}"
	same_as_stock "last jail stopped"
	assert_eq "" "$(nft list ruleset)" "table removed after the last jail"
}

test_rejected_input_leaves_kernel_unchanged() {
	setup
	local j=(name=sshd port=ssh) before
	nfban nftables start "${j[@]}"
	nfban nftables ban "${j[@]}" ip=192.0.2.1
	before=$(nft_json)
	run nfban nftables ban "${j[@]}" ip=198.51.100.0/24
	assert_status 2 "a network into a set of addresses"
	assert_lines "$err"
	assert_match "network" "$err"
	run nfban nftables start name=x port=ssh table_family=ip "blocktype=reject with icmpx type admin-prohibited"
	assert_status 2 "icmpx in an ip table"
	run nfban nftables start name=x port=ssh type=allports protocol=tcp,udp "blocktype=reject with tcp reset"
	assert_status 2 "tcp reset for udp"
	run nfban nftables start name=x port=nosuchservice
	assert_status 2 "unknown service"
	run nfban nftables start name=x port=ssh protocol=icmp
	assert_status 2 "multiport without ports"
	assert_eq "$before" "$(nft_json)" "kernel unchanged"
}

test_kernel_errors_are_reported() {
	setup
	# Banning into a jail that was never started: no such set, the rules are
	# absent (exit 1: Fail2ban's check and repair run).
	run nfban nftables ban name=never ip=192.0.2.9
	assert_status 1
	assert_lines "$err"
	assert_match "jail never" "$err"
	assert_match "set inet f2b-table addr-set-never is missing" "$err"
	run nfban nftables flush name=never
	assert_status 1
	assert_match "flush set inet f2b-table addr-set-never" "$err"
	# A chain of that name exists with another priority: the batch fails whole.
	nfban nftables start name=a port=ssh
	local before
	before=$(nft_json)
	run nfban nftables start name=b port=ssh chain_priority=5
	assert_status 1 "conflicting chain"
	assert_match "add chain inet f2b-table f2b-chain" "$err"
	assert_eq "$before" "$(nft_json)" "nothing of the failed batch applied"
	# reject is refused in postrouting: the rule fails, chain and set are not left behind.
	run nfban nftables start name=c port=ssh chain=post chain_hook=postrouting
	assert_status 1 "reject in postrouting"
	assert_match "add rule \(tcp\) to inet f2b-table post" "$err"
	assert_eq "$before" "$(nft_json)" "nothing of the failed batch applied"
}

test_eperm_is_an_error_not_a_missing_feature() {
	setup
	command -v setpriv >/dev/null || skip "setpriv not installed"
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all) before
	nfban nftables start name=sshd
	before=$(nft_json)
	run "${nobody[@]}" "$NFBAN_BIN" nftables ban name=sshd ip=192.0.2.1
	assert_status 1 "ban without CAP_NET_ADMIN"
	assert_lines "$err"
	# (A ban reads the generation first: it asks whether the jail is in place.)
	assert_match "ban 192.0.2.1: (nf_tables batch|reading the nf_tables generation): Operation not permitted" "$err"
	run "${nobody[@]}" "$NFBAN_BIN" nftables start name=other
	assert_status 1 "start without CAP_NET_ADMIN"
	assert_match "Operation not permitted" "$err"
	assert_eq "$before" "$(nft_json)" "kernel unchanged"
}

test_parallel_starts_add_each_rule_once() {
	setup
	# start reads the chain, then commits a batch stamped with the generation
	# it read: a start that lost the race is refused whole and reads again.
	local i pids=() rc=0
	for i in 1 2 3 4 5 6; do
		nfban nftables start name=same port=22,80:90 protocol=tcp,udp 2>"/tmp/nft-par-$$-$i" & pids+=($!)
		nfban nftables start "name=j$i" port=22 2>>"/tmp/nft-par-$$-$i" & pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	cat /tmp/nft-par-$$-* >&2 || true
	rm -f /tmp/nft-par-$$-*
	[ $rc -eq 0 ] || fail "a parallel start failed"
	assert_eq 2 "$(nft list chain inet f2b-table f2b-chain | grep -c '@addr-set-same ')" "two rules of jail same"
	for i in 1 2 3 4 5 6; do
		run nfban nftables check "name=j$i" port=22
		assert_status 0 "check j$i"
		assert_eq 1 "$(nft list chain inet f2b-table f2b-chain | grep -c "@addr-set-j$i ")" "one rule of j$i"
	done
}

test_ban_of_many_addresses_on_one_instance() {
	setup
	local j=(name=sshd port=ssh) i
	nfban nftables start "${j[@]}"
	for i in $(seq 1 50); do nfban nftables ban "${j[@]}" "ip=10.0.0.$i"; done
	assert_eq 50 "$(elements addr-set-sshd | wc -l)" "50 bans"
	for i in $(seq 1 50); do nfban nftables unban "${j[@]}" "ip=10.0.0.$i"; done
	assert_eq "" "$(elements addr-set-sshd)" "all unbanned"
}

# A group of bans (nfban_jail_ban_many: the .py actions' BanGrouper) is one NEWSETELEM
# of its elements: the set as stock's `nft add element`, one by one, leaves it; an address
# twice, or banned already, is no error (nft add, no NLM_F_EXCL); one the kernel refuses
# takes the whole group with it.
test_group_bans_as_stock() {
	setup
	local j=(name=grp port=ssh) ips4 ips6 ip s
	ips4=$(seq -f '10.7.0.%g' 1 200 | paste -sd,)
	ips6=$(seq -f '2001:db8::%g' 1 130 | paste -sd,)
	nf 4 start "${j[@]}"
	nf 6 start "${j[@]}"
	steps_open nftables "${j[@]}"
	step_ok bans "$ips4,10.7.0.1"
	step_ok bans "$ips6"
	step_ok bans 10.7.0.5,10.7.1.1
	step_ok unban 10.7.0.7
	step bans 10.7.0.500
	assert_eq 2 "$st" "a group with a bad address: $msg"
	s=$(nft_json)
	step bans 10.7.2.1,10.7.2.0/24
	assert_eq 4 "$st" "a group with a network (the plugin refuses it: busy, one by one): $msg"
	assert_eq "$s" "$(nft_json)" "the kernel after a group with a network"
	stock_bans "$ips4,10.7.1.1" stock 4 ban "${j[@]}"
	stock_bans "$ips6" stock 6 ban "${j[@]}"
	STOCK_OPS+=("$(printf '%q ' stock 4 unban "${j[@]}" ip=10.7.0.7)")
	same_as_stock "after groups of 201, 130 and 2"
	assert_eq 200 "$(elements addr-set-grp | wc -l)" "IPv4 elements"
	assert_eq 130 "$(elements addr6-set-grp | wc -l)" "IPv6 elements"
	refused_group nft_json nftables "${j[@]}"
	nf 4 stop "${j[@]}"
	nf 6 stop "${j[@]}"
	assert_eq "" "$(nft list ruleset)" "nothing left after stop"
}

# nfban-nftables.py's bans grouped, as nfban-multiport.py's (tests/ns/py_groups.py says what
# is asked; tests/ns/ipt_grouped.sh): the set 300 grouped bans leave is the set stock's
# `nft add element`s of the same addresses leave; an address the kernel refuses fails alone.
test_py_grouped_bans_as_stock() {
	setup
	py_groups_start nftables
	py_groups_stock_ops stock 4
	same_as_stock "after the grouped bans"
	py_groups_end
	assert_eq "" "$(elements addr-set-grp)" "the set after the flush"
	nfban nftables stop name=grp port=22
	assert_eq "" "$(nft list ruleset)" "nothing left after stop"
}

# churn_jail I: one jail's life, as Fail2ban drives it: start, three bans,
# check, an unban, stop; every call must succeed, and after the unban the
# set holds the other two addresses.  Jails take turns at family and type.
churn_jail() {
	local i=$1 j ip set=addr-set-c$1 k
	case $((i % 3)) in
	0) j=(name="c$i" port="$((1000 + i)),2000:2010" protocol=tcp,udp) ip=10.0.$i. ;;
	1) j=(name="c$i" family=inet6 port="$((1000 + i))") ip=2001:db8::$i: set=addr6-set-c$i ;;
	2) j=(name="c$i" type=allports protocol=tcp,udp,sctp) ip=10.1.$i. ;;
	esac
	nfban nftables start "${j[@]}" || return 1
	for k in 1 2 3; do nfban nftables ban "${j[@]}" "ip=$ip$k" || return 1; done
	nfban nftables check "${j[@]}" || return 1
	nfban nftables unban "${j[@]}" "ip=${ip}1" || return 1
	# (nft's text, not JSON: 60 Python start-ups would cost more than the rest;
	# nft wraps long element lists.)
	assert_eq "${ip}2, ${ip}3" "$(nft list set inet f2b-table "$set" | tr -s ' \t\n' ' ' |
		grep -oP 'elements = \{ \K[^}]*[^ }]')" \
		"set $set after the unban"
	nfban nftables stop "${j[@]}"
}

# 60 jails at once against an in-process host (churn_many, tests/lib/nstest.sh).
test_many_jails_start_ban_stop_in_parallel() {
	local left
	setup
	churn_many nftables 500
	left=$(nft -j list ruleset | /usr/bin/python3 -c '
import json, sys
print(json.dumps([o for o in json.load(sys.stdin)["nftables"] if "metainfo" not in o]))')
	assert_eq "[]" "$left" "nft -j list ruleset after the jails came and went"
}

# start+ban: table, chain, set, rules and the element in one batch; the
# kernel then holds what stock's start and ban leave.  When the kernel
# refuses the element (the fake kernel refuses any message holding
# 192.0.2.66), the batch is aborted whole: nothing of the start either.
test_start_ban_is_one_batch() {
	local fake="$NFBAN_BUILD/tests/fakekernel.so" before j=(name=sshd port=22,80:90 protocol=tcp,udp)
	setup
	[ -e "$fake" ] || skip "$fake not built"
	before=$(nft_json)
	run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=refuse-ban NFBAN_FAKE_BAN=192.0.2.66 \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$NFBAN_BIN" nftables start+ban "${j[@]}" ip=192.0.2.66
	assert_status 1
	assert_lines "$err"
	assert_match "start\\+ban 192.0.2.66: add element to set inet f2b-table addr-set-sshd: Invalid argument" "$err"
	assert_eq "$before" "$(nft_json)" "nothing of the refused batch applied"
	run nfban nftables start+ban "${j[@]}" ip=192.0.2.8
	assert_status 0 "$err"
	STOCK_OPS+=("$(printf '%q ' stock 4 start "${j[@]}")" "$(printf '%q ' stock 4 ban "${j[@]}" ip=192.0.2.8)")
	same_as_stock "after start+ban"
	# On a started jail it is a ban.
	run nfban nftables start+ban "${j[@]}" ip=192.0.2.9
	assert_status 0 "$err"
	STOCK_OPS+=("$(printf '%q ' stock 4 ban "${j[@]}" ip=192.0.2.9)")
	same_as_stock "after a second start+ban"
}

run_suite "$@"
