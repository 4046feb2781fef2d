#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nfban doctor: each fault planted in the namespace's kernel is named (severity,
# check, jail, rule) with exit 1; what the doctor cannot read is `unknown` with
# exit 3; a healthy jail of every plugin and backend gives exit 0; every fix it
# prints after '$' is pasted and the next run is healthy; and the kernel is
# byte-identical before and after every run (iptables-legacy-save,
# iptables-nft-save, both ip6, nft list ruleset).
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/../lib/doctor.bash"

FAKE="$NFBAN_BUILD/tests/fakekernel.so"

# point_iptables legacy|nft: the `iptables` first in PATH (what doctor reports
# as the host's backend, and where $IPT-like commands below write).
point_iptables() {
	ln -sf "$(command -v iptables-"$1")" "$NFBAN_IPT_PATH/iptables"
	ln -sf "$(command -v ip6tables-"$1")" "$NFBAN_IPT_PATH/ip6tables"
}

# doctor ARGS...: nfban doctor through the shim, the kernel compared before
# and after; $status, $out, $err as run() sets them.  The host's Fail2ban (if
# one runs) is never asked, unless the test gives --socket; the kernel is
# probed only with PROBE=1 (the probes have tests of their own; time).  The
# doctor's PATH is $DOCTOR_PATH when set.
doctor() {
	local before after extra=(--no-fail2ban)
	before=$(kernel)
	[[ " $* " == *" --socket "* ]] && extra=()
	[ "${PROBE:-}" = 1 ] || extra+=(--no-probe)
	run env PATH="${DOCTOR_PATH:-$PATH}" "$NFBAN_BIN" doctor "${extra[@]}" "$@"
	after=$(kernel)
	assert_eq "$before" "$after" "the kernel after nfban doctor $*"
}

# expect_finding SEV CHECK JAIL REGEX: a line of the doctor's output (JAIL:
# "jail", "jail backend/family" or "" for none).
expect_finding() {
	local line head="^$1 +$2 \\[$3[] ]"
	[ -z "$3" ] && head="^$1 +$2:"
	line=$(grep -E "$head" <<<"$out" | grep -E -- "$4" || true)
	[ -n "$line" ] || fail "no '$1 $2 [$3]' line matching /$4/ in: $out"
}

setup() {
	export NFBAN_STATE_DIR
	NFBAN_STATE_DIR=$(mktemp -d)
	point_iptables "${1:-legacy}"
}

# ---- healthy jails: exit 0 -------------------------------------------------------

healthy() { # backend
	setup "$1"
	nfban multiport start name=mp backend="$1" port=ssh,2222
	nfban multiport ban name=mp backend="$1" ip=192.0.2.1
	nfban multiport start name=mp backend="$1" family=inet6
	nfban multiport ban name=mp backend="$1" ip=2001:db8::1
	nfban allports start name=ap backend="$1" protocol=tcp,udp
	nfban allports ban name=ap backend="$1" ip=192.0.2.2
	nfban perport start name=pp backend="$1" port=22,80
	nfban perport ban name=pp backend="$1" ip=192.0.2.3
	nfban nftables start name=nf port=80,443
	nfban nftables start name=nf port=80,443 family=inet6
	nfban nftables ban name=nf ip=192.0.2.4
	nfban nftables ban name=nf ip=2001:db8::4
	PROBE=1 doctor
	assert_status 0 "$out"
	! grep -q '^FAIL' <<<"$out" || fail "FAIL findings: $out"
	local j
	for j in mp ap pp; do
		expect_finding ok jail.chain $j "chain f2b-$j holds 1 ban"
		expect_finding ok jail.shadowed $j "nothing before the jump"
	done
	expect_finding ok jail.chain nf "set addr-set-nf holds 1 element"
	expect_finding ok jail.chain nf "set addr6-set-nf holds 1 element"
	expect_finding ok backend.iptables "$1" "iptables-$1|xtables-$1"
	doctor name=mp port=ssh,2222 ip=192.0.2.1
	assert_status 0 "$out"
	expect_finding ok jail.ip mp "192.0.2.1 is in the kernel: -A f2b-mp -s 192.0.2.1/32 -j REJECT"
	doctor name=nf ip=2001:db8::4 port=80,443
	assert_status 0 "$out"
	expect_finding ok jail.ip nf "element 2001:db8::4 of set inet f2b-table addr6-set-nf"
}
test_healthy_jails_legacy() { healthy legacy; }
test_healthy_jails_nft() { healthy nft; }

