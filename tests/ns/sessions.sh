#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/ns/sessions.sh - kill_sessions: a ban ends the banned address's open sessions on the
# jail's ports, with real TCP connections.
#
# Each test: this test's namespace is the server (an echo server on 22 and 8080, sessions.py),
# a second namespace made with `ip netns add` is the client, on a veth pair.  A firewall accepts
# ESTABLISHED,RELATED before the jail's jump (iptables: inserted above the jumps after the
# start, as a firewall reload does; nftables: a base chain of its own), the client holds one
# session on the jail's port 22 and one on 8080, and the jail bans it (the `nfban` command)
# while both clients are paused (SIGSTOP: nothing in flight at the ban):
#   - kill_sessions=jail (the default): the session on 22 gets no more echoes and its
#     connection tracking entry is gone (`conntrack -L`); the one on 8080 keeps echoing and
#     keeps its entry (allports: the jail's are every port, so both end);
#   - kill_sessions=none (stock's behaviour): both keep echoing through the ESTABLISHED accept
#     (an nftables jail stops the session on 22 anyway: an accept ends only its own base
#     chain), and both entries stay.
# multiport on both backends, allports, nftables; IPv4 and IPv6; a network ban (not filtered
# by the kernel); a ban with nothing to delete.
set -euo pipefail
source "$(dirname "$0")/../lib/nstest.sh"

PY=/usr/bin/python3
SESS=$NFBAN_ROOT/tests/ns/sessions.py
SRV4=10.77.0.1 CLI4=10.77.0.2 SRV6=fd77::1 CLI6=fd77::2
CL= PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "$CL" ] && ip netns del "$CL" 2>/dev/null || true
	return 0
}

# pair: the client namespace on a veth, the echo server here.
pair() {
	CL=nfsess-$$
	trap cleanup EXIT
	ip netns add "$CL"
	ip -n "$CL" link set lo up
	ip netns exec "$CL" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip link add s0 type veth peer name c0 netns "$CL"
	ip addr add $SRV4/24 dev s0
	ip addr add $SRV6/64 dev s0 nodad
	ip -n "$CL" addr add $CLI4/24 dev c0
	ip -n "$CL" addr add $CLI6/64 dev c0 nodad
	ip link set s0 up
	ip -n "$CL" link set c0 up
	TMP=$(mktemp -d)
	"$PY" "$SESS" serve 22 8080 >"$TMP/server" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do grep -q ready "$TMP/server" && return 0; sleep 0.1; done
	fail "echo server did not start: $(cat "$TMP/server")"
}

# hold PORT: a session from the client to PORT, its log in $TMP/PORT; returns once it echoes.
# HOLDERS[PORT] is its pid.
declare -A HOLDERS
hold() {
	ip netns exec "$CL" "$PY" "$SESS" hold "$CLI" "$SRV" "$1" >"$TMP/$1" 2>&1 &
	PIDS+=($!) HOLDERS[$1]=$!
	for _ in $(seq 100); do
		[ "$(grep -c '^echo' "$TMP/$1")" -ge 3 ] && return 0
		sleep 0.1
	done
	fail "session to port $1 does not echo: $(cat "$TMP/$1")"
}

# echoes_since PORT LINE: the echoes the session to PORT logged after its line LINE.
echoes_since() { tail -n +"$(($2 + 1))" "$TMP/$1" | grep -c '^echo' || true; }

# ct_entries PORT: the client's TCP entries to PORT in this namespace's conntrack table.
ct_entries() {
	conntrack -L -f "$CTF" -p tcp 2>/dev/null |
		awk -v s="src=$CLI" -v d="dport=$1" '{ n = 0; for (i = 1; i <= NF; i++) { if ($i == s && !n) n = 1; if (n == 1 && $i == d) { print; break } } }' |
		grep -v '^$' || true
}

# firewall KIND: ESTABLISHED,RELATED accepted before the jail (after its start).
firewall() {
	case $1 in
	legacy | nft)
		local cmd=iptables-$1
		[ "$FAM" = 6 ] && cmd=ip6tables-$1
		$cmd -w -I INPUT 1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT ;;
	nftables)
		nft add table inet fw
		nft add chain inet fw input '{ type filter hook input priority -10; }'
		nft add rule inet fw input ct state established,related accept ;;
	esac
}

