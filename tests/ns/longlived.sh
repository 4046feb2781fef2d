#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libnfban in a long-lived host (tests/host/longlived.c, nfban.h only): two
# threads, each with its own handle of the jail, thousands of calls at once.
# The kernel must hold every ban after the ban pass and none after the
# unban pass; the host fails on any failed call or any file descriptor left
# open, and, in the ASan build, LeakSanitizer fails it for memory a call lost.
source "$(dirname "$0")/../lib/nstest.sh"

HOST="$NFBAN_BUILD/tests/host/longlived"
N=${NFBAN_LONGLIVED_N:-500}   # per thread; two threads

host() { "$HOST" "$NFBAN_PLUGIN_DIR" "$@"; }
ipt_bans() { ipt_rules "$1" | grep -c -- "-A f2b-$2 -s " || true; }
nft_elems() { # set
	nft -j list set inet f2b-table "$1" | /usr/bin/python3 -c '
import json, sys
print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))'
}

nft_set() { # set: its elements, sorted
	nft -j list set inet f2b-table "$1" | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []): print(e)' | sort; }

test_multiport_thousand_bans_two_handles() {
	local j=(name=ll port=ssh,http)
	nfban multiport start "${j[@]}"
	run host multiport ban "$N" 2 "${j[@]}"
	assert_status 0 "ban pass: $err"
	assert_eq "$((2 * N))" "$(ipt_bans 4 ll)" "bans in the kernel after $((2 * N)) in-process bans"
	# A second pass on new handles finds them all there: nothing doubles.
	run host multiport ban "$N" 2 "${j[@]}"
	assert_status 0 "second ban pass: $err"
	assert_eq "$((2 * N))" "$(ipt_bans 4 ll)" "bans after banning the same addresses again"
	run host multiport unban "$N" 2 "${j[@]}"
	assert_status 0 "unban pass: $err"
	assert_eq 0 "$(ipt_bans 4 ll)" "bans after the unban pass"
	nfban multiport stop "${j[@]}"
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
}

test_perport_ipv6_two_handles() {
	local j=(name=ll6 port=22,80 family=inet6)
	nfban perport start "${j[@]}"
	run host perport ban 150 2 "${j[@]}"
	assert_status 0 "ban pass: $err"
	assert_eq 300 "$(ipt_bans 6 ll6)" "IPv6 bans after 300 in-process bans"
	run host perport unban 150 2 "${j[@]}"
	assert_status 0 "unban pass: $err"
	assert_eq 0 "$(ipt_bans 6 ll6)" "IPv6 bans after the unban pass"
}