test_capabilities_all_there() {
	setup
	PROBE=1 doctor
	assert_status 0 "$out"
	local c
	for c in legacy multiport_legacy reject_legacy nf_tables multiport_nft reject_nft sets conntrack; do
		has_line "^ok +capability\\.$c: "
	done
}

# ---- shadowing ---------------------------------------------------------------------

shadowed() { # backend
	setup "$1"
	nfban multiport start name=s backend="$1" port=ssh,2222
	iptables-"$1" -I INPUT 1 -p tcp --dport 22 -j ACCEPT
	doctor name=s
	assert_status 1 "$out"
	expect_finding FAIL jail.shadowed s "shadowed by rule 1 of INPUT '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT': 22/tcp is accepted"
	expect_finding FAIL jail.shadowed "s $1/inet4" "jump \(rule 2 of INPUT\)"
}
test_shadowing_accept_legacy() { shadowed legacy; }
test_shadowing_accept_nft() { shadowed nft; }

established() { # backend
	setup "$1"
	nfban perport start name=e backend="$1"
	iptables-"$1" -I INPUT 1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	doctor
	assert_status 1 "$out"
	expect_finding FAIL jail.shadowed e "for established connections by rule 1 of INPUT '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'"
}
test_shadowing_established_legacy() { established legacy; }
test_shadowing_established_nft() { established nft; }

# ufw's way: INPUT jumps to a chain of its own that accepts the port.
test_shadowing_through_a_user_chain() {
	setup
	nfban multiport start name=u backend=legacy
	iptables-legacy -N before-input
	iptables-legacy -A before-input -p tcp -m multiport --dports 20:30 -j ACCEPT
	iptables-legacy -I INPUT 1 -j before-input
	doctor
	assert_status 1 "$out"
	expect_finding FAIL jail.shadowed u "'-A before-input -p tcp -m multiport --dports 20:30 -j ACCEPT \(reached through -A INPUT -j before-input\)': 22/tcp"
}

# Accepts that do not shadow: loopback, a trusted source, another port, after the jump.
test_harmless_accepts_are_not_findings() {
	setup
	nfban multiport start name=h backend=legacy
	iptables-legacy -I INPUT 1 -i lo -j ACCEPT
	iptables-legacy -I INPUT 2 -s 10.0.0.0/8 -j ACCEPT
	iptables-legacy -I INPUT 3 -p tcp --dport 80 -j ACCEPT
	iptables-legacy -I INPUT 4 -p udp --dport 22 -j ACCEPT
	iptables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
	doctor name=h
	assert_status 0 "$out"
	# ... unless the address asked about is in the trusted source.
	doctor name=h ip=10.1.2.3
	assert_status 1 "$out"
	expect_finding FAIL jail.shadowed h "'-A INPUT -s 10.0.0.0/8 -j ACCEPT'"
}

# A rule the doctor cannot fully read: a warning, not a failure.
test_unknown_match_before_the_jump_warns() {
	setup
	nfban multiport start name=w backend=legacy
	iptables-legacy -I INPUT 1 -p tcp --dport 22 -m limit --limit 5/min -j ACCEPT
	doctor name=w
	assert_status 0 "$out"
	expect_finding warn jail.shadowed w "may accept some of the jail's traffic"
}

# ---- jumps and chains ---------------------------------------------------------------

