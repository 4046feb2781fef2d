#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nfban doctor probe: a real connection through a copy of the namespace's
# ruleset.  Each test makes a "host" (eth0 10.0.0.1/24, a veth) with jails and
# other rules, probes from an address on eth0's network, and checks the answer
# (refused / dropped / accepted), the rule named as deciding, and that the
# kernel is byte-identical before and after (iptables-*-save, ipset, nft; the
# packet counters aside, which the host's own IPv6 traffic moves).
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/../lib/doctor.bash"
# The host's own IPv6 traffic (neighbour discovery) moves the chains' counters.
DOCTOR_MASK_COUNTERS=1

host() { # backend
	export NFBAN_STATE_DIR
	NFBAN_STATE_DIR=$(mktemp -d)
	ip link set lo up
	ip link add eth0 type veth peer name eth0p
	ip addr add 10.0.0.1/24 dev eth0
	ip addr add fd00:1::1/64 dev eth0 nodad
	ip link set eth0 up
	ip link set eth0p up
	ln -sf "$(command -v iptables-"$1")" "$NFBAN_IPT_PATH/iptables"
}

# probe ARGS...: nfban doctor probe, the kernel compared before and after.
probe() {
	local before
	before=$(kernel)
	run nfban doctor probe "$@"
	assert_eq "$before" "$(kernel)" "the kernel after nfban doctor probe $*"
}
# answer RESULT: the probe's result line says it (exit 0).
answer() {
	assert_status 0 "$out"
	has_line "^result: $1"
	has_line "^limits: the copy starts with no conntrack entries"
}

# Banned: refused, the jail's REJECT named (nft trace, or the legacy rule's
# counter); unbanned: accepted by the listener.  Both families.
banned() { # backend family
	local fam=ip bad=10.0.0.5 good=10.0.0.6 dst=10.0.0.1 len=32 reject=icmp-port-unreachable
	[ "$2" = inet6 ] && fam=ip6 bad=fd00:1::5 good=fd00:1::6 dst='\[fd00:1::1\]' len=128 reject=icmp6-port-unreachable
	host "$1"
	nfban multiport start name=sshd backend="$1" family="$2"
	nfban multiport ban name=sshd backend="$1" ip=$bad
	probe ip=$bad port=22
	answer refused
	if [ "$1" = nft ]; then
		has_line "^  $fam filter f2b-sshd rule $fam saddr $bad .*reject \(verdict drop\)"
	else
		has_line "^  -A f2b-sshd -s $bad/$len -j REJECT --reject-with $reject \([0-9]+ packets?\)"
	fi
	probe ip=$good port=22
	answer accepted
	has_line "^accepted by: $dst:22 "
}
test_banned_refused_unbanned_accepted_legacy() { banned legacy inet4; }
test_banned_refused_unbanned_accepted_nft() { banned nft inet4; }
test_ipv6_banned_refused_unbanned_accepted_legacy() { banned legacy inet6; }
test_ipv6_banned_refused_unbanned_accepted_nft() { banned nft inet6; }

test_nftables_jail_banned_refused() {
	host legacy
	nfban nftables start name=sshd
	nfban nftables ban name=sshd ip=10.0.0.5
	probe ip=10.0.0.5 port=22
	answer refused
	has_line "^  inet f2b-table f2b-chain rule .*ip saddr @addr-set-sshd reject.*\(verdict drop\)"
	probe ip=10.0.0.6 port=22
	answer accepted
}

# An ACCEPT before the jump: the banned address gets in, and the ACCEPT is named.
shadowed() { # backend
	host "$1"
	nfban multiport start name=sshd backend="$1"
	nfban multiport ban name=sshd backend="$1" ip=10.0.0.5
	iptables-"$1" -I INPUT 1 -p tcp --dport 22 -j ACCEPT
	probe ip=10.0.0.5 port=22
	answer accepted
	if [ "$1" = nft ]; then
		has_line "^  ip filter INPUT rule tcp dport 22 counter packets [0-9]+ bytes [0-9]+ accept \(verdict accept\)"
	else
		has_line "^  -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT \([0-9]+ packets?\)"
		! grep -q 'f2b-sshd -s 10.0.0.5' <<<"$out" || fail "the jail's REJECT matched: $out"
	fi
}
test_shadowed_by_an_earlier_accept_legacy() { shadowed legacy; }
test_shadowed_by_an_earlier_accept_nft() { shadowed nft; }

