#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Automatic fallback, through the real code path: the LD_PRELOAD fake kernel
# (tests/lib/fakekernel.c) makes the kernel answer as one without the
# multiport match (ENOENT on commit, or on the nf_tables rule with
# NFBAN_IPT_BACKEND=nft) or without legacy iptables (ENOPROTOOPT);
# every assertion is on what the real kernel then holds.
source "$(dirname "$0")/../lib/nstest.sh"

FAKE="$NFBAN_BUILD/tests/fakekernel.so"
# Fail2ban's stock iptables commands (the reference of the ipt_*.sh suites).
source "$(dirname "$0")/../lib/stock_ipt.sh"

setup() {
	[ -e "$FAKE" ] || fail "$FAKE not built"
	for p in multiport perport nftables; do
		[ -e "$NFBAN_PLUGIN_DIR/$p.so" ] || skip "plugin $p not built"
	done
	export NFBAN_STATE_DIR
	NFBAN_STATE_DIR=$(mktemp -d)
}

# nfban_on FAULT ARGS...: the shim on a kernel missing FAULT.
nfban_on() {
	local fault=$1
	shift
	# ASan insists on coming first in the preload list; the interposer is fine after it.
	LD_PRELOAD="$FAKE" NFBAN_FAKE_KERNEL="$fault" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$NFBAN_BIN" "$@"
}

# The faults a test needs exist for the legacy backend only (no-legacy,
# eperm): under NFBAN_IPT_BACKEND=nft the test is skipped.
legacy_only() {
	[ "$NFBAN_IPT_BACKEND" = legacy ] || skip "fault $1 is legacy-only"
}

state_files() { find "$NFBAN_STATE_DIR" -mindepth 1 | sort; }
set_elements() { # family-set-name
	nft -j list set inet f2b-table "$1" | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    s = o.get("set")
    if s:
        for e in s.get("elem", []):
            print(e if isinstance(e, str) else json.dumps(e))'
}

J=(name=sshd port=ssh,http protocol=tcp)

test_no_multiport_falls_back_to_perport() {
	setup
	run nfban_on no-multiport multiport start "${J[@]}"
	assert_status 0 "start"
	assert_match "multiport cannot work on this kernel.*perport takes over" "$err"
	[ "$(grep -c . <<<"$err")" -eq 1 ] || fail "announcement is one line: $err"
	local rules
	rules=$(ipt_rules 4)
	assert_match "-A INPUT -p tcp -m tcp --dport 22 -j f2b-sshd" "$rules"
	assert_match "-A INPUT -p tcp -m tcp --dport 80 -j f2b-sshd" "$rules"
	assert_match "-A f2b-sshd -j RETURN" "$rules"
	assert_no_match "multiport" "$rules"

	run nfban_on no-multiport multiport ban "${J[@]}" ip=192.0.2.1
	assert_status 0 "ban"
	assert_eq "" "$err" "no second announcement"
	assert_match "-A f2b-sshd -s 192.0.2.1/32 -j REJECT --reject-with icmp-port-unreachable" "$(ipt_rules 4)"

	# Fail2ban restarts: start again adds nothing.
	rules=$(ipt_rules 4)
	run nfban_on no-multiport multiport start "${J[@]}"
	assert_status 0 "second start"
	assert_eq "$rules" "$(ipt_rules 4)" "rules after a second start"
	run nfban_on no-multiport multiport check "${J[@]}"
	assert_status 0 "check"

	run nfban_on no-multiport multiport unban "${J[@]}" ip=192.0.2.1
	assert_status 0 "unban"
	assert_no_match "192.0.2.1" "$(ipt_rules 4)"
	run nfban_on no-multiport multiport stop "${J[@]}"
	assert_status 0 "stop"
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
	assert_eq "" "$(state_files)" "state after stop"
}

