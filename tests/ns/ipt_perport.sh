#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The perport plugin against the real kernel: one `-p P --dport X[:Y]` jump
# per port and protocol.  For one port the reference is Fail2ban's stock
# `iptables` action with type=oneport, run with iptables-legacy (or iptables-nft: NFBAN_IPT_BACKEND=nft) in a fresh
# namespace; for several, that stock rule once per port.
source "$(dirname "$0")/../lib/nstest.sh"
STOCK_TYPE=oneport
source "$(dirname "$0")/../lib/stock_ipt.sh"

test_one_port_every_operation_as_stock() {
	local j=(name=sshd port=ssh)
	nf perport 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-sshd -
-A INPUT -p tcp -m tcp --dport 22 -j f2b-sshd
-A f2b-sshd -j RETURN
EOF
	same_as_stock 4
	assert_eq "" "$(ipt_rules 6)" "IPv6 untouched"
	nf perport 4 ban "${j[@]}" ip=192.0.2.1
	nf perport 4 ban "${j[@]}" ip=198.51.100.0/24
	same_as_stock 4
	run nfban perport check "${j[@]}"
	assert_status 0 "check"
	nf perport 4 unban "${j[@]}" ip=192.0.2.1
	same_as_stock 4
	nf perport 4 flush "${j[@]}"
	same_as_stock 4
	nf perport 4 stop "${j[@]}"
	same_as_stock 4
	assert_eq "" "$(ipt_rules 4)" "nothing left after stop"
}

test_ipv6_every_operation_as_stock() {
	local j=(name=sshd port=2222 protocol=tcp blocktype=DROP)
	nf perport 6 start "${j[@]}"
	assert_ipt 6 <<'EOF'
:f2b-sshd -
-A INPUT -p tcp -m tcp --dport 2222 -j f2b-sshd
-A f2b-sshd -j RETURN
EOF
	assert_eq "" "$(ipt_rules 4)" "IPv4 untouched"
	nf perport 6 ban "${j[@]}" ip=2001:db8::1
	nf perport 6 ban "${j[@]}" ip=2001:db8:1::/48
	same_as_stock 6
	nf perport 6 unban "${j[@]}" ip=2001:db8::1
	same_as_stock 6
	nf perport 6 flush "${j[@]}"
	same_as_stock 6
	nf perport 6 stop "${j[@]}"
	same_as_stock 6
	assert_eq "" "$(ipt_rules 6)" "nothing left after stop"
}

test_ports_names_ranges_two_protocols() {
	local j=(name=dns port=domain,https,8000:8100 protocol=tcp,udp chain=FORWARD)
	nf perport 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-dns -
-A FORWARD -p udp -m udp --dport 53 -j f2b-dns
-A FORWARD -p udp -m udp --dport 443 -j f2b-dns
-A FORWARD -p udp -m udp --dport 8000:8100 -j f2b-dns
-A FORWARD -p tcp -m tcp --dport 53 -j f2b-dns
-A FORWARD -p tcp -m tcp --dport 443 -j f2b-dns
-A FORWARD -p tcp -m tcp --dport 8000:8100 -j f2b-dns
-A f2b-dns -j RETURN
EOF
	same_as_stock 4
	nf perport 4 ban "${j[@]}" ip=203.0.113.5 blocktype=DROP
	same_as_stock 4
	nf perport 6 start "${j[@]}"
	same_as_stock 6
	run nfban perport check family=inet6 "${j[@]}"
	assert_status 0 "check"
	nf perport 4 stop "${j[@]}"
	nf perport 6 stop "${j[@]}"
	assert_eq "" "$(ipt_rules 4; ipt_rules 6)" "stopped"
}