# scenario PLUGIN BACKEND FAMILY KILL [IP]: the whole story, with its expectations.
scenario() {
	local plugin=$1 backend=$2 kill=$4 ip keys=() fw before22 before80 got22 got80
	FAM=$3
	if [ "$FAM" = 6 ]; then SRV=$SRV6 CLI=$CLI6 CTF=ipv6; else SRV=$SRV4 CLI=$CLI4 CTF=ipv4; fi
	ip=${5:-$CLI}
	pair
	keys=(name=t port=22 protocol=tcp family=inet$FAM)
	fw=nftables
	if [ "$plugin" != nftables ]; then keys+=(backend="$backend") fw=$backend; fi
	[ "$kill" = default ] || keys+=(kill_sessions="$kill")
	nfban "$plugin" start "${keys[@]}"
	firewall "$fw"
	hold 22
	hold 8080
	[ -n "$(ct_entries 22)" ] || fail "no conntrack entry for the session to 22 before the ban"
	# The clients pause over the ban, so that no request and no echo is on its way then: a
	# server's packet sent after the entry is gone makes a new one from its side (README,
	# kill_sessions' limit), which is not what this test measures.  Their kernel still ACKs.
	kill -STOP "${HOLDERS[22]}" "${HOLDERS[8080]}"
	sleep 0.5
	run nfban "$plugin" ban "${keys[@]}" ip="$ip"
	kill -CONT "${HOLDERS[22]}" "${HOLDERS[8080]}"
	assert_status 0 "ban"
	sleep 0.3          # an echo already on its way when the ban came may still arrive
	before22=$(wc -l <"$TMP/22") before80=$(wc -l <"$TMP/8080")
	sleep 1.5
	got22=$(echoes_since 22 "$before22") got80=$(echoes_since 8080 "$before80")
	local end22=1 end80=0 kept22=0 kept80=1
	[ "$kill" = none ] && kept22=1
	[ "$kill" = none ] && [ "$plugin" != nftables ] && end22=0
	if [ "$plugin" = allports ] && [ "$kill" != none ]; then end80=1 kept80=0; fi
	echo "echoes after the ban: 22: $got22, 8080: $got80; stderr: $err"
	if [ $end22 = 1 ]; then [ "$got22" = 0 ] || fail "the session to the jail's port 22 still echoes ($got22)"
	else [ "$got22" -ge 5 ] || fail "the session to 22 stopped ($got22 echoes): $(tail -n 5 "$TMP/22")"; fi
	if [ $end80 = 1 ]; then [ "$got80" = 0 ] || fail "the session to 8080 still echoes ($got80)"
	else [ "$got80" -ge 5 ] || fail "the session to 8080 stopped ($got80 echoes): $(tail -n 5 "$TMP/8080")"; fi
	if [ $kept22 = 1 ]; then [ -n "$(ct_entries 22)" ] || fail "the conntrack entry to 22 is gone"
	else [ -z "$(ct_entries 22)" ] || fail "conntrack still holds: $(ct_entries 22)"; fi
	if [ $kept80 = 1 ]; then [ -n "$(ct_entries 8080)" ] || fail "the conntrack entry to 8080 is gone"
	else [ -z "$(ct_entries 8080)" ] || fail "conntrack still holds: $(ct_entries 8080)"; fi
	# The ban says what it ended, once; kill_sessions=none says nothing.
	if [ $kept22 = 0 ]; then
		assert_match "kill_sessions: [0-9]+ connection tracking entr(y|ies) of $ip deleted" "$err"
	else
		assert_no_match "kill_sessions" "$err"
	fi
	nfban "$plugin" stop "${keys[@]}"
}

test_multiport_legacy_ipv4_jail() { scenario multiport legacy 4 default; }
test_multiport_legacy_ipv4_none() { scenario multiport legacy 4 none; }
test_multiport_legacy_ipv6_jail() { scenario multiport legacy 6 jail; }
test_multiport_nft_ipv4_jail() { scenario multiport nft 4 default; }
test_multiport_nft_ipv6_jail() { scenario multiport nft 6 default; }
test_multiport_nft_ipv6_none() { scenario multiport nft 6 none; }
test_allports_legacy_ipv4_jail() { scenario allports legacy 4 default; }
test_allports_legacy_ipv6_none() { scenario allports legacy 6 none; }
test_allports_nft_ipv6_jail() { scenario allports nft 6 default; }
test_nftables_ipv4_jail() { scenario nftables - 4 default; }
test_nftables_ipv6_jail() { scenario nftables - 6 default; }
test_nftables_ipv4_none() { scenario nftables - 4 none; }
# A network ban: matched here, not by the kernel's filter (it compares whole addresses).
test_multiport_legacy_ipv4_network_jail() { scenario multiport legacy 4 default 10.77.0.0/24; }

