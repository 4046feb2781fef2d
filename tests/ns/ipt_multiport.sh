#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The multiport plugin against the real kernel.  The reference for every
# state is Fail2ban's own stock action (action.d/iptables.conf, type
# multiport): its commands run with iptables-legacy (or iptables-nft: NFBAN_IPT_BACKEND=nft) in a fresh namespace,
# and the rules they leave must be exactly the rules nfban left.
source "$(dirname "$0")/../lib/nstest.sh"
STOCK_TYPE=multiport
source "$(dirname "$0")/../lib/stock_ipt.sh"

test_ipv4_every_operation_as_stock() {
	local j=(name=sshd port=ssh,80:90)
	nf multiport 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-sshd -
-A INPUT -p tcp -m multiport --dports 22,80:90 -j f2b-sshd
-A f2b-sshd -j RETURN
EOF
	same_as_stock 4
	assert_eq "" "$(ipt_rules 6)" "IPv6 untouched"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	nf multiport 4 ban "${j[@]}" ip=198.51.100.7/24
	assert_match "-A f2b-sshd -s 198.51.100.0/24 -j REJECT --reject-with icmp-port-unreachable" "$(ipt_rules 4)"
	same_as_stock 4
	nf multiport 4 unban "${j[@]}" ip=192.0.2.1
	assert_no_match "192.0.2.1" "$(ipt_rules 4)"
	same_as_stock 4
	nf multiport 4 flush "${j[@]}"
	same_as_stock 4
	nf multiport 4 stop "${j[@]}"
	same_as_stock 4
	assert_eq "" "$(ipt_rules 4)" "nothing left after stop"
}

test_ipv6_every_operation_as_stock() {
	local j=(name=sshd port=22,443 protocol=tcp)
	nf multiport 6 start "${j[@]}"
	assert_ipt 6 <<'EOF'
:f2b-sshd -
-A INPUT -p tcp -m multiport --dports 22,443 -j f2b-sshd
-A f2b-sshd -j RETURN
EOF
	assert_eq "" "$(ipt_rules 4)" "IPv4 untouched"
	nf multiport 6 ban "${j[@]}" ip=2001:db8::1
	nf multiport 6 ban "${j[@]}" ip=2001:db8:1::/48
	assert_match "-A f2b-sshd -s 2001:db8::1/128 -j REJECT --reject-with icmp6-port-unreachable" "$(ipt_rules 6)"
	same_as_stock 6
	run nfban multiport check family=inet6 "${j[@]}"
	assert_status 0 "check"
	nf multiport 6 unban "${j[@]}" ip=2001:db8::1
	same_as_stock 6
	nf multiport 6 flush "${j[@]}"
	same_as_stock 6
	nf multiport 6 stop "${j[@]}"
	same_as_stock 6
	assert_eq "" "$(ipt_rules 6)" "nothing left after stop"
}

test_port_names_ranges_two_protocols() {
	# domain and https are in /etc/services for tcp and udp alike.
	local j=(name=dns port=domain,https,8000:8100,1 protocol=tcp,udp)
	nf multiport 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-dns -
-A INPUT -p udp -m multiport --dports 53,443,8000:8100,1 -j f2b-dns
-A INPUT -p tcp -m multiport --dports 53,443,8000:8100,1 -j f2b-dns
-A f2b-dns -j RETURN
EOF
	same_as_stock 4
	nf multiport 4 ban "${j[@]}" ip=203.0.113.5
	same_as_stock 4
	nf multiport 6 start "${j[@]}"
	same_as_stock 6
	nf multiport 4 stop "${j[@]}"
	nf multiport 6 stop "${j[@]}"
	same_as_stock 4
	same_as_stock 6
}

# nf_numbers PORTS FAMILY OP KEY=VALUE...: as nf multiport, but the stock
# commands remembered get port=PORTS: the names' numbers, for the service
# names stock multiport refuses.
nf_numbers() {
	local ports=$1
	shift
	nf multiport "$@"
	STOCK_OPS[-1]+=$(printf ' %q' "port=$ports")
}

# Stock multiport looks a name up for the rule's protocol only, so it refuses
# `-p udp -m multiport --dports ssh` (ssh, smtp and submission are listed for
# tcp only in Debian 12's /etc/services).  nfban resolves a name as nft and
# iptables' udp match do (ports 22, 25, 587), the same in every plugin, so a
# fallback never changes the ports: the rules are stock's for those numbers.
test_service_names_listed_for_tcp_only() {
	run in_fresh_ns iptables-legacy -w -A INPUT -p udp -m multiport --dports ssh -j DROP
	assert_status 2 "stock multiport with ssh for udp"
	assert_match "invalid port/service .ssh' specified" "$err"
	local j=(name=svc port=ssh protocol=udp)
	nf_numbers 22 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-svc -
-A INPUT -p udp -m multiport --dports 22 -j f2b-svc
-A f2b-svc -j RETURN
EOF
	same_as_stock 4
	nf_numbers 22 6 start "${j[@]}"
	same_as_stock 6
	local k=(name=mail port=smtp,submission protocol=tcp,udp)
	nf_numbers 25,587 4 start "${k[@]}"
	nf_numbers 25,587 6 start "${k[@]}"
	assert_match "-A INPUT -p udp -m multiport --dports 25,587 -j f2b-mail" "$(ipt_rules 4)"
	same_as_stock 4
	same_as_stock 6
	nf_numbers 25,587 4 stop "${k[@]}"
	nf_numbers 22 4 stop "${j[@]}"
	same_as_stock 4
	assert_eq "" "$(ipt_rules 4)" "nothing left after stop"
}

