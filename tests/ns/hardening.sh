#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What sits around the transactions (issue "Hardening"): bans that would lock
# everyone out, IPv4-mapped addresses, a jail-level IPv4 reject type meeting
# IPv6 bans, messages that must stay one printable line with their reason,
# fallback state naming a plugin outside fallback=.  Every assertion is on
# what the kernel holds, and refusals leave it exactly as it was.
source "$(dirname "$0")/../lib/nstest.sh"

# assert_line LINE TEXT [what]: TEXT has LINE, whole.
assert_line() { grep -qxF -- "$1" <<<"$2" || fail "${3:-}: no line '$1' in: $2"; }

kernel_state() {
	ipt_save 4
	ipt_save 6
	nft list ruleset
}

test_bans_that_lock_everyone_out_are_refused() {
	local before ip
	nfban nftables start name=h
	nfban nftables start name=h family=inet6
	nfban multiport start name=h
	before=$(kernel_state)
	for ip in 0.0.0.0/0 ::/0 0.0.0.0 255.255.255.255 224.0.0.1 239.1.2.0/24 127.0.0.1 127.0.0.0/8 \
		::1 :: ff02::1; do
		for plugin in nftables multiport; do
			run nfban $plugin ban name=h ip=$ip
			assert_status 2 "$plugin ban $ip"
			assert_lines "$err"
			assert_match "^nfban: ip='$ip': .*special_addresses=allow" "$err"
		done
	done
	assert_eq "$before" "$(kernel_state)" "kernel after the refused bans"
	# The key says the admin means it.
	run nfban multiport ban name=h ip=0.0.0.0/0 special_addresses=allow
	assert_status 0 "$err"
	assert_line "-A f2b-h -j REJECT --reject-with icmp-port-unreachable" "$(ipt_rules 4)"
	run nfban nftables ban name=h ip=127.0.0.1 special_addresses=allow
	assert_status 0 "$err"
	assert_match "127.0.0.1" "$(nft list set inet f2b-table addr-set-h)"
	run nfban nftables ban name=h ip=127.0.0.2 special_addresses=maybe
	assert_status 2
	assert_match "special_addresses='maybe'" "$err"
}

test_ipv4_mapped_address_is_banned_as_ipv4() {
	nfban multiport start name=m
	nfban multiport start name=m family=inet6
	run nfban multiport ban name=m ip=::ffff:192.0.2.9
	assert_status 0 "$err"
	assert_line "-A f2b-m -s 192.0.2.9/32 -j REJECT --reject-with icmp-port-unreachable" "$(ipt_rules 4)"
	assert_no_match "ffff" "$(ipt_rules 6)"
	run nfban multiport unban name=m ip=::ffff:192.0.2.9
	assert_status 0 "$err"
	assert_no_match "192.0.2.9" "$(ipt_rules 4)"
}

# jail.local's common `blocktype = REJECT --reject-with icmp-host-prohibited`
# reaches IPv6 bans too: they get the IPv6 counterpart, and a notice.
test_ipv4_reject_type_for_ipv6_bans_is_mapped() {
	local b=("blocktype=REJECT --reject-with icmp-host-prohibited")
	run nfban multiport start name=r family=inet6 "${b[@]}"
	assert_status 0 "$err"
	run nfban multiport ban name=r ip=2001:db8::7 "${b[@]}"
	assert_status 0 "$err"
	assert_lines "$err"
	assert_match "icmp-host-prohibited is an IPv4 reject type; IPv6 bans use icmp6-adm-prohibited" "$err"
	assert_line "-A f2b-r -s 2001:db8::7/128 -j REJECT --reject-with icmp6-adm-prohibited" "$(ipt_rules 6)"
	run nfban multiport ban name=r ip=192.0.2.7 "${b[@]}"
	assert_status 1        # inet4 never started: the chain is missing
	nfban multiport start name=r "${b[@]}"
	run nfban multiport ban name=r ip=192.0.2.7 "${b[@]}"
	assert_status 0 "$err"
	assert_eq "" "$err" "no notice for the family the type belongs to"
	assert_line "-A f2b-r -s 192.0.2.7/32 -j REJECT --reject-with icmp-host-prohibited" "$(ipt_rules 4)"
}

test_messages_are_one_line_with_their_reason() {
	local before
	before=$(kernel_state)
	run nfban multiport start name=x "port=ssh
evil"
	assert_status 2
	assert_lines "$err"
	assert_match 'ssh\\x0aevil' "$err"
	run nfban multiport start name=x "port=$(seq -s, 1 10000)"
	assert_status 2
	assert_lines "$err"
	assert_match "more than 1024 ports" "$err"
	run nfban multiport start name=x "protocol=tcp$(printf '\033')[31m"
	assert_status 2
	assert_lines "$err"
	assert_match '\\x1b' "$err"
	assert_eq "$before" "$(kernel_state)" "kernel after the refusals"
}

