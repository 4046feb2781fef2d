#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nfban and the host's own iptables on one jail, both ways round.  A jail
# that Fail2ban's stock commands started (this release's iptables-nft, or
# iptables-legacy), as it is or after `iptables-save | iptables-restore` (what
# netfilter-persistent does), is nfban's jail: `check` exits 0, `start` adds
# nothing, and ban, unban and stop leave exactly what the stock commands
# would have.  A tcp-reset ban that iptables wrote is unbanned by nfban.
# Rules nfban wrote are found by `iptables -C` and removed by `iptables -D`.
# And a jail written by another iptables-nft release (a Debian 12 jail under
# Debian 13's iptables, and the reverse) is still one jail.  Every tool comes
# from PATH, so the suite runs as well inside a Debian 13 root.
source "$(dirname "$0")/../lib/nstest.sh"
STOCK_TYPE=multiport
source "$(dirname "$0")/../lib/stock_ipt.sh"

# st FAMILY OP KEY=VALUE...: the stock command of $STOCK_TYPE, now, remembered
# for the stock replay (same_as_stock) as well.
st() {
	local fam=$1 op=$2
	shift 2
	stock "$STOCK_TYPE" "$fam" "$op" "$@" >/dev/null || fail "stock $STOCK_TYPE $op $* (IPv$fam)"
	STOCK_OPS+=("$(printf '%q ' stock "$STOCK_TYPE" "$fam" "$op" "$@")")
}
# by_hand CMD: a shell command line run now and in the stock replay.
by_hand() {
	bash -c "set -e; $1" || fail "$1"
	STOCK_OPS+=("$1")
}
save_restore() { by_hand "$IPT-save | $IPT-restore; $IP6T-save | $IP6T-restore"; }
# unchanged FAMILY WHAT CMD...: CMD must exit 0 and leave the kernel as it was.
unchanged() {
	local fam=$1 what=$2 before
	shift 2
	before=$(ipt_state "$fam")
	run "$@"
	assert_status 0 "$what"
	assert_eq "$before" "$(ipt_state "$fam")" "$what changes nothing (IPv$fam, $NFBAN_IPT_BACKEND)"
}
addr_a() { [ "$1" = 6 ] && echo 2001:db8::1 || echo 192.0.2.1; }
addr_b() { [ "$1" = 6 ] && echo 2001:db8:1::/48 || echo 198.51.100.0/24; }

# stock_jail PLUGIN TYPE FAMILY [restore] KEY=VALUE...: stock starts the jail
# and bans A; nfban finds it, bans B, unbans A, B, stops: as stock would.
stock_jail() {
	local plugin=$1 fam=$3 restore=
	STOCK_TYPE=$2
	shift 3
	[ "${1:-}" = restore ] && { restore=1; shift; }
	local j=("$@") a b
	a=$(addr_a "$fam") b=$(addr_b "$fam")
	st "$fam" start "${j[@]}"
	st "$fam" ban "${j[@]}" "ip=$a"
	[ -z "$restore" ] || save_restore
	run nfban "$plugin" check "family=inet$fam" "${j[@]}"
	assert_status 0 "check of the stock jail (IPv$fam)"
	unchanged "$fam" "start of the stock jail" nfban "$plugin" start "family=inet$fam" "${j[@]}"
	unchanged "$fam" "ban of what stock banned" nfban "$plugin" ban "family=inet$fam" "${j[@]}" "ip=$a"
	assert_match "already banned" "$out$err" "the second ban's notice"
	nf "$plugin" "$fam" ban "${j[@]}" "ip=$b"
	same_as_stock "$fam"
	nf "$plugin" "$fam" unban "${j[@]}" "ip=$a"
	assert_no_match "not banned" "$out$err" "unban of stock's ban"
	same_as_stock "$fam"
	nf "$plugin" "$fam" unban "${j[@]}" "ip=$b"
	same_as_stock "$fam"
	nf "$plugin" "$fam" stop "${j[@]}"
	same_as_stock "$fam"
	assert_eq "" "$(ipt_rules "$fam")" "nothing left after stop (IPv$fam)"
}

test_stock_multiport_jail() {
	stock_jail multiport multiport 4 name=sshd port=ssh,80:90
	stock_jail multiport multiport 6 name=sshd port=22,80:90 protocol=tcp,udp
}

test_stock_allports_jail() {
	stock_jail allports allports 4 name=recidive protocol=tcp,udp
	stock_jail allports allports 6 name=recidive
}

test_stock_oneport_jail() {
	stock_jail perport oneport 4 name=web port=80,443 protocol=tcp
	stock_jail perport oneport 6 name=dns port=53 protocol=udp
}

test_stock_jail_after_save_restore() {
	stock_jail multiport multiport 4 restore name=sshd port=ssh,2222
	stock_jail multiport multiport 6 restore name=sshd port=ssh,2222 blocktype=DROP
	stock_jail perport oneport 4 restore name=web port=80:90 protocol=udp
	stock_jail allports allports 6 restore name=all
}

