#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The nfban command itself: usage, refusals, bad input that must leave the
# kernel exactly as it was, and valgrind on real operations.
source "$(dirname "$0")/../lib/nstest.sh"

# Full netfilter state: both legacy tables and the nft ruleset.
kernel_state() {
	ipt_save 4
	ipt_save 6
	nft list ruleset
}

test_help_lists_every_key() {
	run nfban --help
	assert_status 0
	for k in name family ip special_addresses port protocol chain blocktype returntype fallback type table \
		table_family chain_type chain_hook chain_priority start stop check ban unban flush; do
		assert_match "$k" "$out" "--help"
	done
	run nfban --version
	assert_status 0
	assert_match '^nfban [0-9.]+ \(plugin ABI [0-9]+\)$' "$out"
}

test_usage_errors_are_one_line_exit_2() {
	run nfban
	assert_status 2
	run nfban multiport
	assert_status 2
	run nfban multiport restart
	assert_status 2
	assert_lines "$err"
	assert_match "operation 'restart'" "$err"
	run nfban nosuchplugin start
	assert_status 2
	assert_lines "$err"
	assert_match "no such plugin" "$err"
	run nfban ../multiport start
	assert_status 2
	assert_match "not a plugin name" "$err"
	run nfban --bogus multiport start
	assert_status 2
}

test_plugin_dir_writable_by_others_is_refused() {
	local d
	d=$(mktemp -d)
	cp "$NFBAN_PLUGIN_DIR/multiport.so" "$d/"
	chmod 0777 "$d"
	run nfban --plugin-dir "$d" multiport start name=x
	assert_status 1
	assert_match "only writable by root" "$err"
	chmod 0755 "$d"
	chmod 0666 "$d/multiport.so"
	run nfban --plugin-dir "$d" multiport start name=x
	assert_status 1
	assert_match "only writable by root" "$err"
	rm -rf "$d"
	assert_eq "" "$(ipt_rules 4)" "nothing reached the kernel"
}

# Each bad invocation: exit 2, one line naming key and value, kernel untouched.
expect_rejected() { # "key='value'" args...
	local want=$1 before after
	shift
	before=$(kernel_state)
	run nfban "$@"
	assert_status 2 "nfban $*"
	assert_lines "$err"
	[[ $err == *"$want"* ]] || fail "error for '$*' does not name $want: $err"
	after=$(kernel_state)
	assert_eq "$before" "$after" "kernel after rejected 'nfban $*'"
}

test_bad_input_leaves_kernel_unchanged_iptables() {
	nfban multiport start name=sshd port=ssh
	nfban multiport ban name=sshd port=ssh ip=192.0.2.1
	nfban multiport start name=web6 port=http family=inet6
	expect_rejected "port='ssh,nosuch'" multiport ban name=sshd port=ssh,nosuch ip=192.0.2.2
	expect_rejected "port='70000'" multiport start name=sshd port=70000
	expect_rejected "ip='192.0.2.300'" multiport ban name=sshd ip=192.0.2.300
	expect_rejected "ip=''" multiport ban name=sshd
	expect_rejected "ip='2001:db8::1'" multiport ban name=sshd ip=2001:db8::1 family=inet4
	expect_rejected "ip='192.0.2.1; reboot'" multiport ban name=sshd "ip=192.0.2.1; reboot"
	expect_rejected "bogus='1'" multiport stop name=sshd bogus=1
	expect_rejected "name='x y'" multiport stop "name=x y"
	expect_rejected "name='a-jail-name-that-is-far-too-long'" multiport start name=a-jail-name-that-is-far-too-long
	expect_rejected "protocol='icmp'" multiport start name=sshd protocol=icmp
	expect_rejected "blocktype='REJECT --reject-with tcp-reset'" multiport start name=dns port=53 \
		protocol=tcp,udp "blocktype=REJECT --reject-with tcp-reset"
	expect_rejected "blocktype='REJECT --reject-with icmp6-bogus'" multiport stop name=web6 \
		family=inet6 "blocktype=REJECT --reject-with icmp6-bogus"
	expect_rejected "ip='0.0.0.0/0'" multiport ban name=sshd ip=0.0.0.0/0
	expect_rejected "lock_wait='-1'" multiport start name=sshd lock_wait=-1
	expect_rejected "blocktype='LOG --log-prefix x'" multiport start name=sshd "blocktype=LOG --log-prefix x"
	expect_rejected "family='inet5'" multiport flush name=sshd family=inet5
	expect_rejected "port='ssh'" multiport stop name=sshd port=ssh port=ssh
	expect_rejected "fallback='../x'" multiport start name=sshd fallback=../x
	expect_rejected "table='f2b-table'" perport start name=sshd table=f2b-table
}

test_bad_input_leaves_kernel_unchanged_nftables() {
	[ -e "$NFBAN_PLUGIN_DIR/nftables.so" ] || skip "nftables plugin not built"
	nfban nftables start name=sshd port=ssh
	nfban nftables ban name=sshd port=ssh ip=192.0.2.1
	expect_rejected "blocktype='DROP'" nftables ban name=sshd ip=192.0.2.2 blocktype=DROP
	expect_rejected "chain_hook='ingress'" nftables start name=other chain_hook=ingress
	expect_rejected "table_family='ip'" nftables start name=other family=inet6 table_family=ip
	expect_rejected "returntype='RETURN'" nftables start name=other returntype=RETURN
	expect_rejected "ip='not-an-ip'" nftables unban name=sshd ip=not-an-ip
	expect_rejected "type='oneport'" nftables start name=other type=oneport
}

test_kernel_errors_name_jail_operation_and_reason() {
	# Banning into a jail that was never started: libiptc has no chain f2b-never.
	run nfban multiport ban name=never ip=192.0.2.9 fallback=
	assert_status 1
	assert_lines "$err"
	assert_match "jail never" "$err"
	assert_match "ban 192.0.2.9" "$err"
	assert_match "(No such file or directory|No chain/target/match by that name|does not exist|missing)" "$err"
}

test_valgrind_clean_on_real_operations() {
	[[ $NFBAN_BUILD == *asan* ]] && skip "valgrind does not run ASan builds"
	command -v valgrind >/dev/null || skip "valgrind not installed"
	local vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
	local plugin
	for plugin in multiport allports perport nftables; do
		[ -e "$NFBAN_PLUGIN_DIR/$plugin.so" ] || continue
		for args in "start" "ban ip=192.0.2.5" "check" "unban ip=192.0.2.5" "unban ip=192.0.2.5" \
			"flush" "stop" "ban ip=bad"; do
			# shellcheck disable=SC2086
			run "${vg[@]}" "$NFBAN_BIN" $plugin $args name=vg port=ssh,http
			[ "$status" -ne 99 ] || fail "valgrind: $plugin $args: $err"
		done
	done
	# The last ban was rejected, the stops left nothing.
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
}

run_suite "$@"