# Fallback state is a cache, never an authority: one naming a plugin outside
# fallback= is dropped (with a notice), and the jail runs on its own plugin.
test_state_outside_fallback_list_is_ignored() {
	local dir
	dir=$(mktemp -d)
	export NFBAN_STATE_DIR=$dir
	mkdir -p "$dir/$(netns_key)"
	echo allports > "$dir/$(netns_key)/s.inet4"
	run nfban multiport start name=s fallback=nftables
	assert_status 0 "$err"
	assert_match "fallback state 'allports' is not in fallback=; ignored" "$err"
	assert_line "-A INPUT -p tcp -m multiport --dports 22 -j f2b-s" "$(ipt_rules 4)"
	assert_eq "" "$(ls "$dir")" "state dropped"
	nfban multiport stop name=s
	rm -rf "$dir"
}

# Only a missing kernel feature moves a jail: a multiport jail whose chain was
# deleted by hand fails its ban, and does not move to a leftover nftables jail.
test_an_error_never_moves_a_jail() {
	local dir
	dir=$(mktemp -d)
	export NFBAN_STATE_DIR=$dir
	nfban nftables start name=sshd
	nfban multiport start name=sshd
	iptables-legacy -w -F
	iptables-legacy -w -X
	run nfban multiport ban name=sshd ip=192.0.2.1
	assert_status 1
	assert_lines "$err"
	assert_no_match "continuing there" "$err"
	assert_eq "" "$(find "$dir" -type f)" "no fallback state"
	assert_no_match "192.0.2.1" "$(nft list ruleset)"
	run nfban multiport start name=sshd
	assert_status 0 "$err"
	assert_line "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd" "$(ipt_rules 4)"
	nfban multiport stop name=sshd
	nfban nftables stop name=sshd
	rm -rf "$dir"
}

# A stale state file (naming nftables for a jail the kernel holds in
# iptables) neither misroutes a ban nor lets stop leave the jail behind.
test_stale_state_neither_misroutes_nor_strands() {
	local dir s
	dir=$(mktemp -d)
	export NFBAN_STATE_DIR=$dir
	s="$dir/$(netns_key)"
	nfban multiport start name=sshd
	mkdir -p "$s"
	echo nftables >"$s/sshd.inet4"
	run nfban multiport ban name=sshd ip=192.0.2.1
	assert_status 0 "$err"
	assert_match "does not match the kernel; ignored" "$err"
	assert_line "-A f2b-sshd -s 192.0.2.1/32 -j REJECT --reject-with icmp-port-unreachable" "$(ipt_rules 4)"
	assert_eq "" "$(find "$dir" -type f)" "stale state dropped"
	# stop removes the jail wherever the kernel holds it, state or no state.
	mkdir -p "$s"
	echo nftables >"$s/sshd.inet4"
	run nfban multiport stop name=sshd
	assert_status 0 "$err"
	assert_eq "" "$(ipt_rules 4)" "iptables after stop"
	assert_eq "" "$(nft list ruleset)" "nft after stop"
	assert_eq "" "$(find "$dir" -type f)" "state after stop"
	rm -rf "$dir"
}

# A state naming a plugin that cannot be loaded is dropped, not obeyed.
test_state_naming_an_unloadable_plugin_is_dropped() {
	local dir s
	dir=$(mktemp -d)
	export NFBAN_STATE_DIR=$dir
	s="$dir/$(netns_key)"
	mkdir -p "$s"
	echo nosuch >"$s/sshd.inet4"
	run nfban multiport start name=sshd fallback=nosuch,nftables
	assert_status 0 "$err"
	assert_match "fallback state 'nosuch' cannot be used" "$err"
	assert_line "-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd" "$(ipt_rules 4)"
	assert_eq "" "$(find "$dir" -type f)" "state dropped"
	nfban multiport stop name=sshd fallback=nosuch,nftables
	rm -rf "$dir"
}