# Names listed with other ports for other protocols (TEST_SERVICES): nfban's
# multiport bans the ports nft and stock's udp match give them (the first of
# tcp, udp, dccp, udplite, sctp that lists the name) - the ports perport, its
# fallback, bans.  Stock multiport takes udp's 8080 for alt with -p udp.
test_service_numbers_per_protocol() {
	with_services "$TEST_SERVICES" && return
	run in_fresh_ns bash -c 'iptables-legacy -w -A INPUT -p udp -m multiport --dports alt -j DROP &&
		iptables-legacy-save | grep -o -- "--dports [0-9]*"'
	assert_eq "--dports 8080" "$out" "stock multiport's alt for udp"
	local j=(name=svc port=alt,udponly,sctponly,sd,altalias:9000 protocol=tcp,udp)
	nf_numbers 8081,5353,9899,7002,8081:9000 4 start "${j[@]}"
	assert_match "-A INPUT -p udp -m multiport --dports 8081,5353,9899,7002,8081:9000 -j f2b-svc" \
		"$(ipt_rules 4)"
	same_as_stock 4
	# perport, multiport's fallback, bans the same ports.
	nfban perport start name=pp port=alt,udponly,sctponly,sd,altalias:9000 protocol=udp
	assert_eq "8081 5353 9899 7002 8081:9000" \
		"$(ipt_rules 4 | sed -n 's/^-A INPUT -p udp -m udp --dport \([0-9:]*\) -j f2b-pp$/\1/p' | xargs)" \
		"perport's ports"
}

test_forward_chain_drop_returntype() {
	local j=(name=web chain=FORWARD port=http,https blocktype=DROP returntype=ACCEPT)
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.9
	assert_ipt 4 <<'EOF'
:f2b-web -
-A FORWARD -p tcp -m multiport --dports 80,443 -j f2b-web
-A f2b-web -s 192.0.2.9/32 -j DROP
-A f2b-web -j ACCEPT
EOF
	same_as_stock 4
	nf multiport 4 unban "${j[@]}" ip=192.0.2.9
	nf multiport 4 stop "${j[@]}"
	same_as_stock 4
}

test_reject_types() {
	local j=(name=sshd port=22)
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1 "blocktype=REJECT --reject-with icmp-host-prohibited"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.2 "blocktype=REJECT --reject-with icmp-admin-prohibited"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.3 blocktype=REJECT
	same_as_stock 4
	nf multiport 6 start "${j[@]}"
	nf multiport 6 ban "${j[@]}" ip=2001:db8::1 "blocktype=REJECT --reject-with icmp6-adm-prohibited"
	nf multiport 6 ban "${j[@]}" ip=2001:db8::2 "blocktype=REJECT --reject-with icmp6-no-route"
	same_as_stock 6
	nf multiport 4 unban "${j[@]}" ip=192.0.2.1 "blocktype=REJECT --reject-with icmp-host-prohibited"
	same_as_stock 4
}

# The kernel takes REJECT --reject-with tcp-reset only on a rule matching
# -p tcp, so the stock action cannot ban with it at all; nfban adds -p tcp.
test_reject_tcp_reset() {
	local j=(name=sshd port=22 protocol=tcp "blocktype=REJECT --reject-with tcp-reset")
	run stock multiport 4 start name=x
	run stock multiport 4 ban name=x ip=192.0.2.1 "blocktype=REJECT --reject-with tcp-reset"
	# iptables-legacy exits 1, iptables-nft 4 (its "resource problem").
	[ "$status" -ne 0 ] || fail "stock ban with tcp-reset: the kernel must refuse it"
	run stock multiport 4 stop name=x
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	nf multiport 6 start "${j[@]}"
	nf multiport 6 ban "${j[@]}" ip=2001:db8::1
	assert_match "-A f2b-sshd -s 192.0.2.1/32 -p tcp -j REJECT --reject-with tcp-reset" "$(ipt_rules 4)"
	assert_match "-A f2b-sshd -s 2001:db8::1/128 -p tcp -j REJECT --reject-with tcp-reset" "$(ipt_rules 6)"
	run nfban multiport ban "${j[@]}" ip=192.0.2.1
	assert_status 0 "second ban"
	assert_eq 1 "$(ipt_rules 4 | grep -c 192.0.2.1)" "one ban rule"
	nf multiport 4 unban "${j[@]}" ip=192.0.2.1
	nf multiport 6 unban "${j[@]}" ip=2001:db8::1
	assert_no_match "tcp-reset" "$(ipt_rules 4; ipt_rules 6)"
}