test_missing_jump() {
	setup
	nfban multiport start name=m backend=legacy
	nfban multiport ban name=m backend=legacy ip=192.0.2.1
	iptables-legacy -D INPUT -p tcp -m multiport --dports 22 -j f2b-m
	doctor
	assert_status 1 "$out"
	expect_finding FAIL jail.jump "m legacy/inet4" "chain f2b-m exists \(1 ban\) but no rule jumps to it"
	has_line '^     \$ fail2ban-client restart m$' 
}

test_missing_jump_for_one_port() {
	setup nft
	nfban perport start name=p backend=nft port=22,80
	iptables-nft -D INPUT -p tcp --dport 80 -j f2b-p
	doctor name=p
	assert_status 0 "$out" # without port= the doctor cannot know the jail had 80
	doctor name=p port=22,80
	assert_status 1 "$out"
	expect_finding FAIL jail.jump "p nft/inet4" "no jump to the jail for port 80/tcp"
}

test_jump_in_another_chain() {
	setup
	nfban multiport start name=c backend=legacy
	doctor name=c chain=FORWARD
	assert_status 1 "$out"
	expect_finding FAIL jail.jump c "no jump to f2b-c in chain FORWARD"
}

# Without Fail2ban to ask, a jail not in the kernel may just have banned nothing
# yet: the doctor cannot tell (exit 3); with Fail2ban running no such jail, FAIL.
test_missing_chain() {
	setup
	doctor name=nosuch
	assert_status 3 "$out"
	expect_finding unknown jail.chain nosuch "no jail nosuch in the kernel"
	fake_fail2ban other ""
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock" name=nosuch
	assert_status 1 "$out"
	expect_finding FAIL jail.chain nosuch "no jail nosuch in the kernel.*Fail2ban runs no such jail"
}

test_nftables_set_without_its_rule() {
	setup
	nfban nftables start name=n port=80
	local h
	h=$(nft -a list chain inet f2b-table f2b-chain | sed -n 's/.*@addr-set-n .*# handle \([0-9]*\)$/\1/p')
	nft delete rule inet f2b-table f2b-chain handle "$h"
	doctor name=n
	assert_status 1 "$out"
	expect_finding FAIL jail.jump "n nftables/inet4" "set inet f2b-table addr-set-n exists \(0 elements\) but no rule looks it up"
}

# ---- ip= -------------------------------------------------------------------------------

test_ip_not_banned() {
	setup
	nfban multiport start name=i backend=legacy
	nfban multiport ban name=i backend=legacy ip=192.0.2.1
	nfban nftables start name=j
	nfban nftables ban name=j ip=192.0.2.2
	doctor ip=192.0.2.9
	assert_status 1 "$out"
	expect_finding FAIL jail.ip "" "192.0.2.9 is not banned in the kernel"
	doctor ip=192.0.2.1
	assert_status 0 "$out"
	expect_finding ok jail.ip i "-A f2b-i -s 192.0.2.1/32 -j REJECT --reject-with icmp-port-unreachable \(legacy inet4\)"
	doctor ip=192.0.2.3 name=i
	assert_status 1 "$out"
	expect_finding FAIL jail.ip i "192.0.2.3 is not banned in the kernel in jail i"
	has_line '^     \$ fail2ban-client set i banip 192.0.2.3$'
	# Another jail's ban is named as what blocks it.
	doctor ip=192.0.2.2 name=i
	assert_status 0 "$out"
	expect_finding warn jail.ip i "192.0.2.2 is not banned by jail i, but is dropped by 'tcp dport 22 ip saddr @addr-set-j reject.*' in chain inet f2b-table f2b-chain \(set addr-set-j holds it\)"
}

# ---- backends ----------------------------------------------------------------------------

test_jail_in_both_backends() {
	setup nft
	nfban multiport start name=b backend=legacy
	nfban multiport start name=b backend=nft
	doctor
	assert_status 1 "$out"
	expect_finding FAIL backend.split "b inet4" "chain f2b-b is in both the legacy and the nft tables"
	expect_finding warn backend.other "b legacy/inet4" "not show"
}