# ufw's layout: INPUT policy DROP, its chains jumped to after the jail's jump,
# ssh allowed in ufw-user-input.  Banned: refused; allowed: accepted; a port
# ufw does not allow: dropped.
ufw() { # backend
	host "$1"
	local ipt=iptables-$1 c
	for c in ufw-before-input ufw-user-input ufw-after-input; do
		$ipt -N $c
		$ipt -A INPUT -j $c
	done
	$ipt -A ufw-before-input -i lo -j ACCEPT
	$ipt -A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	$ipt -A ufw-before-input -j ufw-user-input
	$ipt -A ufw-user-input -p tcp --dport 22 -j ACCEPT
	$ipt -P INPUT DROP
	nfban multiport start name=sshd backend="$1"
	nfban multiport ban name=sshd backend="$1" ip=10.0.0.5
	probe ip=10.0.0.5 port=22
	answer refused
	probe ip=10.0.0.6 port=22
	answer accepted
	[ "$1" = legacy ] && has_line "^  -A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT"
	probe ip=10.0.0.6 port=23
	answer dropped
	[ "$1" = nft ] && has_line "^  ip filter INPUT policy drop"
	return 0
}
test_jail_behind_ufw_chains_legacy() { ufw legacy; }
test_jail_behind_ufw_chains_nft() { ufw nft; }

# Docker: 8022 published as a container's 22 (DNAT), the jail in DOCKER-USER.
# The probe makes the container (a namespace of its own listening on 22).
docker() { # backend
	host "$1"
	local ipt=iptables-$1
	ip link add docker0 type veth peer name docker0p
	ip addr add 172.17.0.1/16 dev docker0
	ip link set docker0 up
	ip link set docker0p up
	echo 1 >/proc/sys/net/ipv4/ip_forward
	docker_nat "$ipt"
	nfban multiport start name=d backend="$1" chain=DOCKER-USER port=22
	nfban multiport ban name=d backend="$1" chain=DOCKER-USER port=22 ip=10.0.0.5
	probe ip=10.0.0.6 port=8022
	answer accepted
	has_line "^accepted by: 172.17.0.2:22 \(the DNAT destination behind docker0\)"
	probe ip=10.0.0.5 port=8022
	answer refused
	# Watching the published port instead, the ban does not hold.
	nfban multiport stop name=d backend="$1" chain=DOCKER-USER port=22
	nfban multiport start name=d backend="$1" chain=DOCKER-USER port=8022
	nfban multiport ban name=d backend="$1" chain=DOCKER-USER port=8022 ip=10.0.0.5
	probe ip=10.0.0.5 port=8022
	answer accepted
}
test_dnat_to_a_container_legacy() { docker legacy; }
test_dnat_to_a_container_nft() { docker nft; }

test_probe_arguments() {
	host legacy
	run nfban doctor probe ip=10.0.0.5
	assert_status 2
	assert_match "probe needs ip=ADDRESS and port=PORT" "$err"
	run nfban doctor probe port=22 ip=10.0.0.0/24
	assert_status 2
	run nfban doctor probe ip=10.0.0.5 port=22 protocol=udp
	assert_status 2
	run nfban doctor probe ip=10.0.0.5 port=22 bogus=1
	assert_status 2
	assert_match "bogus='1': unknown key \(known: " "$err"
	probe ip=10.0.0.1 port=22
	assert_status 3
	has_line "^unknown: no route from this host to 10.0.0.1"
}

run_suite "$@"