# 15 slots per multiport match, a range taking two: more becomes more rules.
test_more_than_15_ports() {
	local ports p want
	ports=$(seq -s, 1001 1020),2000:2010,3000:3010,4000
	local j=(name=many "port=$ports" protocol=tcp,udp)
	nf multiport 4 start "${j[@]}"
	# Protocols in stock's order (each inserted on top), ports in list order.
	want=$(for p in udp tcp; do
		echo "-A INPUT -p $p -m multiport --dports $(seq -s, 1001 1015) -j f2b-many"
		echo "-A INPUT -p $p -m multiport --dports 1016,1017,1018,1019,1020,2000:2010,3000:3010,4000 -j f2b-many"
	done)
	assert_eq "$want" "$(ipt_rules 4 | grep '^-A INPUT')" "jump rules"
	run nfban multiport check "${j[@]}"
	assert_status 0 "check"
	# A second start adds nothing; a ban and a stop work.
	want=$(ipt_rules 4)
	nf multiport 4 start "${j[@]}"
	assert_eq "$want" "$(ipt_rules 4)" "second start"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	# The jumps themselves really are what iptables makes of those ports.
	$IPT -w -C INPUT -p tcp -m multiport --dports "$(seq -s, 1001 1015)" -j f2b-many
	$IPT -w -C INPUT -p udp -m multiport --dports 1016,1017,1018,1019,1020,2000:2010,3000:3010,4000 -j f2b-many
	nf multiport 4 stop "${j[@]}"
	assert_eq "" "$(ipt_rules 4)" "stop removes every rule"
	# 64 ranges of two slots each: 7 fit in a rule (15 is odd), so 10 rules.
	ports=$(for p in $(seq 1 64); do printf '%d:%d,' $((p * 100)) $((p * 100 + 1)); done)
	nf multiport 6 start name=ranges "port=${ports%,}"
	assert_eq 10 "$(ipt_rules 6 | grep -c '^-A INPUT')" "rules for 64 ranges"
	nf multiport 6 stop name=ranges "port=${ports%,}"
	assert_eq "" "$(ipt_rules 6)" "stop removes every rule"
}

test_idempotent_start_ban_stop() {
	local j=(name=sshd port=ssh,http protocol=tcp) s
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	s=$(kernel_state)
	run nfban multiport start "${j[@]}"
	assert_status 0 "second start"
	run nfban multiport ban "${j[@]}" ip=192.0.2.1
	assert_status 0 "second ban"
	assert_match "already banned" "$err"
	assert_eq "$s" "$(kernel_state)" "nothing added twice"
	nf multiport 4 stop "${j[@]}"
	run nfban multiport stop "${j[@]}"
	assert_status 0 "second stop"
	assert_eq "" "$(ipt_rules 4)" "stopped"
}

test_unban_of_absent_address() {
	local j=(name=sshd port=ssh) s
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	s=$(kernel_state)
	run nfban multiport unban "${j[@]}" ip=192.0.2.99
	assert_status 0 "unban of an address not banned"
	assert_lines "$err"
	assert_match "192.0.2.99.*not banned" "$err"
	# The same address with another blocktype is another rule: not removed.
	run nfban multiport unban "${j[@]}" ip=192.0.2.1 blocktype=DROP
	assert_status 0
	assert_match "not banned" "$err"
	assert_eq "$s" "$(kernel_state)" "kernel unchanged"
}

# `iptables -F INPUT` keeps f2b-sshd and drops its jump: a ban would succeed
# and block nothing.  The next ban (and unban) through the .conf path reports
# the rules absent instead (exit 1), the kernel untouched; Fail2ban's repair
# (check, stop, start, the ban again) then leaves the jail working.
test_ban_after_the_jump_is_flushed_reports_rules_absent() {
	local j=(name=sshd port=22) s
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	$IPT -w -F INPUT
	s=$(kernel_state)
	run nfban multiport ban "${j[@]}" ip=192.0.2.2
	assert_status 1 "ban with the jump gone"
	assert_lines "$err"
	assert_match "ban 192.0.2.2: no rule jumps to f2b-sshd" "$err"
	run nfban multiport unban "${j[@]}" ip=192.0.2.1
	assert_status 1 "unban with the jump gone"
	assert_match "no rule jumps to f2b-sshd" "$err"
	assert_eq "$s" "$(kernel_state)" "kernel unchanged"
	# Fail2ban's repair after a failed ban: check fails, stop, start, ban again.
	run nfban multiport check "${j[@]}"
	assert_status 1 "check with the jump gone"
	nf multiport 4 stop "${j[@]}"
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.2
	same_as_stock 4
	# The chain itself gone: absent too.
	$IPT -w -F INPUT
	$IPT -w -F f2b-sshd
	$IPT -w -X f2b-sshd
	run nfban multiport ban "${j[@]}" ip=192.0.2.3
	assert_status 1 "ban with the chain gone"
	assert_match "chain f2b-sshd does not exist" "$err"
}