test_no_legacy_iptables_falls_back_to_nftables() {
	legacy_only no-legacy
	setup
	run nfban_on no-legacy multiport start "${J[@]}"
	assert_status 0 "start"
	assert_match "nftables takes over" "$err"
	assert_eq "" "$(ipt_rules 4)" "no legacy rules"
	# Captured first: grep -q under pipefail can SIGPIPE the lister.
	local chain
	chain=$(nft list chain inet f2b-table f2b-chain)
	[[ $chain == *'tcp dport { 22, 80 } ip saddr @addr-set-sshd reject'* ]] || fail "nft rule: $chain"
	run nfban_on no-legacy multiport ban "${J[@]}" ip=192.0.2.7
	assert_status 0 "ban"
	assert_eq "192.0.2.7" "$(set_elements addr-set-sshd)" "set after ban"
	run nfban_on no-legacy multiport start "${J[@]}"
	assert_status 0 "second start"
	assert_eq 1 "$(nft list chain inet f2b-table f2b-chain | grep -c '@addr-set-sshd')" "one rule after restart"
	run nfban_on no-legacy multiport check "${J[@]}"
	assert_status 0 "check"
	run nfban_on no-legacy multiport flush "${J[@]}"
	assert_status 0 "flush"
	assert_eq "" "$(set_elements addr-set-sshd)" "set after flush"
	run nfban_on no-legacy multiport stop "${J[@]}"
	assert_status 0 "stop"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
	assert_eq "" "$(state_files)" "state after stop"
}