test_nftables_thousand_bans_two_handles_both_families() {
	local j=(name=ll port=ssh)
	nfban nftables start "${j[@]}"
	nfban nftables start "${j[@]}" family=inet6
	run host nftables ban "$N" 2 "${j[@]}"
	assert_status 0 "IPv4 ban pass: $err"
	run host nftables ban "$N" 2 "${j[@]}" family=inet6
	assert_status 0 "IPv6 ban pass: $err"
	assert_eq "$((2 * N))" "$(nft_elems addr-set-ll)" "IPv4 set elements after $((2 * N)) in-process bans"
	assert_eq "$((2 * N))" "$(nft_elems addr6-set-ll)" "IPv6 set elements after $((2 * N)) in-process bans"
	run host nftables unban "$N" 2 "${j[@]}"
	assert_status 0 "IPv4 unban pass: $err"
	run host nftables unban "$N" 2 "${j[@]}" family=inet6
	assert_status 0 "IPv6 unban pass: $err"
	assert_eq 0 "$(nft_elems addr-set-ll)" "IPv4 set elements after the unban pass"
	assert_eq 0 "$(nft_elems addr6-set-ll)" "IPv6 set elements after the unban pass"
	nfban nftables stop "${j[@]}"
	nfban nftables stop "${j[@]}" family=inet6
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

# The same host under valgrind: two threads, both plugin kinds, every call
# checked for invalid accesses and the handles for lost memory.
test_valgrind_clean_two_threads() {
	[[ $NFBAN_BUILD == *asan* ]] && skip "valgrind does not run ASan builds"
	command -v valgrind >/dev/null || skip "valgrind not installed"
	local vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
	nfban multiport start name=vg port=ssh
	nfban nftables start name=vg port=ssh
	for plugin in multiport nftables; do
		for op in ban unban; do
			run "${vg[@]}" "$HOST" "$NFBAN_PLUGIN_DIR" $plugin $op 20 2 name=vg port=ssh
			assert_status 0 "valgrind: $plugin $op: $err"
		done
	done
	assert_eq 0 "$(ipt_bans 4 vg)" "bans after the valgrind passes"
	nfban multiport stop name=vg port=ssh
	nfban nftables stop name=vg port=ssh
}

# One handle kept open (tests/host/steps.c), driven a call at a time, while
# other programs write the ruleset in between: a long-lived host's ban reads
# nothing when the generation is still the one its own last commit left, and
# its batch is stamped with it (src/nfnl/txn.c), so any write by someone else
# must be seen - a ban after an unrelated write goes in, a ban into rules
# another program removed is "rules absent", an unban of a ban another
# program removed says "was not banned", and one it added is removed.
# (steps_open, step, step_ok: tests/lib/nstest.sh.)

test_nftables_one_handle_sees_other_writers() {
	command -v nft >/dev/null || skip "nft not installed"
	local set=addr-set-lh
	steps_open nftables name=lh port=ssh
	step_ok start
	step_ok ban 192.0.2.1
	nft add table ip other
	step_ok ban 192.0.2.2
	assert_eq $'192.0.2.1\n192.0.2.2' "$(nft_set $set)" "elements after a ban that followed another writer"
	nft flush chain inet f2b-table f2b-chain
	step ban 192.0.2.3
	assert_eq 3 "$st" "ban after another program flushed the rules: $msg"
	assert_match "no rule in inet f2b-table f2b-chain looks up set $set" "$msg"
	step_ok start
	step_ok ban 192.0.2.3
	nft delete element inet f2b-table $set '{ 192.0.2.1 }'
	step_ok unban 192.0.2.1
	assert_match "192.0.2.1:? was not banned" "$notice"
	nft add element inet f2b-table $set '{ 192.0.2.9 }'
	step_ok unban 192.0.2.9
	assert_eq $'192.0.2.2\n192.0.2.3' "$(nft_set $set)" "elements after two unbans"
	nft delete table inet f2b-table
	step ban 192.0.2.4
	assert_eq 3 "$st" "ban after another program deleted the table: $msg"
	assert_match "set inet f2b-table $set is missing" "$msg"
	step_ok start
	step_ok ban 192.0.2.4
	assert_eq 192.0.2.4 "$(nft_set $set)" "elements after the repair"
	# Others' elements in another set of the table leave the jail's cache as it is; a reload
	# that queues more notifications than the socket holds (20,000 elements, then the rules
	# flushed, in one commit) leaves a hole, which is read again, not trusted.
	nft add set inet f2b-table filler '{ type ipv4_addr; }'
	step_ok ban 192.0.2.5
	nft add element inet f2b-table filler '{ 10.8.0.1 }'
	step_ok ban 192.0.2.6
	local f
	f=$(mktemp)
	{
		printf 'add element inet f2b-table filler { '
		for a in $(seq 0 79); do for b in $(seq 0 249); do printf '10.9.%d.%d, ' "$a" "$b"; done; done
		printf '10.9.255.255 }\nflush chain inet f2b-table f2b-chain\n'
	} >"$f"
	nft -f "$f"
	rm -f "$f"
	step ban 192.0.2.7
	assert_eq 3 "$st" "ban after a reload that overflowed the notifications: $msg"
	step_ok start
	step_ok ban 192.0.2.7
	assert_eq $'192.0.2.4\n192.0.2.5\n192.0.2.6\n192.0.2.7' "$(nft_set $set)" "elements after the reload's repair"
	nft delete set inet f2b-table filler
	step_ok stop
	nft delete table ip other
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

test_multiport_nft_one_handle_sees_other_writers() {
	command -v iptables-nft >/dev/null || skip "iptables-nft not installed"
	local ipt=iptables-nft rules del
	rules() { iptables-nft-save -t filter | grep -E '^-A' || true; }
	steps_open multiport name=lh port=ssh backend=nft
	step_ok start
	step_ok ban 192.0.2.1
	$ipt -w -A INPUT -s 203.0.113.9 -j ACCEPT
	step_ok ban 192.0.2.2
	$ipt -w -N other
	$ipt -w -A other -s 198.51.100.1 -j DROP
	step_ok ban 192.0.2.8
	step_ok unban 192.0.2.8
	assert_eq "" "$notice" "unban after another program wrote another chain"
	assert_eq 2 "$(rules | grep -c -- '-A f2b-lh -s 192.0.2.[12]/32 ')" "bans after one that followed another writer"
	del=$(rules | grep -- '-A f2b-lh -s 192.0.2.1/32 ')
	eval "$ipt -w ${del/-A/-D}"
	step_ok unban 192.0.2.1
	assert_match "192.0.2.1:? was not banned" "$notice"
	eval "$ipt -w ${del/-A f2b-lh -s 192.0.2.1/-I f2b-lh 1 -s 192.0.2.7}"
	step_ok unban 192.0.2.7
	assert_eq "" "$notice" "unban of a ban another program added"
	assert_eq "-A f2b-lh -s 192.0.2.2/32 ${del#*/32 }
-A f2b-lh -j RETURN" "$(rules | grep -- '-A f2b-lh')" "the jail's chain after two unbans"
	$ipt -w -F INPUT
	step ban 192.0.2.3
	assert_eq 3 "$st" "ban after another program flushed INPUT: $msg"
	assert_match "no rule jumps to f2b-lh" "$msg"
	step_ok start
	step_ok ban 192.0.2.3
	step_ok stop
	$ipt -w -F other
	$ipt -w -X other
	assert_eq "" "$(rules)" "iptables-nft after stop"
}

# nfban_jail_try (what the .py actions call first, keeping the GIL): a ban or unban on its
# plain path, or NFBAN_BUSY (4) with nothing changed - while another nfban writer holds the
# namespace's writer lock (tests/tools/holdlock), for a plugin without NFBAN_PLUGIN_NOWAIT (the
# iptables plugins: libiptc's whole-table commit, the xtables lock), for any other operation.
hold_lock() { # hold the writer lock until release_lock
	HELD=$(mktemp)
	exec {HOLD}> >(exec "$NFBAN_BUILD/tests/tools/holdlock" >"$HELD")
	HOLDER=$!
	for _ in $(seq 100); do [ "$(cat "$HELD")" = held ] && return 0; sleep 0.1; done
	fail "holdlock did not take the lock"
}
release_lock() { # the holder told, and gone (the kernel drops its lock as it exits)
	exec {HOLD}>&-
	for _ in $(seq 200); do kill -0 "$HOLDER" 2>/dev/null || break; sleep 0.05; done
	rm -f "$HELD"
}

test_nftables_try_busy_while_another_writer_holds_the_lock() {
	command -v nft >/dev/null || skip "nft not installed"
	steps_open nftables name=lt port=ssh
	step_ok start
	step_ok try:ban 192.0.2.1
	assert_eq 192.0.2.1 "$(nft_set addr-set-lt)" "elements after a try's ban"
	hold_lock
	step try:ban 192.0.2.2
	assert_eq 4 "$st" "a try's ban while another writer holds the lock: $msg"
	assert_eq "" "$msg$notice" "a busy try says nothing"
	step try:unban 192.0.2.1
	assert_eq 4 "$st" "a try's unban while another writer holds the lock: $msg"
	assert_eq 192.0.2.1 "$(nft_set addr-set-lt)" "elements after two busy tries"
	release_lock
	step_ok try:ban 192.0.2.2
	step_ok try:unban 192.0.2.1
	assert_eq 192.0.2.2 "$(nft_set addr-set-lt)" "elements once the lock is free"
	step try:unban 192.0.2.9
	assert_eq 0 "$st" "a try's unban of an address not banned: $msg"
	assert_match "192.0.2.9:? was not banned" "$notice"
	local op
	for op in start check flush stop start+ban; do
		step "try:$op" 192.0.2.3
		assert_eq 4 "$st" "try:$op: $msg"
	done
	assert_eq 192.0.2.2 "$(nft_set addr-set-lt)" "elements after tries of other operations"
	step ban 192.0.2.3/24
	assert_eq 2 "$st" "a network for the set: refused by the waiting call: $msg"
	step try:ban 192.0.2.3/24
	assert_eq 4 "$st" "a network for the set: the try leaves it to the waiting call: $msg"
	step_ok stop
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

# The waiting call behind another writer (tests/tools/holdlock): it waits while the lock is
# held, bans once it is let go, and when the holder dies holding it (SIGKILL, mid-operation) the
# kernel lets go for it (a robust mutex: the next taker is told, and carries on) - well within
# the 30 s a waiter gives one holder before going on without the lock.
wait_gone() { # PID SECONDS: PID gone within SECONDS
	local i
	for ((i = 0; i < $2 * 20; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
	return 1
}
test_nftables_ban_waits_for_the_writer_lock_and_outlives_its_holder() {
	command -v nft >/dev/null || skip "nft not installed"
	local ban rc
	nfban nftables start name=lw port=ssh
	hold_lock
	nfban nftables ban name=lw port=ssh ip=192.0.2.1 {HOLD}>&- & ban=$!
	sleep 0.5
	kill -0 "$ban" 2>/dev/null || fail "a ban did not wait for the lock another writer holds"
	assert_eq "" "$(nft_set addr-set-lw)" "elements while the ban waits"
	release_lock
	wait_gone "$ban" 10 || fail "the ban still waits 10 s after the holder let go"
	wait "$ban" && rc=0 || rc=$?
	assert_eq 0 "$rc" "the waiting ban's exit"
	assert_eq 192.0.2.1 "$(nft_set addr-set-lw)" "elements once the holder let go"
	hold_lock
	nfban nftables ban name=lw port=ssh ip=192.0.2.2 {HOLD}>&- & ban=$!
	sleep 0.5
	kill -0 "$ban" 2>/dev/null || fail "a ban did not wait for the lock (second holder)"
	kill -KILL "$HOLDER"
	wait_gone "$ban" 10 || fail "the ban still waits 10 s after the holder died holding the lock"
	wait "$ban" && rc=0 || rc=$?
	assert_eq 0 "$rc" "the ban's exit after the holder died"
	exec {HOLD}>&-
	rm -f "$HELD"
	assert_eq "$(printf '192.0.2.1\n192.0.2.2')" "$(nft_set addr-set-lw)" "elements after the holder died"
	# The lock is whole again: a try (one try of the lock, no wait) is not busy.
	steps_open nftables name=lw port=ssh
	step_ok ban 192.0.2.3
	step_ok try:ban 192.0.2.4
	assert_eq "$(printf '192.0.2.%s\n' 1 2 3 4)" "$(nft_set addr-set-lw)" "elements after a try"
	nfban nftables stop name=lw port=ssh
	assert_eq "" "$(nft list ruleset)" "nft after stop"
}

test_iptables_plugins_try_always_busy() {
	local before
	steps_open multiport name=lt port=ssh
	step_ok start
	before=$(ipt_rules 4)
	step try:ban 192.0.2.1
	assert_eq 4 "$st" "multiport's try: $msg"
	assert_eq "$before" "$(ipt_rules 4)" "iptables after a busy try"
	step_ok ban 192.0.2.1
	step_ok stop
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
}

test_ipset_try_bans() {
	command -v ipset >/dev/null || skip "ipset not installed"
	steps_open ipset name=lt port=ssh
	step_ok start
	step_ok try:ban 192.0.2.1
	step_ok try:ban 192.0.2.2
	step_ok try:unban 192.0.2.1
	assert_eq 192.0.2.2 "$(ipset list f2b-lt | sed -n '/^Members:/,$p' | sed 1d | cut -d' ' -f1)" \
		"members after the tries"
	step_ok stop
	assert_eq "" "$(ipset list -n)" "ipset after stop"
}

# A full set grows (a larger set swapped in), which a try does not do: it says busy with the
# set as it was, and the waiting call grows it, as the .py actions make it on busy.
test_ipset_try_into_a_full_set_leaves_the_growing_to_the_waiting_call() {
	command -v ipset >/dev/null || skip "ipset not installed"
	local before
	steps_open ipset name=lt port=ssh maxelem=2
	step_ok start
	step_ok try:ban 192.0.2.1
	step_ok try:ban 192.0.2.2
	before=$(ipset save f2b-lt)
	step try:ban 192.0.2.3
	assert_eq 4 "$st" "a try's ban into a full set: $msg"
	assert_eq "" "$msg$notice" "a busy try says nothing"
	assert_eq "$before" "$(ipset save f2b-lt)" "the set after the busy try"
	step_ok ban 192.0.2.3
	assert_match "ipset f2b-lt was full: grown to maxelem 4 \(swapped in, 2 bans kept\)" "$notice"
	assert_eq 3 "$(ipset save f2b-lt | grep -c '^add ')" "bans in the grown set"
	step_ok try:ban 192.0.2.4
	assert_eq 4 "$(ipset save f2b-lt | grep -c '^add ')" "a try's ban into the grown set"
	step_ok stop
	assert_eq "" "$(ipset list -n)" "ipset after stop"
}

run_suite "$@"