test_check_fails_when_a_jump_is_deleted_by_hand() {
	local j=(name=sshd port=22,https protocol=tcp,udp)
	run nfban multiport check "${j[@]}"
	assert_status 1 "check before start"
	nf multiport 4 start "${j[@]}"
	run nfban multiport check "${j[@]}"
	assert_status 0 "check after start"
	$IPT -w -D INPUT -p udp -m multiport --dports 22,443 -j f2b-sshd
	run nfban multiport check "${j[@]}"
	assert_status 1 "check with the udp jump gone"
	assert_match "missing" "$err"
	# Fail2ban's repair: start again puts it back.
	nf multiport 4 start "${j[@]}"
	run nfban multiport check "${j[@]}"
	assert_status 0 "check after repair"
	same_as_stock 4
	# The chain gone (jumps too) is reported as well.
	$IPT -w -F INPUT
	$IPT -w -F f2b-sshd
	$IPT -w -X f2b-sshd
	run nfban multiport check "${j[@]}"
	assert_status 1 "check without the chain"
	assert_match "f2b-sshd does not exist" "$err"
	# IPv6 separately.
	nf multiport 6 start "${j[@]}"
	$IP6T -w -D INPUT -p tcp -m multiport --dports 22,443 -j f2b-sshd
	run nfban multiport check family=inet6 "${j[@]}"
	assert_status 1 "IPv6 check with the tcp jump gone"
}

# Bad input: exit 2, one line, the kernel exactly as before.  Each case is
# OPERATION;KEY=VALUE;... (a value may hold spaces).
test_rejected_input_leaves_kernel_unchanged() {
	local j=(name=sshd port=ssh) s c args
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	nf multiport 6 start "${j[@]}"
	s=$(kernel_state)
	while IFS= read -r c; do
		IFS=';' read -ra args <<<"$c"
		run nfban multiport "${args[@]}"
		assert_status 2 "$c"
		assert_lines "$err"
		assert_eq "$s" "$(kernel_state)" "kernel after: $c"
	done <<'EOF'
ban;name=sshd;ip=192.0.2.5;port=99999
ban;name=sshd;ip=192.0.2.5;port=nosuchservice
ban;name=sshd;ip=192.0.2.300
ban;name=sshd;ip=192.0.2.5;blocktype=REJECT --reject-with bogus
ban;name=sshd;ip=0.0.0.0/0
ban;name=sshd;ip=127.0.0.1
ban;name=sshd;ip=192.0.2.5;protocol=tcp,udp;blocktype=REJECT --reject-with tcp-reset
ban;name=sshd;ip=192.0.2.5;family=inet6
ban;name=sshd;ip=192.0.2.5;blocktype=INPUT
ban;name=sshd;ip=192.0.2.5;blocktype=f2b-sshd
ban;name=sshd;ip=192.0.2.5;chain=f2b-sshd
start;name=sshd;protocol=tcp,icmp
start;name=sshd;port=1:2:3
start;name=sshd;returntype=INPUT
start;name=sshd;returntype=f2b-sshd
start;name=sshd;protocol=tcp,udp;port=22;returntype=REJECT --reject-with tcp-reset
start;name=sshd;chain=f2b-sshd
start;name=abcdefghijklmnopqrstuvwxy
EOF
	# A jump to a user chain that does not exist: a kernel-side error, clearly worded.
	run nfban multiport ban "${j[@]}" ip=192.0.2.5 blocktype=f2b-nochain
	assert_status 1 "jump to a missing chain"
	assert_lines "$err"
	assert_match "chain f2b-nochain does not exist" "$err"
	run nfban multiport start name=other port=ssh returntype=f2b-nochain
	assert_status 1 "returntype to a missing chain"
	# <chain> must exist.
	run nfban multiport start name=other port=ssh chain=DOCKER-USER
	assert_status 1 "jumps into a missing chain"
	assert_match "DOCKER-USER does not exist" "$err"
	# Bans into a jail that was never started.
	run nfban multiport ban name=other ip=192.0.2.5
	assert_status 1 "ban before start"
	assert_match "f2b-other does not exist" "$err"
	assert_eq "$s" "$(kernel_state)" "kernel unchanged"
}

# chain= a user chain made beforehand by the backend's own iptables, as
# Docker makes DOCKER-USER: the jumps go into it, bans work, stop leaves it.
test_existing_user_chain_as_chain() {
	local j=(name=web chain=DOCKER-USER port=http,https)
	$IPT -w -N DOCKER-USER
	$IPT -w -A DOCKER-USER -j RETURN
	STOCK_OPS+=("$IPT -w -N DOCKER-USER" "$IPT -w -A DOCKER-USER -j RETURN")
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.9
	assert_match "-A DOCKER-USER -p tcp -m multiport --dports 80,443 -j f2b-web" "$(ipt_rules 4)"
	same_as_stock 4
	run nfban multiport check "${j[@]}"
	assert_status 0 "check"
	nf multiport 4 stop "${j[@]}"
	same_as_stock 4
	assert_eq ":DOCKER-USER -
-A DOCKER-USER -j RETURN" "$(ipt_rules 4)" "only Docker's chain left"
}