test_translation_to_nftables_mirrors_iptables_parameters() {
	legacy_only no-legacy
	setup
	run nfban_on no-legacy multiport start name=fw chain=FORWARD port=25,8000:8010 protocol=tcp,udp \
		blocktype=DROP fallback=nftables
	assert_status 0 "start"
	local chain
	chain=$(nft list chain inet f2b-table f2b-chain-forward)
	assert_match "hook forward priority filter - 1" "$chain"
	assert_match "tcp dport \{ 25, 8000-8010 \} ip saddr @addr-set-fw drop" "$chain"
	assert_match "udp dport \{ 25, 8000-8010 \} ip saddr @addr-set-fw drop" "$chain"
	run nfban_on no-legacy multiport stop name=fw chain=FORWARD port=25,8000:8010 protocol=tcp,udp \
		blocktype=DROP fallback=nftables
	assert_status 0 "stop"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

# Service names are one set of ports for every plugin: names listed for tcp
# only (ssh, smtp, submission) ban the same udp ports after either fallback.
test_fallback_keeps_the_ports_of_service_names() {
	setup
	local j=(name=mail port=smtp,submission,ssh protocol=tcp,udp)
	run nfban multiport start "${j[@]}"
	assert_status 0 "multiport start"
	assert_match "-A INPUT -p udp -m multiport --dports 25,587,22 -j f2b-mail" "$(ipt_rules 4)"
	run nfban multiport stop "${j[@]}"
	run nfban_on no-multiport multiport start "${j[@]}"
	assert_status 0 "start, falling back to perport"
	assert_eq "25 587 22 25 587 22" \
		"$(ipt_rules 4 | sed -n 's/^-A INPUT -p \(tcp\|udp\) -m \1 --dport \([0-9]*\) -j f2b-mail$/\2/p' | xargs)" \
		"perport's ports, udp then tcp"
	assert_match "-A INPUT -p udp -m udp --dport 22 -j f2b-mail" "$(ipt_rules 4)"
	run nfban_on no-multiport multiport stop "${j[@]}"
	assert_status 0 "stop"
	# The fault below (no legacy tables) exists for the legacy backend only.
	[ "$NFBAN_IPT_BACKEND" = legacy ] || return 0
	run nfban_on no-legacy multiport start "${j[@]}"
	assert_status 0 "start, falling back to nftables"
	local chain
	chain=$(nft list chain inet f2b-table f2b-chain)
	assert_match "udp dport \{ 22, 25, 587 \} ip saddr @addr-set-mail reject" "$chain"
	assert_match "tcp dport \{ 22, 25, 587 \} ip saddr @addr-set-mail reject" "$chain"
	run nfban_on no-legacy multiport stop "${j[@]}"
	assert_status 0 "stop"
	assert_eq "" "$(ipt_rules 4)$(nft list ruleset)" "nothing left"
}

test_fallback_is_per_family() {
	legacy_only no-legacy
	setup
	# Only IPv6 lacks the legacy tables.
	export NFBAN_FAKE_KERNEL_FAMILY=6
	nfban_on no-legacy multiport start "${J[@]}" family=inet4
	nfban_on no-legacy multiport start "${J[@]}" family=inet6
	nfban_on no-legacy multiport ban "${J[@]}" ip=2001:db8::5
	nfban_on no-legacy multiport ban "${J[@]}" ip=192.0.2.5
	assert_match "-A INPUT -p tcp -m multiport --dports 22,80 -j f2b-sshd" "$(ipt_rules 4)"
	assert_match "-A f2b-sshd -s 192.0.2.5/32" "$(ipt_rules 4)"
	assert_eq "" "$(ipt_rules 6)" "no ip6tables rules"
	assert_eq "2001:db8::5" "$(set_elements addr6-set-sshd)" "IPv6 ban in the nft set"
	for fam in inet4 inet6; do
		nfban_on no-legacy multiport stop "${J[@]}" family=$fam
	done
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

test_ban_first_meets_missing_feature() {
	legacy_only no-legacy
	setup
	# actionstart_on_demand: the first ban is the first operation.
	run nfban_on no-legacy multiport ban "${J[@]}" ip=192.0.2.8
	assert_status 0 "ban"
	assert_match "nftables takes over" "$err"
	assert_eq "192.0.2.8" "$(set_elements addr-set-sshd)" "set after ban"
	run nfban_on no-legacy multiport stop "${J[@]}"
	assert_status 0 "stop"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

test_empty_fallback_reports_the_kernel_error_unchanged() {
	setup
	run nfban_on no-multiport multiport start "${J[@]}" fallback=
	assert_status 1
	assert_lines "$err"
	assert_match "jail sshd \(inet4\): start" "$err"
	assert_match "No such file or directory|No chain/target/match by that name" "$err"
	assert_eq "" "$(ipt_rules 4)" "nothing committed"
	assert_eq "" "$(nft list ruleset)" "no nft"
	assert_eq "" "$(state_files)" "no state"
}

test_eperm_never_falls_back() {
	setup
	if [ "$NFBAN_IPT_BACKEND" = legacy ]; then
		run nfban_on eperm multiport start "${J[@]}"
	else
		# nf_tables itself answers EPERM to a caller without CAP_NET_ADMIN.
		command -v setpriv >/dev/null || skip "no setpriv"
		run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			"$NFBAN_BIN" multiport start "${J[@]}"
	fi
	assert_status 1
	assert_match "Operation not permitted" "$err"
	assert_no_match "takes over" "$err"
	assert_eq "" "$(nft list ruleset)" "no nft"
	assert_eq "" "$(state_files)" "no state"
}

test_bad_input_never_falls_back() {
	setup
	run nfban_on no-legacy multiport start name=sshd port=nosuchservice
	assert_status 2
	assert_lines "$err"
	assert_eq "" "$(nft list ruleset)" "no nft"
	assert_eq "" "$(state_files)" "no state"
}

test_lost_state_is_recovered_from_the_kernel() {
	legacy_only no-legacy
	setup
	nfban_on no-legacy multiport start "${J[@]}" 2>/dev/null
	nfban_on no-legacy multiport ban "${J[@]}" ip=192.0.2.3
	rm -rf "${NFBAN_STATE_DIR:?}"/*
	run nfban_on no-legacy multiport unban "${J[@]}" ip=192.0.2.3
	assert_status 0 "unban without state"
	assert_match "found on nftables" "$err"
	assert_eq "" "$(set_elements addr-set-sshd)" "set after unban"
	run nfban_on no-legacy multiport stop "${J[@]}"
	assert_status 0 "stop"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

test_stale_state_does_not_pin_a_jail() {
	setup
	# A state file naming perport, but nothing of the jail in the kernel: start
	# must use multiport (which this kernel has) and drop the stale file.
	local dir
	dir="$NFBAN_STATE_DIR/$(netns_key)"
	mkdir -p "$dir"
	echo perport >"$dir/sshd.inet4"
	run nfban multiport start "${J[@]}"
	assert_status 0 "start"
	assert_match "-A INPUT -p tcp -m multiport --dports 22,80 -j f2b-sshd" "$(ipt_rules 4)"
	assert_eq "" "$(state_files)" "stale state removed"
	nfban multiport stop "${J[@]}"
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
}

# What VPS users meet: a kernel without the multiport match, on the backend under test (run
# with NFBAN_IPT_BACKEND=nft, iptables-nft's batch - sent with sendmsg - refused as that kernel
# refuses it: `RULE_INSERT failed (No such file or directory)`).  Stock iptables-multiport's
# start cannot insert its jump, so the jail's ban (Fail2ban starts the action on the first ban:
# the ban fails with it; the ban command alone lands in a chain nothing jumps to) blocks nothing.
# nfban-multiport falls back to perport and bans: the kernel, read with
# iptables-<backend>-save (and nft --debug=netlink for nf_tables), is exactly what stock
# iptables[type=oneport] leaves for each port on a kernel that has every match.
test_stock_fails_where_nfban_falls_back() {
	setup
	local fam ip kv=(name=sshd port=ssh,http protocol=tcp) got want stock_out
	for fam in 4 6; do
		ip=192.0.2.9
		[ $fam = 6 ] && ip=2001:db8::9
		# Stock, in a namespace of its own, on the same faulty kernel.
		stock_out=$(in_fresh_ns bash -c "$(stock_fns)
			export LD_PRELOAD='$FAKE' NFBAN_FAKE_KERNEL=no-multiport ASAN_OPTIONS='${ASAN_OPTIONS:-}:verify_asan_link_order=0'
			if stock multiport $fam start ${kv[*]} 2>&1; then echo 'stock start: exit 0'; fi
			stock multiport $fam ban ${kv[*]} ip=$ip 2>&1 || echo 'stock ban: failed'
			unset LD_PRELOAD
			echo '# kernel'; ipt_rules $fam")
		assert_no_match "stock start: exit 0" "$stock_out" "stock start (IPv$fam) on a kernel without multiport"
		assert_match "No such file or directory|No chain/target/match by that name" "$stock_out" \
			"stock's error (IPv$fam)"
		assert_no_match "-A INPUT .*-j f2b-sshd" "${stock_out#*# kernel}" \
			"stock left no jump to f2b-sshd (IPv$fam): its ban blocks nothing"

		# nfban, as Fail2ban runs the .conf action: start (on the first ban), then the ban.
		run nfban_on no-multiport multiport start "${kv[@]}" "family=inet$fam"
		assert_status 0 "nfban-multiport start (IPv$fam) on a kernel without multiport"
		assert_match "multiport cannot work on this kernel.*perport takes over" "$err"
		run nfban_on no-multiport multiport ban "${kv[@]}" "family=inet$fam" ip=$ip
		assert_status 0 "nfban-multiport ban (IPv$fam)"
		got=$(ipt_state $fam)
		want=$(in_fresh_ns bash -c "set -e; $(stock_fns)
			stock oneport $fam start ${kv[*]}; stock oneport $fam ban ${kv[*]} ip=$ip; ipt_state $fam")
		assert_eq "$want" "$got" "nfban's fallback against stock perport (IPv$fam, $NFBAN_IPT_BACKEND)"
		assert_match "-A INPUT -p tcp -m tcp --dport 22 -j f2b-sshd" "$got"
		run nfban_on no-multiport multiport stop "${kv[@]}" "family=inet$fam"
		assert_status 0 "stop (IPv$fam)"
		assert_eq "" "$(ipt_rules $fam)" "nothing left (IPv$fam)"
	done
	assert_eq "" "$(state_files)" "state after stop"
}

run_suite "$@"