# The xtables lock is waited for lock_wait= seconds, then the ban fails with
# one line naming the lock file and who holds it; the kernel is untouched.
test_xtables_lock_wait_is_bounded() {
	local lock before t0 holder
	lock=$(mktemp)
	export XTABLES_LOCKFILE=$lock
	nfban multiport start name=l
	before=$(kernel_state)
	flock -x -o "$lock" sleep 10 &
	holder=$!
	sleep 0.3
	t0=$(date +%s%N)
	run nfban multiport ban name=l ip=192.0.2.1 lock_wait=1
	assert_status 1
	assert_lines "$err"
	assert_match "the xtables lock $lock is still held by pid [0-9]+ \\(flock\\) after 1 s" "$err"
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ] || fail "waited more than 3 s"
	assert_eq "$before" "$(kernel_state)" "kernel after the timeout"
	run nfban multiport ban name=l ip=192.0.2.1 lock_wait=x
	assert_status 2
	assert_match "lock_wait='x'" "$err"
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	run nfban multiport ban name=l ip=192.0.2.1 lock_wait=1
	assert_status 0 "$err"
	nfban multiport stop name=l
	rm -f "$lock"
}

# The state directory is trusted only as far as it deserves: a base another
# user could write into, or a symlinked namespace directory, is not used; a
# file longer than a plugin name is not read as one; temporary files of a
# killed writer go.  The fallback itself still happens (the kernel decides).
test_state_directory_is_vetted() {
	local fake="$NFBAN_BUILD/tests/fakekernel.so" dir ns
	on_no_multiport() {
		LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=no-multiport \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$NFBAN_BIN" "$@"
	}
	ns=$(netns_key)
	dir=$(mktemp -d)
	chmod 0777 "$dir"
	export NFBAN_STATE_DIR=$dir
	run on_no_multiport multiport start name=v
	assert_status 0 "$err"
	assert_match "perport takes over" "$err"
	assert_match "cannot record fallback to perport under $dir: Operation not permitted" "$err"
	assert_eq "" "$(find "$dir" -mindepth 1)" "nothing written into a world-writable base"
	on_no_multiport multiport stop name=v
	# Read: no file at the state's path is no state, without a word; a file under a base
	# another user could write into is not read.
	run nfban multiport start name=v
	assert_status 0 "$err"
	assert_eq "" "$err" "no state file: nothing to say"
	mkdir -m 0700 "$dir/$ns"
	echo perport >"$dir/$ns/v.inet4"
	run nfban multiport ban name=v ip=192.0.2.1
	assert_status 0 "$err"
	assert_match "fallback state under $dir ignored: Operation not permitted" "$err"
	assert_eq 1 "$(ipt_rules | grep -c -- '-A f2b-v -s 192.0.2.1/32')" "the ban on multiport's own chain"
	nfban multiport stop name=v
	rm -rf "${dir:?}/$ns"
	chmod 0700 "$dir"
	# A symlinked namespace directory is not followed.
	mkdir "$dir/elsewhere"
	ln -s "$dir/elsewhere" "$dir/$ns"
	run on_no_multiport multiport start name=v
	assert_status 0 "$err"
	assert_match "cannot record fallback" "$err"
	assert_eq "" "$(ls "$dir/elsewhere")" "nothing written through the symlink"
	on_no_multiport multiport stop name=v
	rm "$dir/$ns"
	# An over-long state file is not a plugin name cut short.
	mkdir -m 0700 "$dir/$ns"
	printf 'perport%040d\n' 0 >"$dir/$ns/v.inet4"
	run nfban multiport start name=v
	assert_status 0 "$err"
	assert_match "fallback state under $dir ignored: Invalid argument" "$err"
	nfban multiport stop name=v
	rm -f "$dir/$ns/v.inet4"
	# A killed writer's temporary file goes with the next write.
	: >"$dir/$ns/w.inet4.999999.tmp"
	run on_no_multiport multiport start name=v
	assert_status 0 "$err"
	assert_eq "v.inet4" "$(ls "$dir/$ns" | grep -v '\.announced$')" "state dir after the next write"
	on_no_multiport multiport stop name=v
	rm -rf "$dir"
}