# Docker's case, with traffic: a service in a "container" namespace reached
# through DNAT and FORWARD, DOCKER-USER made beforehand by the backend's
# iptables and jumped to from FORWARD; the banned client is refused, another
# client of the same host is served, and the unban lets it in again.
test_docker_user_forward_traffic() {
	local c=nfbt-$$-c k=nfbt-$$-k out
	local j=(name=web chain=DOCKER-USER port=80)
	DOCKER_LPID=
	# shellcheck disable=SC2064 # the names now, the listener when it exists
	trap "kill \$DOCKER_LPID 2>/dev/null; ip netns del $c 2>/dev/null; ip netns del $k 2>/dev/null; true" EXIT
	ip netns add "$c"
	ip netns add "$k"
	ip link add h0 type veth peer name c0 netns "$c"
	ip link add h1 type veth peer name k0 netns "$k"
	ip addr add 10.251.0.1/24 dev h0
	ip addr add 10.252.0.1/24 dev h1
	ip link set h0 up
	ip link set h1 up
	ip -n "$c" addr add 10.251.0.2/24 dev c0
	ip -n "$c" addr add 10.251.0.3/24 dev c0
	ip -n "$k" addr add 10.252.0.2/24 dev k0
	for n in "$c" "$k"; do ip -n "$n" link set lo up; done
	ip -n "$c" link set c0 up
	ip -n "$k" link set k0 up
	ip -n "$c" route add default via 10.251.0.1
	ip -n "$k" route add default via 10.252.0.1
	sysctl -qw net.ipv4.ip_forward=1
	# What Docker sets up for `-p 8080:80`.
	$IPT -w -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.252.0.2:80
	$IPT -w -N DOCKER-USER
	$IPT -w -A DOCKER-USER -j RETURN
	$IPT -w -I FORWARD -j DOCKER-USER
	ip netns exec "$k" python3 tests/e2e/tcp.py listen 80 >/dev/null 2>&1 &
	DOCKER_LPID=$!
	probe() { ip netns exec "$c" python3 tests/e2e/tcp.py probe --timeout 2 "$@"; }
	for _ in $(seq 50); do
		[ "$(probe 10.251.0.2,10.251.0.1,8080)" = "10.251.0.2 10.251.0.1 8080 ok" ] && break
		sleep 0.1
	done
	assert_eq "10.251.0.2 10.251.0.1 8080 ok" "$(probe 10.251.0.2,10.251.0.1,8080)" "served before the ban"
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=10.251.0.2
	out=$(probe 10.251.0.2,10.251.0.1,8080 10.251.0.3,10.251.0.1,8080)
	assert_eq "10.251.0.2 10.251.0.1 8080 refused
10.251.0.3 10.251.0.1 8080 ok" "$out" "banned client refused, the other served"
	assert_match "-A f2b-web -s 10.251.0.2/32 -j REJECT" "$($IPT-save -t filter)"
	nf multiport 4 unban "${j[@]}" ip=10.251.0.2
	assert_eq "10.251.0.2 10.251.0.1 8080 ok" "$(probe 10.251.0.2,10.251.0.1,8080)" "served after the unban"
	nf multiport 4 stop "${j[@]}"
}

test_blocktype_user_chain() {
	local j=(name=sshd port=ssh blocktype=f2b-log)
	$IPT -w -N f2b-log
	$IPT -w -A f2b-log -j DROP
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.1
	assert_match "-A f2b-sshd -s 192.0.2.1/32 -j f2b-log" "$(ipt_rules 4)"
	$IPT -w -C f2b-sshd -s 192.0.2.1 -j f2b-log
	nf multiport 4 unban "${j[@]}" ip=192.0.2.1
	assert_no_match "192.0.2.1" "$(ipt_rules 4)"
	nf multiport 4 stop "${j[@]}"
	assert_eq ":f2b-log -
-A f2b-log -j DROP" "$(ipt_rules 4)" "only the user's chain left"
}

# Rules the stock commands made are nfban's rules, and the other way round.
test_interoperates_with_stock_rules() {
	local j=(name=sshd port=22,8080:8090 protocol=tcp,udp)
	stock multiport 4 start "${j[@]}"
	stock multiport 4 ban "${j[@]}" ip=192.0.2.1
	stock multiport 6 start "${j[@]}"
	stock multiport 6 ban "${j[@]}" ip=2001:db8::1
	run nfban multiport check "${j[@]}"
	assert_status 0 "nfban check on stock rules"
	run nfban multiport check family=inet6 "${j[@]}"
	assert_status 0 "nfban check on stock rules (IPv6)"
	run nfban multiport ban "${j[@]}" ip=192.0.2.1
	assert_match "already banned" "$err"
	run nfban multiport unban "${j[@]}" ip=192.0.2.1
	assert_status 0
	assert_eq "" "$err" "unban found the stock ban"
	run nfban multiport unban family=inet6 "${j[@]}" ip=2001:db8::1
	assert_eq "" "$err" "unban found the stock ban (IPv6)"
	run nfban multiport stop "${j[@]}"
	assert_status 0
	run nfban multiport stop family=inet6 "${j[@]}"
	assert_status 0
	assert_eq "" "$(ipt_rules 4; ipt_rules 6)" "stock rules removed by nfban"
	# And stock finds nfban's.
	nf multiport 4 start "${j[@]}"
	nf multiport 4 ban "${j[@]}" ip=192.0.2.2
	$IPT -w -C INPUT -p tcp -m multiport --dports 22,8080:8090 -j f2b-sshd
	$IPT -w -C INPUT -p udp -m multiport --dports 22,8080:8090 -j f2b-sshd
	stock multiport 4 unban "${j[@]}" ip=192.0.2.2
	stock multiport 4 stop "${j[@]}"
	assert_eq "" "$(ipt_rules 4)" "nfban rules removed by stock"
}