# The kernel takes tcp-reset only with -p tcp, so stock's ban cannot write it;
# a user (or an older nfban) writes it by hand, as nfban itself does.
test_tcp_reset_ban_by_iptables() {
	local fam ipt a rst
	for fam in 4 6; do
		ipt=$IPT a=192.0.2.9
		[ "$fam" = 6 ] && ipt=$IP6T a=2001:db8::9
		rst=(name=sshd port=22 protocol=tcp "blocktype=REJECT --reject-with tcp-reset")
		st "$fam" start name=sshd port=22
		by_hand "$ipt -w -I f2b-sshd 1 -s $a -p tcp -j REJECT --reject-with tcp-reset"
		[ "$fam" = 6 ] && save_restore
		unchanged "$fam" "ban of the tcp-reset ban iptables wrote" \
			nfban multiport ban "family=inet$fam" "${rst[@]}" "ip=$a"
		run nfban multiport unban "family=inet$fam" "${rst[@]}" "ip=$a"
		assert_status 0 "unban of the tcp-reset ban"
		assert_no_match "not banned" "$out$err" "unban of the tcp-reset ban"
		STOCK_OPS+=("$ipt -w -D f2b-sshd -s $a -p tcp -j REJECT --reject-with tcp-reset")
		same_as_stock "$fam"
		assert_no_match "tcp-reset" "$(ipt_rules "$fam")"
		nf multiport "$fam" stop name=sshd port=22
		same_as_stock "$fam"
	done
}

# found FAMILY RULE...: `iptables -C` finds each (a chain and a rule spec per
# argument); `-D` removes each, after which -C finds it no more.
found() {
	local fam=$1 ipt=$IPT r
	[ "$fam" = 6 ] && ipt=$IP6T
	shift
	for r in "$@"; do
		# shellcheck disable=SC2086 # a rule spec is words
		$ipt -w -C $r || fail "$ipt -C $r: not found (IPv$fam, $NFBAN_IPT_BACKEND)"
	done
	for r in "$@"; do
		# shellcheck disable=SC2086
		$ipt -w -D $r || fail "$ipt -D $r failed"
		# ip6tables-legacy 1.8.9's -C also finds `--dport 80` in a chain
		# holding `--dport 443:450` (its -D does not): the callers' final
		# save shows what -D left.
		[ "$NFBAN_IPT_BACKEND:$fam" = legacy:6 ] && continue
		# shellcheck disable=SC2086
		run $ipt -w -C $r
		assert_status 1 "$ipt -C $r after -D"
	done
}

# only_returns FAMILY CHAIN...: all that is left are these chains, each with its return rule.
only_returns() {
	local fam=$1 c want=
	shift
	for c in "$@"; do want+=":$c -"$'\n'; done
	for c in "$@"; do want+="-A $c -j RETURN"$'\n'; done
	assert_ipt "$fam" <<<"${want%$'\n'}"
}

test_nfban_rules_found_by_iptables() {
	local rst="REJECT --reject-with tcp-reset"
	nfban multiport start name=sshd port=ssh,80:90 protocol=tcp,udp
	nfban multiport ban name=sshd ip=192.0.2.1
	nfban multiport ban name=sshd ip=198.51.100.0/24 blocktype=DROP
	nfban multiport ban name=sshd ip=10.0.0.0/20
	nfban multiport start name=rst port=22 "blocktype=$rst"
	nfban multiport ban name=rst port=22 "blocktype=$rst" ip=192.0.2.2
	found 4 "INPUT -p tcp -m multiport --dports 22,80:90 -j f2b-sshd" \
		"INPUT -p udp -m multiport --dports 22,80:90 -j f2b-sshd" \
		"f2b-sshd -s 192.0.2.1/32 -j REJECT --reject-with icmp-port-unreachable" \
		"f2b-sshd -s 198.51.100.0/24 -j DROP" \
		"f2b-sshd -s 10.0.0.0/20 -j REJECT --reject-with icmp-port-unreachable" \
		"f2b-rst -s 192.0.2.2/32 -p tcp -j $rst" "INPUT -p tcp -m multiport --dports 22 -j f2b-rst"
	only_returns 4 f2b-rst f2b-sshd
	nfban perport start family=inet6 name=web port=80,443:450 protocol=tcp,udp
	nfban perport ban family=inet6 name=web ip=2001:db8::1 "blocktype=$rst" protocol=tcp port=80
	nfban allports start family=inet6 name=all protocol=tcp
	nfban allports ban family=inet6 name=all ip=2001:db8::/33
	found 6 "INPUT -p tcp --dport 80 -j f2b-web" "INPUT -p tcp --dport 443:450 -j f2b-web" \
		"INPUT -p udp --dport 80 -j f2b-web" "INPUT -p udp --dport 443:450 -j f2b-web" \
		"f2b-web -s 2001:db8::1/128 -p tcp -j $rst" "INPUT -p tcp -j f2b-all" \
		"f2b-all -s 2001:db8::/33 -j REJECT --reject-with icmp6-port-unreachable"
	only_returns 6 f2b-all f2b-web
}