# The state of a network namespace is kept under its cookie (SO_NETNS_COOKIE),
# which the kernel never gives another namespace until reboot: a namespace
# that died without stopping its jails leaves its state behind, and the
# next namespace - often given the dead one's inode again - must not take
# it for its own.  nfban doctor reads the state under the same name.
test_state_is_keyed_by_the_namespace_cookie() {
	local fake="$NFBAN_BUILD/tests/fakekernel.so" dir key ino old k
	local preload=(env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=no-multiport
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0")
	dir=$(mktemp -d)
	export NFBAN_STATE_DIR=$dir
	key=$(netns_key)
	assert_match "^cookie-[0-9]+$" "$key"
	run "${preload[@]}" "$NFBAN_BIN" multiport start name=k
	assert_status 0 "$err"
	assert_match "perport takes over" "$err"
	assert_eq "$key" "$(ls "$dir")" "the namespace's state directory"
	assert_eq "perport" "$(cat "$dir/$key/k.inet4")"
	run nfban doctor --json --no-probe --no-fail2ban name=k
	assert_match '"check": ?"jail.fallback", [^}]*"rule": ?"'"$dir/$key/k.inet4"'"' "$out" "doctor --json"
	"${preload[@]}" "$NFBAN_BIN" multiport stop name=k
	assert_eq "" "$(ls "$dir")" "state after stop"
	# A state kept under the namespace's inode (as before) is not read.
	ino=$(stat -L -c %i /proc/self/ns/net)
	mkdir -m 0700 "$dir/$ino"
	echo perport >"$dir/$ino/k.inet4"
	run nfban multiport start name=k
	assert_status 0 "$err"
	assert_eq "" "$err" "no notice of a fallback state"
	assert_eq "perport" "$(cat "$dir/$ino/k.inet4")" "the inode-keyed file untouched"
	nfban multiport stop name=k
	rm -rf "${dir:?}/$ino"
	# A namespace falls back, and dies with its jail started.
	old=$(unshare -n bash -c '"$@" multiport start name=d 2>/dev/null &&
		stat -L -c %i /proc/self/ns/net' _ "${preload[@]}" "$NFBAN_BIN")
	[ -n "$old" ] || fail "the first namespace's start failed"
	[ "$(find "$dir" -name d.inet4 | wc -l)" = 1 ] || fail "no state of the dead namespace: $(find "$dir")"
	# A new namespace with the same inode (the kernel reuses them; other
	# namespaces made meanwhile may take it first: a few tries).
	for k in $(seq 1 40); do
		run unshare -n bash -c '[ "$(stat -L -c %i /proc/self/ns/net)" = "$1" ] || exit 3
			"$2" multiport start name=d' _ "$old" "$NFBAN_BIN"
		[ "$status" -ne 3 ] && break
	done
	[ "$status" -ne 3 ] || skip "no new namespace got inode $old again in 40 tries"
	assert_status 0 "$err"
	assert_eq "" "$err" "the new namespace saw no fallback state"
	[ "$(find "$dir" -name d.inet4 | wc -l)" = 1 ] || fail "the dead namespace's state was touched"
	rm -rf "$dir"
}

# Plugins, the doctor and the fallback state are trusted only when nobody but
# root can change them: the directory and every directory above it up to /
# (as sudo and OpenSSH check theirs).  A sticky directory anyone may write
# (/tmp: 1777 root) is fine above a directory of root's, which the sticky bit
# keeps anyone else from swapping.  Each refusal is one line naming the
# directory at fault, and nothing reaches the kernel.
test_every_directory_above_the_plugins_is_vetted() {
	local top p fake="$NFBAN_BUILD/tests/fakekernel.so"
	top=$(mktemp -d)
	p=$top/p
	mkdir -m 0755 "$p" "$p/plugins"
	cp -a "$NFBAN_PLUGIN_DIR/." "$p/plugins/"
	chmod 0755 "$p/plugins"
	refused() { # OWNER MODE: $p so is refused, for a plugin and for the doctor
		chown "$1" "$p"
		chmod "$2" "$p"
		run nfban --plugin-dir "$p/plugins" multiport start name=v
		assert_status 1 "plugin under $p ($1, $2)"
		assert_lines "$err"
		assert_match "^nfban: action 'multiport': plugin directory $p/plugins: $p is not owned and only writable by root \\(owner uid $1, mode 0?$2\\)$" "$err"
		run nfban --plugin-dir "$p/plugins" doctor --no-probe --no-fail2ban
		assert_status 1 "doctor under $p ($1, $2)"
		assert_lines "$err"
		assert_match "^nfban: doctor: plugin directory $p/plugins: $p is not owned and only writable by root" "$err"
	}
	refused 65534 777       # another user's, open to all
	refused 65534 755       # another user's: theirs to rename and replace
	refused 0 775           # root's, but its group may write
	refused 0 777
	assert_eq "" "$(ipt_rules 4)" "nothing reached the kernel"
	# Sticky and root's, as /tmp: plugins and doctor are accepted.
	chown 0 "$p"
	chmod 1777 "$p"
	run nfban --plugin-dir "$p/plugins" multiport start name=v
	assert_status 0 "$err"
	assert_line "-A INPUT -p tcp -m multiport --dports 22 -j f2b-v" "$(ipt_rules 4)"
	run nfban --plugin-dir "$p/plugins" doctor --no-probe --no-fail2ban name=v
	assert_status 0 "$err"
	nfban --plugin-dir "$p/plugins" multiport stop name=v
	# ... but not as the plugin directory itself: anyone could add a plugin.
	chmod 1777 "$p/plugins"
	run nfban --plugin-dir "$p/plugins" multiport start name=v
	assert_status 1
	assert_match "plugin directory $p/plugins: $p/plugins is not owned and only writable by root" "$err"
	chmod 0755 "$p/plugins"
	# ... nor above a directory of another user's, which that user can swap.
	mkdir -m 0755 "$p/u"
	mv "$p/plugins" "$p/u/"
	chown 65534 "$p/u"
	run nfban --plugin-dir "$p/u/plugins" multiport start name=v
	assert_status 1
	assert_match "plugin directory $p/u/plugins: $p/u is not owned and only writable by root \\(owner uid 65534, mode 0755\\)" "$err"
	# The fallback state's base directory is vetted the same way: under a
	# directory open to all, no state is written (the fallback still happens).
	chown 65534 "$p"
	chmod 0777 "$p"
	mkdir -m 0700 "$p/state"
	run env NFBAN_STATE_DIR="$p/state" LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=no-multiport \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$NFBAN_BIN" multiport start name=v
	assert_status 0 "$err"
	assert_match "perport takes over" "$err"
	assert_match "cannot record fallback to perport under $p/state: Operation not permitted" "$err"
	assert_eq "" "$(ls "$p/state")" "nothing written under a directory open to all"
	nfban multiport stop name=v
	rm -rf "$top"
}

# A ban that meets the fallback first (the jail never started: Fail2ban's
# actionstart_on_demand, or state lost) starts the fallback and bans in one
# kernel transaction: a kill, or a refusal, in between cannot leave the jail
# started and the address unbanned.  The fake kernel lacks the legacy tables
# (multiport and perport cannot work: nftables takes over) and refuses any
# change holding 192.0.2.66 - the element, the last message of the batch.
test_a_ban_meeting_the_fallback_is_one_kernel_change() {
	local fake="$NFBAN_BUILD/tests/fakekernel.so" dir want
	[ "$NFBAN_IPT_BACKEND" = legacy ] || skip "the fault (no-legacy) is legacy-only"
	dir=$(mktemp -d)
	export NFBAN_STATE_DIR=$dir
	on_fake() {
		LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=$1 NFBAN_FAKE_BAN=192.0.2.66 \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$NFBAN_BIN" "${@:2}"
	}
	run on_fake no-legacy,refuse-ban multiport ban name=sshd port=ssh,http ip=192.0.2.66
	assert_status 1
	assert_lines "$err"
	assert_match "nftables: jail sshd \\(inet4\\): start\\+ban 192.0.2.66: add element to set inet f2b-table addr-set-sshd: Invalid argument" "$err"
	assert_eq "" "$(nft list ruleset)" "nothing of the jail in nf_tables"
	assert_eq "" "$(ipt_rules 4)" "nor in iptables"
	assert_eq "" "$(find "$dir" -type f)" "no fallback state"
	# The same ban of another address: the jail and its ban, as stock
	# nftables-multiport's start and ban leave them.
	run on_fake no-legacy,refuse-ban multiport ban name=sshd port=ssh,http ip=192.0.2.8
	assert_status 0 "$err"
	assert_match "nftables takes over" "$err"
	want=$(in_fresh_ns bash -c "set -e; $(declare -f nft_json)
		nft add table inet f2b-table
		nft -- add chain inet f2b-table f2b-chain '{ type filter hook input priority -1; }'
		nft add set inet f2b-table addr-set-sshd '{ type ipv4_addr; }'
		nft add rule inet f2b-table f2b-chain tcp dport '{ ssh, http }' ip saddr @addr-set-sshd reject
		nft add element inet f2b-table addr-set-sshd '{ 192.0.2.8 }'
		nft_json")
	assert_eq "$want" "$(nft_json)" "nft after the fallback's start+ban, against stock's start and ban"
	assert_eq "nftables" "$(cat "$dir/$(netns_key)/sshd.inet4")" "fallback state"
	# A later ban the kernel refuses changes nothing either.
	want=$(nft_json)
	run on_fake no-legacy,refuse-ban multiport ban name=sshd port=ssh,http ip=192.0.2.66
	assert_status 1
	assert_eq "$want" "$(nft_json)" "nft after a refused ban"
	on_fake no-legacy multiport stop name=sshd port=ssh,http
	assert_eq "" "$(nft list ruleset)" "nft after stop"
	rm -rf "$dir"
}

run_suite "$@"