test_stop_removes_jumps_for_other_ports_too() {
	# A jail restarted with another port list must still stop cleanly.
	nf multiport 4 start name=sshd port=22
	nf multiport 4 start name=sshd port=2222
	nf multiport 4 ban name=sshd ip=192.0.2.1
	nf multiport 4 stop name=sshd port=2222
	assert_eq "" "$(ipt_rules 4)" "every jump to f2b-sshd removed"
	# A jump from another chain keeps the chain in use: stop fails whole.
	nf multiport 4 start name=sshd port=22
	$IPT -w -A OUTPUT -j f2b-sshd
	local s
	s=$(kernel_state)
	run nfban multiport stop name=sshd port=22
	assert_status 1 "stop with a foreign jump"
	assert_match "still jump to f2b-sshd" "$err"
	assert_eq "$s" "$(kernel_state)" "nothing removed"
}

test_waits_for_the_xtables_lock() {
	# iptables-nft takes no xtables lock: the nft backend relies on the
	# generation id instead (test_commit_retries_when_the_table_changes_under_it).
	[ "$NFBAN_IPT_BACKEND" = legacy ] || skip "no xtables lock on nf_tables"
	export XTABLES_LOCKFILE
	XTABLES_LOCKFILE=$(mktemp)
	nf multiport 4 start name=sshd port=22
	flock -x "$XTABLES_LOCKFILE" sleep 3 &
	local holder=$! ban
	sleep 0.5
	nfban multiport ban name=sshd port=22 ip=192.0.2.1 &
	ban=$!
	sleep 1
	assert_no_match "192.0.2.1" "$(ipt_rules 4)" "no ban while iptables holds the lock"
	kill -0 "$ban" || fail "nfban did not wait for the lock"
	wait "$holder"
	wait "$ban" || fail "ban failed"
	assert_match "192.0.2.1" "$(ipt_rules 4)" "ban after the lock was released"
	rm -f "$XTABLES_LOCKFILE"
}

# Shims banning in parallel, with iptables -w changing the same table.
test_parallel_bans_with_iptables_alongside() {
	export XTABLES_LOCKFILE
	XTABLES_LOCKFILE=$(mktemp)
	local errs pids=() s i want
	errs=$(mktemp)
	nf multiport 4 start name=sshd port=22
	$IPT -w -N other
	for s in $(seq 1 8); do
		(for i in $(seq 1 25); do
			"$NFBAN_BIN" multiport ban name=sshd port=22 "ip=10.0.$s.$i" 2>>"$errs" || echo "ban 10.0.$s.$i: $?" >>"$errs"
		done) &
		pids+=($!)
	done
	(for i in $(seq 1 60); do
		$IPT -w -A other -s "172.16.0.$i" -j DROP
		$IPT -w -A other -s 172.31.0.1 -j DROP
		$IPT -w -D other -s 172.31.0.1 -j DROP
	done) &
	pids+=($!)
	for i in "${pids[@]}"; do wait "$i" || fail "a worker failed"; done
	assert_eq "" "$(cat "$errs")" "no ban failed"
	want=$(for s in $(seq 1 8); do for i in $(seq 1 25); do echo "10.0.$s.$i/32"; done; done | sort)
	assert_eq "$want" "$(ipt_rules 4 | awk '$2 == "f2b-sshd" && $3 == "-s" {print $4}' | sort)" "every ban present, once"
	assert_eq 60 "$(ipt_rules 4 | grep -c '^-A other')" "every iptables rule present"
	assert_match "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd" "$(ipt_rules 4)"
	assert_eq "-A f2b-sshd -j RETURN" "$(ipt_rules 4 | grep '^-A f2b-sshd' | tail -n1)" "return rule last"
	rm -f "$XTABLES_LOCKFILE" "$errs"
}

# A writer that ignores the lock (here: iptables on another lock file)
# changes the table between nfban's read and commit; the kernel answers
# EAGAIN and nfban redoes read, change, commit.  No ban reported done may be
# missing, and a ban that gives up (after 10 tries) says why.
test_commit_retries_when_the_table_changes_under_it() {
	local errs oks i
	errs=$(mktemp)
	oks=$(mktemp)
	nf multiport 4 start name=sshd port=22
	$IPT -w -N other
	(for i in $(seq 1 300); do
		XTABLES_LOCKFILE=$errs.lock $IPT -w -A other -s "172.16.$((i / 250)).$((i % 250))" -j DROP 2>/dev/null || true
	done) &
	for i in $(seq 1 150); do
		if "$NFBAN_BIN" multiport ban name=sshd port=22 "ip=10.9.$((i / 250)).$((i % 250))" 2>>"$errs"; then
			echo "10.9.$((i / 250)).$((i % 250))/32" >>"$oks"
		fi
	done
	wait
	assert_eq "$(sort "$oks")" "$(ipt_rules 4 | awk '$2 == "f2b-sshd" && $3 == "-s" {print $4}' | sort)" \
		"every ban reported done is in the table, and only those"
	assert_eq "" "$(grep -v "changed under us" "$errs" || true)" "only exhausted retries may fail"
	# Without the retry about one ban in ten fails here; with it, next to none.
	[ "$(wc -l <"$oks")" -ge 148 ] || fail "only $(wc -l <"$oks") of 150 bans done: $(cat "$errs")"
	rm -f "$errs" "$errs.lock" "$oks"
}