# Service names resolve as stock's `-p udp --dport NAME` does: ssh, smtp and
# submission are listed for tcp only in Debian 12's /etc/services, and are
# ports 22, 25 and 587 for udp too.
test_service_names_listed_for_tcp_only() {
	local j=(name=svc port=ssh protocol=udp)
	nf perport 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-svc -
-A INPUT -p udp -m udp --dport 22 -j f2b-svc
-A f2b-svc -j RETURN
EOF
	same_as_stock 4
	nf perport 6 start "${j[@]}"
	same_as_stock 6
	local k=(name=mail port=smtp,submission protocol=tcp,udp)
	nf perport 4 start "${k[@]}"
	nf perport 6 start "${k[@]}"
	assert_match "-A INPUT -p udp -m udp --dport 587 -j f2b-mail" "$(ipt_rules 4)"
	same_as_stock 4
	same_as_stock 6
	nf perport 4 stop "${k[@]}"
	nf perport 4 stop "${j[@]}"
	same_as_stock 4
	assert_eq "" "$(ipt_rules 4)" "nothing left after stop"
}

# Names listed with other ports for other protocols (TEST_SERVICES): stock's
# udp match takes the first of tcp, udp, dccp, udplite, sctp that lists the
# name, whatever the order of the lines, and so does nfban.  Stock's tcp match
# looks the name up for tcp only: the same port where it finds one.
test_service_numbers_per_protocol_as_stock() {
	with_services "$TEST_SERVICES" && return
	local j=(name=svc port=alt,udponly,sctponly,sd protocol=udp)
	nf perport 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-svc -
-A INPUT -p udp -m udp --dport 8081 -j f2b-svc
-A INPUT -p udp -m udp --dport 5353 -j f2b-svc
-A INPUT -p udp -m udp --dport 9899 -j f2b-svc
-A INPUT -p udp -m udp --dport 7002 -j f2b-svc
-A f2b-svc -j RETURN
EOF
	same_as_stock 4
	local k=(name=tcp port=alt,altalias:9000 protocol=tcp)
	nf perport 6 start "${k[@]}"
	assert_match "-A INPUT -p tcp -m tcp --dport 8081:9000 -j f2b-tcp" "$(ipt_rules 6)"
	same_as_stock 6
	# A name not listed for tcp: stock's tcp match refuses it, nfban bans
	# the port nft and the udp match give it.
	run in_fresh_ns iptables-legacy -w -A INPUT -p tcp --dport udponly -j DROP
	assert_status 2 "stock tcp match with a name listed for udp only"
	nf perport 4 start name=u port=udponly protocol=tcp
	assert_match "-A INPUT -p tcp -m tcp --dport 5353 -j f2b-u" "$(ipt_rules 4)"
}

# Every protocol multiport takes (perport is multiport's fallback).
test_sctp_and_dccp() {
	local proto
	for proto in sctp dccp; do
		in_fresh_ns $IPT -w -A INPUT -p $proto --dport 1 -j ACCEPT 2>/dev/null ||
			{ echo "# no $proto match in this kernel" >&2; continue; }
		nf perport 4 start name=$proto port=22,3868:3870 protocol=$proto
		nf perport 6 start name=$proto port=22,3868:3870 protocol=$proto
		assert_match "-A INPUT -p $proto -m $proto --dport 3868:3870 -j f2b-$proto" "$(ipt_rules 4)"
		same_as_stock 4
		same_as_stock 6
		# The stock commands find nfban's rules (same bytes) and remove them.
		stock oneport 4 stop name=$proto port=22,3868:3870 protocol=$proto
		stock oneport 6 stop name=$proto port=22,3868:3870 protocol=$proto
		# The reference replays them too: on nf_tables the chains' order
		# (INPUT made by the first round) is part of what is compared.
		STOCK_OPS+=("stock oneport 4 stop name=$proto port=22,3868:3870 protocol=$proto"
			"stock oneport 6 stop name=$proto port=22,3868:3870 protocol=$proto")
		assert_eq "" "$(ipt_rules 4; ipt_rules 6)" "$proto rules removed by stock"
	done
}