# ---- traffic that never passes INPUT --------------------------------------------------------

dnat() { # backend
	setup "$1"
	nfban multiport start name=d backend="$1" port=ssh,8080
	iptables-"$1" -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.9.0.2:80
	doctor name=d
	assert_status 1 "$out"
	expect_finding FAIL jail.dnat d "8080/tcp is DNATed to 10.9.0.2:80 by '-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.9.0.2:80'"
}
test_dnat_past_an_input_jail_legacy() { dnat legacy; }
test_dnat_past_an_input_jail_nft() { dnat nft; }

test_dnat_past_an_nftables_jail() {
	setup
	nfban nftables start name=nd port=2222
	nft add table ip natty
	nft add chain ip natty pre '{ type nat hook prerouting priority dstnat; }'
	nft add rule ip natty pre tcp dport 2222 dnat to 10.9.0.3:22
	doctor name=nd
	assert_status 1 "$out"
	expect_finding FAIL jail.dnat nd "2222/tcp is DNATed to 10.9.0.3:22"
	# A jail on FORWARD (Docker's DOCKER-USER) is where it should be, watching
	# the port after DNAT.
	nfban multiport start name=fw backend=legacy chain=FORWARD port=22
	doctor name=fw
	assert_status 0 "$out"
}

# firewalld's `ct status dnat accept` is a condition, not a DNAT: no finding.
firewalld_ct() { # backend
	setup "$1"
	nft add table inet firewalld
	nft add chain inet firewalld filter_INPUT '{ type filter hook input priority filter + 10; }'
	nft add rule inet firewalld filter_INPUT ct status dnat accept
	nfban multiport start name=sshd backend="$1"
	nfban multiport ban name=sshd backend="$1" ip=192.0.2.1
	doctor name=sshd
	assert_status 0 "$out"
	! grep -q 'jail\.dnat' <<<"$out" || fail "a DNAT finding for ct status dnat: $out"
}
test_firewalld_ct_status_dnat_is_no_dnat_legacy() { firewalld_ct legacy; }
test_firewalld_ct_status_dnat_is_no_dnat_nft() { firewalld_ct nft; }

# paste_fixes: run every '$ ' line of $out, as a user pastes them.
paste_fixes() {
	local cmds
	cmds=$(sed -n 's/^     \$ //p' <<<"$out")
	[ -n "$cmds" ] || fail "no fix to paste in: $out"
	bash -euc "$cmds" || fail "pasting failed: $cmds"
}

# Docker publishes 8022 as the container's 22; DOCKER-USER (a FORWARD chain)
# sees the packet after DNAT, with port 22: a jail watching 8022 there never
# matches.  Its fix is pasted, then the doctor finds it healthy.
docker_user() { # backend
	setup "$1"
	local ipt=iptables-$1
	docker_nat "$ipt"
	nfban multiport start name=d backend="$1" chain=DOCKER-USER port=8022
	doctor name=d
	assert_status 1 "$out"
	expect_finding FAIL jail.dnat "d $1/inet4" "the jail watches 8022/tcp in DOCKER-USER, which sees packets after DNAT: '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8022 -j DNAT --to-destination 172.17.0.2:22' rewrites them to 172.17.0.2:22.*it should watch port 22"
	paste_fixes
	doctor name=d
	assert_status 0 "$out"
	expect_finding ok jail.chain d "dports 22 -j f2b-d"
}
test_docker_user_published_port_legacy() { docker_user legacy; }
test_docker_user_published_port_nft() { docker_user nft; }