# nf_tables: a batch stamped with a generation the ruleset no longer has (as
# when another writer committed in between) is refused whole with ERESTART;
# nfban reads again and retries after a jittered sleep (plugins/nft/backoff.h:
# steps of 1 ms doubling to 128 ms, 22 tries within 2 s), then says why.
test_stale_generation_is_retried() {
	local fake="$NFBAN_BUILD/tests/fakekernel.so" s t0 ms
	[ "$NFBAN_IPT_BACKEND" = nft ] || skip "the generation id is nf_tables'"
	[ -e "$fake" ] || skip "$fake not built"
	nf multiport 4 start name=sshd port=22
	t0=$(date +%s%N)
	run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=stale-genid NFBAN_FAKE_STALE=15 \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$NFBAN_BIN" multiport ban name=sshd port=22 ip=192.0.2.1
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_status 0 "ban after 15 refused batches"
	assert_eq "" "$err"
	assert_match "-A f2b-sshd -s 192.0.2.1/32 -j REJECT" "$(ipt_rules 4)"
	# It backed off: at least half of 1+2+...+128 + 7 x 128 ms asleep.
	[ "$ms" -ge 575 ] || fail "15 retries in $ms ms: no backoff"
	s=$(kernel_state)
	run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=stale-genid \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$NFBAN_BIN" multiport ban name=sshd port=22 ip=192.0.2.2
	assert_status 1 "ban while every batch is refused"
	assert_lines "$err"
	assert_match "changed under us 22 times" "$err"
	assert_eq "$s" "$(kernel_state)" "nothing changed"
}

test_long_jail_name() {
	local name=abcdefghijklmnopqrstuvwx     # 24: f2b-<name> is 28, the limit
	nf multiport 4 start name=$name port=22
	nf multiport 4 ban name=$name port=22 ip=192.0.2.1
	same_as_stock 4
	nf multiport 4 stop name=$name port=22
	assert_eq "" "$(ipt_rules 4)"
}

# With the fake kernel (tests/lib/fakekernel.c) lacking the multiport match,
# and no fallback, the plugin says so and nothing is committed.
test_missing_multiport_match_is_nofeature() {
	local s fake="$NFBAN_BUILD/tests/fakekernel.so" where=commit\ of\ IPv4\ table\ filter
	[ -e "$fake" ] || skip "$fake not built"
	[ "$NFBAN_IPT_BACKEND" = nft ] && where=insert\ rule\ into\ ip\ filter\ INPUT
	nf multiport 6 start name=other port=22
	s=$(kernel_state)
	run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=no-multiport \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$NFBAN_BIN" multiport start name=sshd port=22 fallback=
	assert_status 1
	assert_lines "$err"
	assert_match "$where \(the kernel lacks a feature" "$err"
	assert_eq "$s" "$(kernel_state)" "nothing committed"
	if [ "$NFBAN_IPT_BACKEND" = nft ]; then
		run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=no-nftables \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
			"$NFBAN_BIN" multiport start name=sshd port=22 family=inet6 fallback=
		assert_status 1
		assert_match "socket to nf_tables \(the kernel lacks a feature" "$err"
	else
		run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=no-legacy \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
			"$NFBAN_BIN" multiport start name=sshd port=22 family=inet6 fallback=
		assert_status 1
		assert_match "IPv6 legacy table filter \(the kernel lacks a feature" "$err"
	fi
	assert_eq "$s" "$(kernel_state)" "nothing committed"
}

# churn_jail I: one jail's life, as Fail2ban drives it: start, three bans,
# check, an unban, stop; every call must succeed, and after the unban the
# chain holds the other two bans.  Jails take turns at family and plugin.
churn_jail() {
	local i=$1 p=multiport j ip ipt=$IPT k
	case $((i % 3)) in
	0) j=(name="c$i" port="$((1000 + i)),2000:2010" protocol=tcp,udp) ip=10.0.$i. ;;
	1) j=(name="c$i" family=inet6 port="$((1000 + i))") ip=2001:db8::$i: ipt=$IP6T ;;
	2) p=allports j=(name="c$i" protocol=tcp,udp,sctp) ip=10.1.$i. ;;
	esac
	"$NFBAN_BIN" $p start "${j[@]}" || return 1
	for k in 1 2 3; do "$NFBAN_BIN" $p ban "${j[@]}" "ip=$ip$k" || return 1; done
	"$NFBAN_BIN" $p check "${j[@]}" || return 1
	"$NFBAN_BIN" $p unban "${j[@]}" "ip=${ip}1" || return 1
	assert_eq "${ip}3 ${ip}2" "$($ipt -w -S "f2b-c$i" | awk '$3 == "-s" {sub("/.*", "", $4); printf "%s%s", s, $4; s=" "}')" \
		"f2b-c$i after the unban"
	"$NFBAN_BIN" $p stop "${j[@]}"
}