test_many_ports() {
	local ports
	ports=$(seq -s, 1001 1064)
	local j=(name=many "port=$ports" protocol=tcp,udp)
	nf perport 4 start "${j[@]}"
	assert_eq 128 "$(ipt_rules 4 | grep -c '^-A INPUT')" "one rule per port and protocol"
	same_as_stock 4
	run nfban perport check "${j[@]}"
	assert_status 0 "check"
	$IPT -w -D INPUT -p udp --dport 1033 -j f2b-many
	run nfban perport check "${j[@]}"
	assert_status 1 "check with one jump gone"
	assert_match "missing" "$err"
	nf perport 4 start "${j[@]}"
	run nfban perport check "${j[@]}"
	assert_status 0 "check after repair"
	assert_eq 128 "$(ipt_rules 4 | grep -c '^-A INPUT')" "repaired, nothing doubled"
	nf perport 4 stop "${j[@]}"
	assert_eq "" "$(ipt_rules 4)" "stop removes them all"
}

test_idempotent_and_unban_of_absent() {
	local j=(name=sshd port=22,80) s
	nf perport 4 start "${j[@]}"
	nf perport 4 ban "${j[@]}" ip=192.0.2.1
	s=$(kernel_state)
	run nfban perport start "${j[@]}"
	assert_status 0 "second start"
	run nfban perport ban "${j[@]}" ip=192.0.2.1
	assert_status 0 "second ban"
	run nfban perport unban "${j[@]}" ip=192.0.2.2
	assert_status 0 "unban of an address not banned"
	assert_match "not banned" "$err"
	assert_eq "$s" "$(kernel_state)" "nothing changed"
	nf perport 4 stop "${j[@]}"
	run nfban perport stop "${j[@]}"
	assert_status 0 "second stop"
	assert_eq "" "$(ipt_rules 4)"
}

test_check_fails_when_a_jump_is_deleted_by_hand() {
	local j=(name=sshd port=22 protocol=tcp,udp)
	nf perport 6 start "${j[@]}"
	run nfban perport check family=inet6 "${j[@]}"
	assert_status 0
	$IP6T -w -D INPUT -p tcp --dport 22 -j f2b-sshd
	run nfban perport check family=inet6 "${j[@]}"
	assert_status 1 "check with the tcp jump gone"
	run nfban perport check family=inet4 "${j[@]}"
	assert_status 1 "IPv4 never started"
}

test_interoperates_with_stock_oneport() {
	local j=(name=sshd port=22 protocol=tcp,udp)
	stock oneport 4 start "${j[@]}"
	stock oneport 4 ban "${j[@]}" ip=192.0.2.1
	run nfban perport check "${j[@]}"
	assert_status 0 "nfban check on stock rules"
	run nfban perport unban "${j[@]}" ip=192.0.2.1
	assert_eq "" "$err" "unban found the stock ban"
	run nfban perport stop "${j[@]}"
	assert_status 0
	assert_eq "" "$(ipt_rules 4)" "stock rules removed by nfban"
}

test_rejected_input_leaves_kernel_unchanged() {
	local s c args
	nf perport 4 start name=sshd port=22
	s=$(kernel_state)
	while IFS= read -r c; do
		IFS=';' read -ra args <<<"$c"
		run nfban perport "${args[@]}"
		assert_status 2 "$c"
		assert_lines "$err"
		assert_eq "$s" "$(kernel_state)" "kernel after: $c"
	done <<'EOF'
start;name=sshd;protocol=icmp
start;name=sshd;protocol=all
start;name=sshd;port=65536
start;name=sshd;port=90:80
start;name=sshd;returntype=OUTPUT
ban;name=sshd;ip=2001:db8::1;family=inet4
ban;name=sshd;ip=192.0.2.1;blocktype=REJECT --reject-with icmp-echo-reply
EOF
}

run_suite "$@"