# Shadowed by an earlier ACCEPT: the pasted -D / -I 1 puts the jump first.
shadow_fix() { # backend
	setup "$1"
	nfban multiport start name=s backend="$1"
	nfban multiport ban name=s backend="$1" ip=192.0.2.1
	iptables-"$1" -I INPUT 1 -p tcp --dport 22 -j ACCEPT
	doctor name=s ip=192.0.2.1
	assert_status 1 "$out"
	paste_fixes
	doctor name=s ip=192.0.2.1
	assert_status 0 "$out"
	expect_finding ok jail.shadowed "s $1/inet4" "nothing before the jump \(rule 1 of INPUT\)"
}
test_shadowed_fix_pasted_legacy() { shadow_fix legacy; }
test_shadowed_fix_pasted_nft() { shadow_fix nft; }

# An on-demand jail before its first ban: Fail2ban lists it, the kernel has
# nothing yet.  That is ok; with bans Fail2ban holds, it is a FAIL.
test_on_demand_jail_before_its_first_ban() {
	setup
	fake_fail2ban sshd ""
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock"
	assert_status 0 "$out"
	expect_finding ok jail.chain sshd "Fail2ban lists jail sshd with no ban yet: its action makes f2b-sshd / addr-set-sshd at the first ban"
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock" name=sshd
	assert_status 0 "$out"
}

# A jail wiped by a foreign reload: the cause named, the fix given.
test_jail_wiped_by_firewalld_reload() {
	setup nft
	nfban multiport start name=sshd backend=nft
	nfban multiport ban name=sshd backend=nft ip=192.0.2.1
	fake_fail2ban sshd "192.0.2.1"
	# What firewall-cmd --reload leaves: its own table, iptables-nft's gone.
	nft flush ruleset
	nft add table inet firewalld
	nft add chain inet firewalld filter_INPUT '{ type filter hook input priority filter + 10; }'
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock"
	assert_status 1 "$out"
	expect_finding FAIL jail.chain sshd "Fail2ban holds 1 ban of jail sshd, but the kernel has no chain f2b-sshd"
	has_line "^     likely cause: firewalld's table is in the kernel: .firewall-cmd --reload."
	has_line '^     \$ fail2ban-client restart sshd$'
}
test_jail_wiped_by_nftables_service_reload() {
	setup nft
	nfban nftables start name=sshd
	nfban nftables ban name=sshd ip=192.0.2.1
	fake_fail2ban sshd "192.0.2.1"
	nft flush ruleset
	nft add table inet filter
	nft add chain inet filter input '{ type filter hook input priority filter; }'
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock" name=sshd
	assert_status 1 "$out"
	has_line "^     likely cause: .*flush ruleset"
}

# An address no jail holds, dropped by another tool's table (CrowdSec's bouncer).
test_ip_dropped_by_another_table() {
	setup
	nfban nftables start name=sshd
	nft -f - <<-'EOF'
	table ip crowdsec {
		set crowdsec-blacklists { type ipv4_addr; flags timeout; elements = { 192.0.2.9 timeout 4h } }
		chain crowdsec-chain { type filter hook input priority filter - 10; ip saddr @crowdsec-blacklists drop; }
	}
	EOF
	doctor ip=192.0.2.9
	assert_status 0 "$out"
	expect_finding ok jail.ip "" "192.0.2.9 is not banned by a jail, but is dropped by 'ip saddr @crowdsec-blacklists drop' in chain ip crowdsec crowdsec-chain \(set crowdsec-blacklists holds it\)"
}