# 60 jails at once against an in-process host on nf_tables (churn_many, tests/lib/nstest.sh).
test_many_jails_start_ban_stop_in_parallel() {
	[ "$NFBAN_IPT_BACKEND" = nft ] || skip "the generation race is nf_tables'"
	churn_many multiport 200
	assert_eq "" "$(ipt_rules 4; ipt_rules 6)" "rules after the jails came and went"
}

# start+ban: the jail started and the address banned in one transaction (one
# libiptc commit, one nf_tables batch), as a fallback taking a jail over on a
# ban, or a family's first ban from the .py actions, run it.  The kernel then
# holds what stock's start and ban leave; and when the kernel refuses the
# ban (the fake kernel refuses any change holding 192.0.2.66 or 2001:db8::66),
# it holds nothing of the start either.
test_start_ban_is_one_transaction() {
	local fake="$NFBAN_BUILD/tests/fakekernel.so" s j=(name=sshd port=22,80:90 protocol=tcp,udp)
	[ -e "$fake" ] || skip "$fake not built"
	refused() {
		run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=refuse-ban NFBAN_FAKE_BAN="$1" \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
			"$NFBAN_BIN" multiport start+ban "${j[@]}" "ip=$1" fallback=
		assert_status 1 "start+ban of $1 the kernel refuses"
		assert_lines "$err"
		assert_match "jail sshd \\(inet[46]\\): start\\+ban $1: .*Invalid argument" "$err"
	}
	s=$(kernel_state)
	refused 192.0.2.66
	refused 2001:db8::66
	assert_eq "$s" "$(kernel_state)" "nothing of the start either"
	run nfban multiport start+ban "${j[@]}" ip=192.0.2.8
	assert_status 0 "$err"
	assert_eq "" "$err"
	STOCK_OPS=("$(printf '%q ' stock multiport 4 start "${j[@]}")"
		"$(printf '%q ' stock multiport 4 ban "${j[@]}" ip=192.0.2.8)")
	same_as_stock 4
	# On a started jail it is a ban; an address already there, nothing.
	nf multiport 6 start "${j[@]}"
	run nfban multiport start+ban "${j[@]}" ip=2001:db8::8
	assert_status 0 "$err"
	STOCK_OPS+=("$(printf '%q ' stock multiport 6 ban "${j[@]}" ip=2001:db8::8)")
	same_as_stock 6
	s=$(kernel_state)
	run nfban multiport start+ban "${j[@]}" ip=192.0.2.8
	assert_status 0 "$err"
	assert_match "already banned" "$err"
	assert_eq "$s" "$(kernel_state)" "a second start+ban"
	refused 192.0.2.66
	assert_eq "$s" "$(kernel_state)" "a refused start+ban on a started jail"
}

# nfban_jail_ban_many (the .py actions' BanGrouper): a group of bans in one commit leaves what
# the same bans one by one leave (the last on top), both families; an address banned already,
# or twice in the group, is one rule; the handle's cache serves the unban that follows.  Any
# refusal is busy (4) with nothing changed: a jail not started, one address the kernel refuses.
test_group_bans_as_stock() {
	local j=(name=grp port=ssh,80:90) ips4 ips6 ip s
	ips4=$(seq -f '10.7.0.%g' 1 200 | paste -sd,)
	ips6=$(seq -f '2001:db8::%g' 1 130 | paste -sd,)
	s=$(kernel_state)
	steps_open multiport "${j[@]}"
	step bans 10.7.0.1,10.7.0.2
	assert_eq 4 "$st" "a group on a jail not started: $msg"
	assert_eq "$s" "$(kernel_state)" "the kernel after a group on a jail not started"
	nf multiport 4 start "${j[@]}"
	nf multiport 6 start "${j[@]}"
	step_ok bans "$ips4,10.7.0.1"
	assert_eq "" "$notice" "a group with one address twice"
	step_ok bans "$ips6"
	step_ok bans 10.7.0.5,10.7.1.1
	assert_match "ban of 2 addresses: 1 of 2 already banned" "$notice"
	step_ok unban 10.7.0.7
	step_ok unban 2001:db8::9
	step bans 10.7.0.500
	assert_eq 2 "$st" "a group with a bad address: $msg"
	stock_bans "$ips4,10.7.1.1" stock multiport 4 ban "${j[@]}"
	stock_bans "$ips6" stock multiport 6 ban "${j[@]}"
	STOCK_OPS+=("$(printf '%q ' stock multiport 4 unban "${j[@]}" ip=10.7.0.7)"
		"$(printf '%q ' stock multiport 6 unban "${j[@]}" ip=2001:db8::9)")
	same_as_stock 4
	same_as_stock 6
	refused_group kernel_state multiport "${j[@]}"
	nf multiport 4 stop "${j[@]}"
	nf multiport 6 stop "${j[@]}"
	assert_eq "" "$(ipt_rules 4)$(ipt_rules 6)" "nothing left after stop"
}

run_suite "$@"
