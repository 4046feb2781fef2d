#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nfban doctor: each fault planted in the namespace's kernel is named (severity,
# check, jail, rule) with exit 1; a healthy jail of every plugin and backend
# gives exit 0; and the kernel is byte-identical before and after every run
# (iptables-legacy-save, iptables-nft-save, both ip6, nft list ruleset).
source "$(dirname "$0")/../lib/nstest.sh"

FAKE="$NFBAN_BUILD/tests/fakekernel.so"

# point_iptables legacy|nft: the `iptables` first in PATH (what doctor reports
# as the host's backend, and where $IPT-like commands below write).
point_iptables() {
	ln -sf "$(command -v iptables-"$1")" "$NFBAN_IPT_PATH/iptables"
	ln -sf "$(command -v ip6tables-"$1")" "$NFBAN_IPT_PATH/ip6tables"
}

# The kernel as the three tools print it (the save tools' date comments aside).
kernel() {
	local t
	for t in iptables-legacy-save ip6tables-legacy-save iptables-nft-save ip6tables-nft-save; do
		echo "== $t"
		{ $t 2>&1 || true; } | grep -v '^# Generated\|^# Completed'
	done
	echo "== nft"
	nft list ruleset 2>&1 || true
}

# doctor ARGS...: nfban doctor through the shim, the kernel compared before
# and after; $status, $out, $err as run() sets them.  The host's Fail2ban (if
# one runs) is never asked, unless the test gives --socket; the kernel is
# probed only with PROBE=1 (the probes have tests of their own; time).
doctor() {
	local before after extra=(--no-fail2ban)
	before=$(kernel)
	[[ " $* " == *" --socket "* ]] && extra=()
	[ "${PROBE:-}" = 1 ] || extra+=(--no-probe)
	run nfban doctor "${extra[@]}" "$@"
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
# has_line REGEX: some line of $out matches.
has_line() { grep -qE -- "$1" <<<"$out" || fail "no line matching /$1/ in: $out"; }

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
	expect_finding FAIL jail.jump "m legacy/inet4" "chain f2b-m exists \(1 bans\) but no rule jumps to it"
}

test_missing_jump_for_one_port() {
	setup nft
	nfban perport start name=p backend=nft port=22,80
	iptables-nft -D INPUT -p tcp --dport 80 -j f2b-p
	doctor name=p
	assert_status 0 "$out" # without port= the doctor cannot know the jail had 80
	doctor name=p port=22,80
	assert_status 1 "$out"
	expect_finding FAIL jail.jump "p nft/inet4" "no jump to f2b-p for port 80/tcp"
}

test_jump_in_another_chain() {
	setup
	nfban multiport start name=c backend=legacy
	doctor name=c chain=FORWARD
	assert_status 1 "$out"
	expect_finding FAIL jail.jump c "no jump to f2b-c in chain FORWARD"
}

test_missing_chain() {
	setup
	doctor name=nosuch
	assert_status 1 "$out"
	expect_finding FAIL jail.chain nosuch "no jail nosuch in the kernel"
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
	doctor ip=192.0.2.2 name=i
	assert_status 1 "$out"
	expect_finding FAIL jail.ip i "192.0.2.2 is not banned in the kernel in jail i"
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
	# A jail on FORWARD (Docker's DOCKER-USER) is where it should be.
	nfban multiport start name=fw backend=legacy chain=FORWARD port=2222
	doctor name=fw
	assert_status 0 "$out"
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

fake_fail2ban() { # jail "ips..."
	cat >"$NFBAN_IPT_PATH/fail2ban-client" <<-EOS
	#!/bin/bash
	# stand-in: [-s SOCKET] status | get JAIL banip
	[ "\$1" = -s ] && shift 2
	case "\$*" in
	status) printf 'Status\n|- Number of jail:\t1\n\`- Jail list:\t%s\n' "$1" ;;
	"get $1 banip") echo "$2" ;;
	*) exit 255 ;;
	esac
	EOS
	chmod 0755 "$NFBAN_IPT_PATH/fail2ban-client"
	touch "$NFBAN_IPT_PATH/f2b.sock"
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
	assert_eq "$(grep -c '' <<<"$out")" "$(($(/usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))' <<<"$(nfban doctor --no-fail2ban --no-probe --json ip=192.0.2.1)") + 1))" "lines"
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
	run nfban doctor bogus=1 name=a/b
	assert_status 2
	assert_match "name='a/b'" "$err"
	rm -rf "$d"
}

run_suite "$@"