# Not root: what could not be read is unknown (exit 3), never "install ...".
test_not_root_is_unknown() {
	setup
	nfban multiport start name=r backend=legacy
	nfban nftables start name=n
	chmod 0755 "$NFBAN_IPT_PATH"
	doctor_as_nobody --no-probe name=r
	assert_status 3 "$out"
	expect_finding unknown backend.read "legacy/inet4" "cannot read the legacy inet4 rules: .*(not permitted|Permission denied)"
	expect_finding unknown backend.read "nftables" "cannot read the nftables rules"
	! grep -q 'install' <<<"$out" || fail "install advice without root: $out"
	! grep -q '^FAIL' <<<"$out" || fail "FAIL without root: $out"
	doctor_as_nobody
	assert_status 3 "$out"
	expect_finding unknown capability.probe "" "cannot make a scratch network namespace"
}
# doctor_as_nobody ARGS...: nfban doctor (the shim, which vets and execs the
# doctor) as user nobody, the kernel compared.
doctor_as_nobody() {
	local before
	before=$(kernel)
	run setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		env PATH="$PATH" NFBAN_PLUGIN_DIR="$NFBAN_PLUGIN_DIR" "$NFBAN_BIN" doctor --no-fail2ban "$@"
	assert_eq "$before" "$(kernel)" "the kernel after nfban doctor as nobody"
}

# Without the iptables package: nft reads iptables-nft's tables, no false FAIL.
test_no_iptables_binary_in_path() {
	setup nft
	nfban multiport start name=sshd backend=nft port=ssh,2222
	nfban multiport ban name=sshd backend=nft ip=192.0.2.1
	nfban perport start name=pp backend=nft port=22,80
	local bin
	bin=$(mktemp -d)
	ln -s "$(command -v nft)" "$bin/nft"
	chmod 0755 "$bin"
	DOCTOR_PATH=$bin doctor name=sshd ip=192.0.2.1
	assert_status 0 "$out"
	expect_finding ok backend.iptables "" "no iptables command in PATH"
	expect_finding ok backend.read nft "read with nft -j list ruleset"
	expect_finding ok jail.chain "sshd nft/inet4" "chain f2b-sshd holds 1 ban"
	expect_finding ok jail.ip sshd "192.0.2.1 is in the kernel"
	! grep -q '^FAIL' <<<"$out" || fail "FAIL without iptables: $out"
	# perport's jumps are native payload matches: their ports are read.
	DOCTOR_PATH=$bin doctor name=pp port=22,80
	assert_status 0 "$out"
	# multiport's are xt: a port question is unknown, not a FAIL.
	DOCTOR_PATH=$bin doctor name=sshd port=2222
	assert_status 3 "$out"
	expect_finding unknown jail.jump "sshd nft/inet4" "cannot tell whether the jumps cover port 2222/tcp"
	# A jail and a ban written by this release's stock iptables-nft (Fail2ban's
	# iptables-multiport), read the same way.
	iptables-nft -N f2b-stock
	iptables-nft -A f2b-stock -j RETURN
	iptables-nft -I f2b-stock 1 -s 192.0.2.7 -j REJECT --reject-with icmp-port-unreachable
	iptables-nft -I INPUT -p tcp -m multiport --dports 22 -j f2b-stock
	DOCTOR_PATH=$bin doctor name=stock ip=192.0.2.7
	assert_status 0 "$out"
	expect_finding ok jail.chain "stock nft/inet4" "chain f2b-stock holds 1 ban"
	expect_finding ok jail.ip stock "192.0.2.7 is in the kernel"
	rm -rf "$bin"
}

# ---- missing kernel features (fakekernel) ------------------------------------------------------