# Nothing to delete: the ban succeeds silently, with conntrack on and off in the namespace.
test_nothing_to_delete() {
	run nfban multiport start name=t port=22 backend=legacy
	assert_status 0
	run nfban multiport ban name=t port=22 backend=legacy ip=192.0.2.1
	assert_status 0 "ban without conntrack"
	assert_eq "" "$err" "stderr"
	iptables-legacy -w -I INPUT 1 -m conntrack --ctstate ESTABLISHED -j ACCEPT
	ping -c1 -W1 127.0.0.1 >/dev/null 2>&1 || true     # an entry of someone else
	run nfban multiport ban name=t port=22 backend=legacy ip=192.0.2.2
	assert_status 0 "ban with conntrack, no entry of 192.0.2.2"
	assert_eq "" "$err" "stderr"
	nfban multiport stop name=t port=22 backend=legacy
}

# The distribution's Python loading this build's libnfban (an ASan build's needs its runtime
# loaded first; Python's leaks are not ours).
pylib() {
	local asan
	asan=$(ldd "$NFBAN_PLUGIN_DIR/libnfban.so" | awk '/libasan/ {print $3}')
	env LD_PRELOAD="$asan" ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$PY" "$@"
}

# The .py actions: live bans on a handle with kill_sessions=none, their sessions ended apart
# by the action's SessionEnder (nfban_jail_end_sessions: one walk of the table for every
# address banned since the last).  Two clients (10.77.0.2, .3) hold a session each on 22 and
# the first one on 8080; both are banned back to back, through the action in Debian's Python.
test_py_action_ends_the_sessions_of_live_bans_apart() {
	[ -e /usr/lib/python3/dist-packages/fail2ban ] || skip "Fail2ban's Python package is not installed"
	local cli2=10.77.0.3 before22 before22b before80 got22 got22b got80
	SRV=$SRV4 CLI=$CLI4 CTF=ipv4 FAM=4
	pair
	ip -n "$CL" addr add $cli2/24 dev c0
	nfban nftables start name=t port=22 protocol=tcp family=inet4
	firewall nftables
	hold 22
	hold 8080
	ip netns exec "$CL" "$PY" "$SESS" hold $cli2 "$SRV" 22 >"$TMP/22b" 2>&1 &
	PIDS+=($!) HOLDERS[22b]=$!
	for _ in $(seq 100); do [ "$(grep -c '^echo' "$TMP/22b")" -ge 3 ] && break; sleep 0.1; done
	[ "$(grep -c '^echo' "$TMP/22b")" -ge 3 ] || fail "the second client's session does not echo"
	[ "$(conntrack -L -f ipv4 -p tcp -s $cli2 2>/dev/null | grep -c dport=22)" -ge 1 ] ||
		fail "no conntrack entry for the second client's session"
	kill -STOP "${HOLDERS[22]}" "${HOLDERS[8080]}" "${HOLDERS[22b]}"
	sleep 0.5
	run pylib "$SESS" pyban "$NFBAN_PLUGIN_DIR" nfban-nftables "$CLI4" $cli2 -- port=22 protocol=tcp
	kill -CONT "${HOLDERS[22]}" "${HOLDERS[8080]}" "${HOLDERS[22b]}"
	printf '%s\n' "$out" "$err" | sed 's/^/# /'
	assert_status 0 "pyban"
	sleep 0.3
	before22=$(wc -l <"$TMP/22") before22b=$(wc -l <"$TMP/22b") before80=$(wc -l <"$TMP/8080")
	sleep 1.5
	got22=$(echoes_since 22 "$before22") got22b=$(echoes_since 22b "$before22b")
	got80=$(echoes_since 8080 "$before80")
	[ "$got22" = 0 ] || fail "the first client's session to 22 still echoes ($got22)"
	[ "$got22b" = 0 ] || fail "the second client's session to 22 still echoes ($got22b)"
	[ "$got80" -ge 5 ] || fail "the session to 8080 stopped ($got80 echoes)"
	[ -z "$(ct_entries 22)" ] || fail "conntrack still holds: $(ct_entries 22)"
	[ "$(conntrack -L -f ipv4 -p tcp -s $cli2 2>/dev/null | grep -c dport=22 || true)" = 0 ] ||
		fail "conntrack still holds the second client's entry"
	[ -n "$(ct_entries 8080)" ] || fail "the conntrack entry to 8080 is gone"
	# Both bans' sessions in one or two walks (the thread may wake between the two bans),
	# each saying what it deleted; the bans themselves end none (kill_sessions=none).
	assert_match "^walks [12]$" "$(grep '^walks' <<<"$out")"
	assert_match "kill_sessions: [0-9]+ connection tracking entr(y|ies) of [12] banned address" "$out"
	assert_no_match "entr(y|ies) of 10\.77\.0\.[23] deleted" "$out"
	nfban nftables stop name=t port=22 protocol=tcp family=inet4
}