# The policy of a base chain nfban creates counts packets exactly when stock's
# does (iptables-nft 1.8.10 on creates base chains with counters).
policy_counts() { # after one connection attempt on lo: 1 when INPUT's policy counted it
	timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null || true
	$IPT -w -L INPUT -v -x -n | head -n1 | awk '{ print ($5 > 0) ? 1 : 0 }'
}
test_base_chain_counters_as_stock() {
	[ "$NFBAN_IPT_BACKEND" = nft ] || skip "nf_tables only"
	local want
	# shellcheck disable=SC2016 # expanded by the inner bash
	want=$(in_fresh_ns bash -c "set -e; ip link set lo up; $(declare -f stock policy_counts)
		stock multiport 4 start name=sshd >/dev/null; policy_counts")
	nfban multiport start name=sshd
	assert_eq "$want" "$(policy_counts)" "INPUT's policy counts as stock's ($($IPT --version))"
}

# other_release: a directory holding an `iptables` that states the other
# encoding's release (1.8.11 where the host has 1.8.9, 1.8.9 where it has
# 1.8.10 or later): nfban run with it first in PATH writes that release's
# rules while the stock commands keep the host's.
other_release() {
	local d v
	v=$($IPT --version | sed -nE 's/.* v([0-9.]+) .*/\1/p')
	d=$(mktemp -d)
	if [ "$(printf '%s\n' 1.8.10 "$v" | sort -V | head -n1)" = 1.8.10 ]; then v=1.8.9; else v=1.8.11; fi
	printf '\177ELF\0%s (nf_tables)\0' "$v" >"$d/xtables-nft-multi"
	chmod 0755 "$d/xtables-nft-multi"
	ln -s xtables-nft-multi "$d/iptables"
	echo "$d"
}
# A Debian 12 jail (iptables-nft 1.8.9) met by Debian 13's (1.8.11), and the
# reverse: the rules' text is stock's, whichever release wrote each one, and
# each release's iptables -C/-D finds the other's.
test_jail_of_another_release() {
	[ "$NFBAN_IPT_BACKEND" = nft ] || skip "nf_tables only"
	local d fam ipt a b j=(name=sshd port=ssh,80:90 protocol=tcp "blocktype=REJECT --reject-with tcp-reset")
	d=$(other_release)
	# shellcheck disable=SC2064 # $d now
	trap "rm -rf '$d'" EXIT
	for fam in 4 6; do
		ipt=$IPT a=$(addr_a "$fam") b=$(addr_b "$fam")
		[ "$fam" = 6 ] && ipt=$IP6T
		st "$fam" start name=sshd port=ssh,80:90
		by_hand "$ipt -w -I f2b-sshd 1 -s $a -p tcp -j REJECT --reject-with tcp-reset"
		PATH=$d:$PATH run nfban multiport check "family=inet$fam" "${j[@]}"
		assert_status 0 "check of a jail another release wrote (IPv$fam)"
		PATH=$d:$PATH unchanged "$fam" "start over another release's jail" \
			nfban multiport start "family=inet$fam" "${j[@]}"
		PATH=$d:$PATH run nfban multiport ban "family=inet$fam" "${j[@]}" "ip=$b"
		assert_status 0 "ban as the other release"
		STOCK_OPS+=("$ipt -w -I f2b-sshd 1 -s $b -p tcp -j REJECT --reject-with tcp-reset")
		assert_eq "$(stock_rules "$fam" | grep -E '^(-A|:)')" "$(ipt_rules "$fam")" \
			"the rules' text, two releases' rules in one chain (IPv$fam)"
		# Two encodings of -p in one IPv4 chain: 1.8.9's meta l4proto and 1.8.11's ip protocol.
		[ "$fam" = 6 ] || assert_match "meta load l4proto.*network header \+ 9|network header \+ 9.*meta load l4proto" \
			"$(nft --debug=netlink list chain ip filter f2b-sshd | tr '\n' ' ')" "both releases' rules"
		# The host's iptables finds nfban's rule of the other release, and nfban the host's.
		found "$fam" "f2b-sshd -s $b -p tcp -j REJECT --reject-with tcp-reset"
		PATH=$d:$PATH run nfban multiport unban "family=inet$fam" "${j[@]}" "ip=$a"
		assert_status 0 "unban of the host release's ban"
		assert_no_match "not banned" "$out$err" "unban of the host release's ban"
		PATH=$d:$PATH run nfban multiport stop "family=inet$fam" "${j[@]}"
		assert_status 0 "stop"
		assert_eq "" "$(ipt_rules "$fam")" "nothing left after stop (IPv$fam)"
	done
}

run_suite "$@"