# missing_feature FAULT STATUS: the doctor under the fake kernel, which it must
# not change; $out holds its report.
missing_feature() {
	[ -f "$FAKE" ] || skip "no $FAKE (make tests)"
	setup
	before=$(kernel)
	run env LD_PRELOAD="$FAKE" NFBAN_FAKE_KERNEL="$1" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$NFBAN_BIN" doctor --no-fail2ban
	assert_eq "$before" "$(kernel)" "the kernel after nfban doctor"
	assert_status "$2" "$out"
}
# A VPS kernel without multiport: nfban-multiport still bans (as perport), so
# the doctor warns, names the fallback, and exits 0.
test_no_multiport_named() {
	missing_feature no-multiport 0
	has_line "^warn +capability\\.multiport_legacy: .*runs as perport here"
	has_line "^warn +capability\\.multiport_nft: .*runs as perport here"
	has_line "^ok +capability\\.legacy: "
}
# No legacy tables: nfban's iptables actions run on nf_tables; stock iptables-legacy cannot.
test_no_legacy_tables_named() {
	missing_feature no-legacy 0
	has_line "^warn +capability\\.legacy: .*stock actions need iptables-nft"
	has_line "^ok +capability\\.nf_tables: "
}
# Legacy IPv6 tables only missing: IPv4 bans work; a warning says IPv6 does not.
test_no_legacy_ipv6_named() {
	NFBAN_FAKE_KERNEL_FAMILY=6 missing_feature no-legacy 0
	has_line "^warn +capability\\.legacy: legacy iptables tables: IPv4 yes, IPv6 no: .*\\(inet6\\)"
	has_line "^warn +capability\\.multiport_legacy: .*IPv4 yes, IPv6 no"
	has_line "^ok +capability\\.nf_tables: "
}
# No nf_tables: nfban-nftables has no fallback, so that is a FAIL.
test_no_nf_tables_named() {
	missing_feature no-nftables 1
	has_line "^FAIL capability\\.nf_tables: "
	has_line "^ok +capability\\.legacy: "
}

# ---- the fallback in effect and its announcement -------------------------------------------------

test_fallback_in_effect_is_listed() {
	[ -f "$FAKE" ] || skip "no $FAKE (make tests)"
	setup
	LD_PRELOAD="$FAKE" NFBAN_FAKE_KERNEL=no-multiport ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$NFBAN_BIN" multiport start name=fb backend=legacy 2>/dev/null
	doctor name=fb
	assert_status 0 "$out"
	expect_finding warn jail.fallback "fb perport/inet4" "jail fb \(inet4\) runs on perport, a fallback, since"
	if [ ! -e /dev/log ]; then
		expect_finding warn jail.fallback "fb perport/inet4" "announced: .*multiport cannot work on this kernel"
		has_line "^warn jail\\.fallback\\.log: /dev/log is absent"
	fi
	nfban multiport stop name=fb backend=legacy
	assert_eq "" "$(find "$NFBAN_STATE_DIR" -mindepth 1)" "state and announcement gone with the jail"
}

# ---- Fail2ban against the kernel (a stand-in fail2ban-client) ------------------------------------

