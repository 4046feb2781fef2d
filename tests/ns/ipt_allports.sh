#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The allports plugin against the real kernel: one `-p P` jump per protocol,
# every port.  The reference is Fail2ban's stock iptables-allports (type
# allports), run with iptables-legacy (or iptables-nft: NFBAN_IPT_BACKEND=nft) in a fresh namespace.
source "$(dirname "$0")/../lib/nstest.sh"
STOCK_TYPE=allports
source "$(dirname "$0")/../lib/stock_ipt.sh"

test_ipv4_every_operation_as_stock() {
	local j=(name=recidive)
	nf allports 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-recidive -
-A INPUT -p tcp -j f2b-recidive
-A f2b-recidive -j RETURN
EOF
	same_as_stock 4
	assert_eq "" "$(ipt_rules 6)" "IPv6 untouched"
	nf allports 4 ban "${j[@]}" ip=192.0.2.1
	nf allports 4 ban "${j[@]}" ip=198.51.100.0/24 blocktype=DROP
	same_as_stock 4
	run nfban allports check "${j[@]}"
	assert_status 0 "check"
	nf allports 4 unban "${j[@]}" ip=192.0.2.1
	same_as_stock 4
	nf allports 4 flush "${j[@]}"
	same_as_stock 4
	nf allports 4 stop "${j[@]}"
	same_as_stock 4
	assert_eq "" "$(ipt_rules 4)" "nothing left after stop"
}

test_ipv6_every_operation_as_stock() {
	local j=(name=recidive protocol=tcp,udp)
	nf allports 6 start "${j[@]}"
	assert_ipt 6 <<'EOF'
:f2b-recidive -
-A INPUT -p udp -j f2b-recidive
-A INPUT -p tcp -j f2b-recidive
-A f2b-recidive -j RETURN
EOF
	assert_eq "" "$(ipt_rules 4)" "IPv4 untouched"
	nf allports 6 ban "${j[@]}" ip=2001:db8::1
	nf allports 6 ban "${j[@]}" ip=2001:db8::/32 "blocktype=REJECT --reject-with icmp6-addr-unreachable"
	same_as_stock 6
	nf allports 6 unban "${j[@]}" ip=2001:db8::1
	same_as_stock 6
	nf allports 6 flush "${j[@]}"
	same_as_stock 6
	nf allports 6 stop "${j[@]}"
	same_as_stock 6
	assert_eq "" "$(ipt_rules 6)" "nothing left after stop"
}

# protocol=all is `-p all`: for IPv6 that sets IP6T_F_PROTO, unlike no -p.
test_protocol_all_and_icmp() {
	nf allports 4 start name=all protocol=all
	nf allports 6 start name=all protocol=all
	nf allports 4 start name=icmp protocol=icmp chain=FORWARD
	nf allports 6 start name=icmp protocol=ipv6-icmp,tcp chain=OUTPUT
	assert_match "-A INPUT -j f2b-all" "$(ipt_rules 4)"
	assert_match "-A OUTPUT -p ipv6-icmp -j f2b-icmp" "$(ipt_rules 6)"
	same_as_stock 4
	same_as_stock 6
	nf allports 6 ban name=all protocol=all ip=2001:db8::5
	run nfban allports check family=inet6 name=all protocol=all
	assert_status 0 "check"
	# A rule without -p is not `-p all` to ip6tables-legacy (IP6T_F_PROTO):
	# check must not take it.  On nf_tables both are the same rule (neither
	# has a protocol expression), for ip6tables-nft as for nfban.
	$IP6T -w -D INPUT -p all -j f2b-all
	$IP6T -w -I INPUT -j f2b-all
	run nfban allports check family=inet6 name=all protocol=all
	if [ "$NFBAN_IPT_BACKEND" = legacy ]; then
		assert_status 1 "check with -p all replaced by no -p"
	else
		assert_status 0 "check with -p all replaced by no -p (the same rule on nf_tables)"
	fi
	$IP6T -w -D INPUT -j f2b-all
	nf allports 6 start name=all protocol=all
	nf allports 4 stop name=all protocol=all
	nf allports 6 stop name=all protocol=all
	nf allports 4 stop name=icmp protocol=icmp chain=FORWARD
	nf allports 6 stop name=icmp protocol=ipv6-icmp,tcp chain=OUTPUT
	assert_eq "" "$(ipt_rules 4; ipt_rules 6)" "stopped"
}

test_port_is_ignored() {
	nf allports 4 start name=x port=99999
	nf allports 4 start name=x port=ssh,http
	assert_ipt 4 <<'EOF'
:f2b-x -
-A INPUT -p tcp -j f2b-x
-A f2b-x -j RETURN
EOF
	run nfban allports check name=x port=whatever
	assert_status 0 "check with another port="
}

test_idempotent_and_unban_of_absent() {
	local j=(name=r protocol=tcp,udp) s
	nf allports 4 start "${j[@]}"
	nf allports 4 ban "${j[@]}" ip=192.0.2.1
	s=$(kernel_state)
	run nfban allports start "${j[@]}"
	assert_status 0 "second start"
	run nfban allports ban "${j[@]}" ip=192.0.2.1
	assert_status 0 "second ban"
	assert_match "already banned" "$err"
	run nfban allports unban "${j[@]}" ip=192.0.2.2
	assert_status 0 "unban of an address not banned"
	assert_match "not banned" "$err"
	assert_eq "$s" "$(kernel_state)" "nothing changed"
	nf allports 4 stop "${j[@]}"
	run nfban allports stop "${j[@]}"
	assert_status 0 "second stop"
	assert_eq "" "$(ipt_rules 4)"
}

test_check_fails_when_a_jump_is_deleted_by_hand() {
	local j=(name=r protocol=tcp,udp)
	nf allports 4 start "${j[@]}"
	$IPT -w -D INPUT -p tcp -j f2b-r
	run nfban allports check "${j[@]}"
	assert_status 1 "check with the tcp jump gone"
	assert_match "missing" "$err"
	nf allports 4 start "${j[@]}"
	run nfban allports check "${j[@]}"
	assert_status 0 "check after repair"
}

test_interoperates_with_stock_allports() {
	local j=(name=r protocol=tcp,udp)
	stock allports 6 start "${j[@]}"
	stock allports 6 ban "${j[@]}" ip=2001:db8::7
	run nfban allports check family=inet6 "${j[@]}"
	assert_status 0 "nfban check on stock rules"
	run nfban allports unban family=inet6 "${j[@]}" ip=2001:db8::7
	assert_eq "" "$err" "unban found the stock ban"
	run nfban allports stop family=inet6 "${j[@]}"
	assert_status 0
	assert_eq "" "$(ipt_rules 6)" "stock rules removed by nfban"
}

test_rejected_input_leaves_kernel_unchanged() {
	local s c args
	nf allports 4 start name=r
	nf allports 4 ban name=r ip=192.0.2.1
	s=$(kernel_state)
	while IFS= read -r c; do
		IFS=';' read -ra args <<<"$c"
		run nfban allports "${args[@]}"
		assert_status 2 "$c"
		assert_lines "$err"
		assert_eq "$s" "$(kernel_state)" "kernel after: $c"
	done <<'EOF'
start;name=r;protocol=nosuchproto
start;name=r;protocol=tcp,tcp
start;name=r;returntype=FORWARD
ban;name=r;ip=192.0.2.0/33
ban;name=r;ip=192.0.2.1;protocol=udp;blocktype=REJECT --reject-with tcp-reset
unban;name=r
EOF
}

run_suite "$@"