# Entries put in by conntrack -I: sources 192.0.2.1-3 on port 22, and 192.0.2.1 on 8080.
three_sources() {
	local i
	for i in 1 2 3; do
		conntrack -I -s 192.0.2.$i -d 198.51.100.1 -p tcp --sport 4000$i --dport 22 \
			--state ESTABLISHED -u ASSURED -t 600 >/dev/null 2>&1 || skip "conntrack -I refused"
	done
	conntrack -I -s 192.0.2.1 -d 198.51.100.1 -p tcp --sport 40009 --dport 8080 \
		--state ESTABLISHED -u ASSURED -t 600 >/dev/null 2>&1
}
# After the sessions of 192.0.2.1 and .2 were ended: .3's entry on 22 and .1's on 8080 left.
two_of_three_ended() {
	local out2
	out2=$(conntrack -L -f ipv4 -p tcp 2>/dev/null | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(src|dport)=/) printf "%s ", $i; print ""}' | sort)
	assert_match "src=192\.0\.2\.3 dport=22 " "$out2"
	assert_match "src=192\.0\.2\.1 dport=8080 " "$out2"
	assert_eq 0 "$(grep -c '^src=192\.0\.2\.[12] dport=22 ' <<<"$out2" || true)" "entries of the two on 22 left"
}

# nfban_jail_end_sessions itself: entries of three sources put in by conntrack -I, two of them
# ended in one call, on the jail's port only.
test_end_sessions_of_many_in_one_walk() {
	nfban nftables start name=t port=22 protocol=tcp family=inet4
	nft add table inet fw
	nft add chain inet fw input '{ type filter hook input priority -10; }'
	nft add rule inet fw input ct state established accept
	three_sources
	run pylib "$SESS" end "$NFBAN_PLUGIN_DIR" nftables inet4 192.0.2.1 192.0.2.2 -- name=t port=22 protocol=tcp
	assert_status 0 "end: $out $err"
	assert_match "^0 .*kill_sessions: 2 connection tracking entries of 2 banned addresses deleted" "$out"
	two_of_three_ended
	# Bad input: the address named, nothing done.
	run pylib "$SESS" end "$NFBAN_PLUGIN_DIR" nftables inet4 192.0.2.3 2001:db8::1 -- name=t port=22 protocol=tcp
	assert_match "^2 .*ip='2001:db8::1'" "$out"
	assert_match "src=192.0.2.3 " "$(conntrack -L -f ipv4 -p tcp 2>/dev/null)"
	nft delete table inet fw
	nfban nftables stop name=t port=22 protocol=tcp family=inet4
}

# A group of bans (nfban_jail_ban_many) with kill_sessions=jail ends the sessions of all of them
# in one walk after its commit, on the jail's port only.
test_group_ban_ends_the_sessions_of_its_bans() {
	nfban multiport start name=t port=22 protocol=tcp backend=nft family=inet4
	three_sources
	run "$NFBAN_BUILD/tests/host/steps" -c "bans 192.0.2.1,192.0.2.2" "$NFBAN_PLUGIN_DIR" multiport \
		name=t port=22 protocol=tcp backend=nft
	assert_status 0 "bans: $out $err"
	assert_match "kill_sessions: 2 connection tracking entries of 2 banned addresses deleted" "$out"
	two_of_three_ended
	assert_eq 2 "$(iptables-nft-save -t filter | grep -c -- '-A f2b-t -s 192\.0\.2\.[12]/32 ')" "the group's bans"
	nfban multiport stop name=t port=22 protocol=tcp backend=nft family=inet4
}

test_bad_value() {
	run nfban multiport ban name=t port=22 kill_sessions=all ip=192.0.2.1
	assert_status 2
	assert_eq "nfban: kill_sessions='all': not one of jail|none" "$err"
}

run_suite "$@"