# fake_fail2ban JAIL "IPS" [JAIL "IPS"...]: a stand-in fail2ban-client that prints
# what Fail2ban's client prints (fail2ban/client/beautifier.py) for status, get
# JAIL banip and get JAIL actions; the doctor runs it as it runs the real one
# (tests/e2e/doctor.sh runs it against a real Fail2ban).
fake_fail2ban() {
	local d=$NFBAN_IPT_PATH
	: >"$d/f2b.jails"
	while [ $# -ge 2 ]; do
		printf '%s %s\n' "$1" "$2" >>"$d/f2b.jails"
		shift 2
	done
	cat >"$d/fail2ban-client" <<'EOS'
#!/bin/bash
# stand-in: [-s SOCKET] status | get JAIL banip | get JAIL actions; data in f2b.jails
data=$(dirname "$0")/f2b.jails
[ "$1" = -s ] && shift 2
if [ "$*" = status ]; then
	printf 'Status\n|- Number of jail:\t%s\n`- Jail list:\t%s\n' "$(grep -c '' "$data")" \
		"$(cut -d' ' -f1 "$data" | paste -sd, - | sed 's/,/, /g')"
elif [ "$1 $3" = "get banip" ] && grep -q "^$2 " "$data"; then
	grep "^$2 " "$data" | cut -d' ' -f2-
elif [ "$1 $3" = "get actions" ] && grep -q "^$2 " "$data"; then
	printf 'The jail %s has the following actions:\nnfban-multiport\n' "$2"
else
	exit 255
fi
EOS
	chmod 0755 "$d/fail2ban-client"
	touch "$d/f2b.sock"
}

test_fail2ban_and_kernel_disagree() {
	setup
	nfban multiport start name=sshd backend=legacy
	nfban multiport ban name=sshd backend=legacy ip=192.0.2.1
	nfban multiport ban name=sshd backend=legacy ip=192.0.2.3
	fake_fail2ban sshd "192.0.2.1 192.0.2.2"
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock"
	assert_status 1 "$out"
	expect_finding ok fail2ban.reach "" "Fail2ban answers"
	expect_finding FAIL fail2ban.missing sshd "Fail2ban lists 192.0.2.2 as banned in jail sshd, but the kernel does not hold it"
	expect_finding FAIL fail2ban.extra sshd "the kernel bans 192.0.2.3 in jail sshd \(-A f2b-sshd -s 192.0.2.3/32"
	fake_fail2ban sshd "192.0.2.1 192.0.2.3"
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock"
	assert_status 0 "$out"
	expect_finding ok fail2ban.bans sshd "Fail2ban's 2 bans of jail sshd are all in the kernel"
	# The fixes it gave are what a user pastes.
	fake_fail2ban sshd "192.0.2.1 192.0.2.2"
	doctor --socket "$NFBAN_IPT_PATH/f2b.sock"
	has_line '^     \$ fail2ban-client set sshd unbanip 192.0.2.2$'
	has_line '^     \$ fail2ban-client set sshd banip 192.0.2.3$' 
}

# ---- --json ----------------------------------------------------------------------------------------

test_json_has_the_documented_fields() {
	setup
	nfban multiport start name=js backend=legacy
	nfban multiport ban name=js backend=legacy ip=192.0.2.1
	iptables-legacy -I INPUT 1 -p tcp --dport 22 -j ACCEPT
	doctor --json ip=192.0.2.1
	assert_status 1 "$out"
	/usr/bin/python3 "$NFBAN_ROOT/tests/ns/doctor_json.py" "$NFBAN_ROOT/man/nfban.8" <<<"$out" ||
		fail "JSON does not match nfban(8): $out"
	# Text and JSON give the same findings.
	doctor ip=192.0.2.1
	assert_eq "$(grep -cE '^(ok|warn|unknown|FAIL) ' <<<"$out")" "$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' <<<"$(nfban doctor --no-fail2ban --no-probe --json ip=192.0.2.1)")" "findings"
}

# ---- arguments as users type them ------------------------------------------------------------

test_arguments_anywhere_unknown_keys_refused() {
	setup
	nfban multiport start name=sshd backend=legacy
	# An option after the keys.
	doctor name=sshd --json
	assert_status 0 "$out"
	/usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$out" || fail "not JSON: $out"
	# A mistyped key: exit 2, naming the keys the doctor knows.
	doctor name=sshd ipp=192.0.2.1
	assert_status 2
	assert_match "ipp='192.0.2.1': unknown key \(known: name port protocol chain family table ip\)" "$err"
	assert_lines "$err"
	run nfban doctor --help
	assert_status 0
	assert_match "Exit status: 0 healthy .* 1 something FAILs,.*2 bad usage, 3 something could not be examined" "$(tr '\n' ' ' <<<"$out")"
	assert_match "unknown \(could not be read" "$out"
}

# ---- the shim ------------------------------------------------------------------------------------------

test_shim_refuses_a_doctor_others_can_write() {
	local d
	d=$(mktemp -d)
	cp -a "$NFBAN_BUILD/plugins/." "$d/"
	chmod 0755 "$d"
	chmod 0775 "$d/nfban-doctor"
	run nfban --plugin-dir "$d" doctor
	assert_status 1
	assert_match "nfban-doctor is not an executable file owned and only writable by root" "$err"
	chmod 0755 "$d/nfban-doctor"
	run nfban --plugin-dir "$d" doctor --no-fail2ban
	assert_status 0 "$err"
	run nfban doctor name=a/b
	assert_status 2
	assert_match "name='a/b'" "$err"
	rm -rf "$d"
}

run_suite "$@"
