#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/fail2ban.sh - Debian's Fail2ban, for real, with this repo's action files.
#
# One scenario per action (multiport, allports with DROP, perport, nftables, nftables-allports)
# and per fallback (multiport on a kernel without the multiport match, and without legacy
# iptables, faked by build/tests/fakekernel.so).  Each scenario gets a fresh server and attacker
# namespace pair on a veth (see lib.bash) and its own Fail2ban, with one sshd jail
# (port = ssh,2200, maxretry = 2) watching a generated auth.log, and checks:
#   1. `fail2ban-client -t` accepts the config;
#   2. the jail starts and the kernel is unchanged until the first ban (actions start on demand);
#   3. before any ban, every attacker address connects to 22, 2200 and 8080, IPv4 and IPv6;
#   4. failed logins from two IPv4 and two IPv6 addresses: Fail2ban bans exactly those four
#      (`fail2ban-client status`), and the kernel holds exactly those bans and the jumps;
#   5. IPv4 traffic: the banned addresses are refused (or time out: DROP) on 22 and 2200, and
#      still connect to 8080 (except allports); the third address connects everywhere;
#   6. the same for IPv6;
#   7. `fail2ban-client set sshd unbanip` of one address per family restores its access, and
#      only that: the kernel and the status keep the other bans;
#   8. `fail2ban-client stop` leaves every netfilter table exactly as it was before Fail2ban
#      started ($IPT-save, $IP6T-save, nft list ruleset, in full; iptables-legacy or,
#      with NFBAN_IPT_BACKEND=nft, iptables-nft: the backend nfban's backend=auto follows);
#   9. a restart of Fail2ban with a file database restores every ban that is left (status and
#      kernel), and the stop after it leaves every netfilter table as before;
#  10. Fail2ban logged no error, and ran each nfban command as one argv element per key.
# Every scenario runs twice: with the .conf action (banaction = nfban-multiport: the shim, one
# process per operation) and with the in-process .py action of the same name
# (banaction = nfban-multiport.py: libnfban in Fail2ban's process, which must run no command
# at all; both families must go through start, ban, unban, flush and stop, as its debug log
# says; the fallbacks run the whole server under the fake kernel, and are announced at WARNING).
# Before any scenario, `fail2ban-client -t` and -d on a config using all five files (and an
# `nfban = ...` override); after them, a jail with actionstart_on_demand = false (both families
# start with the jail and stop with it), and Fail2ban's repair through actioncheck when the
# jail's rules are deleted by hand (multiport, nftables).
#
# Environment: NFBAN_BUILD (default build/) is the build under test: the action files are
# installed into each config with @SBINDIR@ replaced by it, as `make install` does, and
# Fail2ban gets NFBAN_PLUGIN_DIR=$NFBAN_BUILD/plugins.  NFBAN_E2E_STOCK=1 runs the same
# scenarios with Fail2ban's stock actions instead (iptables-multiport, iptables-allports,
# nftables, nftables-allports; the others are skipped): a check of the harness itself.
# NFBAN_E2E_FILTER=regex runs only the scenarios whose name matches (the .py ones are named
# NAME.py: e.g. 'multiport' runs both, '^multiport$' the .conf one).  NFBAN_E2E_MODES="conf py"
# (default) says which kinds of action file run.
set -uo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

JAIL=sshd
PORTS=(22 2200 8080)        # the jail protects 22 and 2200; 8080 is outside it
STOCK=${NFBAN_E2E_STOCK:-0}
MODES=${NFBAN_E2E_MODES:-conf py}
[ "$STOCK" = 1 ] && MODES=conf
MODE=conf

# ------------------------------------------------------------------ expectations

# expect_probes FAMILY BANNED... : the probe lines expected from every attacker address of
# FAMILY (4|6) to every port, when BANNED addresses are banned.  Uses SC_BLOCK / SC_BLOCK6
# (refused or timeout) and SC_ALLPORTS.
expect_probes() {
	local fam=$1 src port res dst srcs
	shift
	if [ "$fam" = 4 ]; then dst=$E2E_SRV_V4 srcs=("${E2E_BAD4[@]}" "$E2E_GOOD4")
	else dst=$E2E_SRV_V6 srcs=("${E2E_BAD6[@]}" "$E2E_GOOD6"); fi
	for src in "${srcs[@]}"; do
		for port in "${PORTS[@]}"; do
			res=ok
			if [[ " $* " == *" $src "* ]] && { [ "$SC_ALLPORTS" = 1 ] || [ "$port" != 8080 ]; }; then
				res=$SC_BLOCK
				[ "$fam" = 6 ] && res=$SC_BLOCK6
			fi
			echo "$src $dst $port $res"
		done
	done
}
# probe_specs FAMILY: the probe arguments matching expect_probes' lines.
probe_specs() {
	local fam=$1 src port dst srcs
	if [ "$fam" = 4 ]; then dst=$E2E_SRV_V4 srcs=("${E2E_BAD4[@]}" "$E2E_GOOD4")
	else dst=$E2E_SRV_V6 srcs=("${E2E_BAD6[@]}" "$E2E_GOOD6"); fi
	for src in "${srcs[@]}"; do
		for port in "${PORTS[@]}"; do echo "$src,$dst,$port"; done
	done
}
# check_traffic FAMILY BANNED...: probe and compare.  The timeout is above TCP's first SYN
# retransmission (1 s): on a veth the ICMP error of a REJECT can arrive while connect() still
# holds the socket, and then only the retransmitted SYN's error ends the connect.
check_traffic() {
	local fam=$1 want got
	shift
	want=$(expect_probes "$fam" "$@")
	# shellcheck disable=SC2046
	got=$(e2e_probe --timeout 2.5 $(probe_specs "$fam")) || return 1
	[ "$want" == "$got" ] && return 0
	echo "connections differ from what the bans allow (- expected, + got):"
	diff -u <(echo "$want") <(echo "$got") | tail -n +3
	return 1
}

# check_status BANNED...: `fail2ban-client status` lists exactly BANNED.
check_status() {
	local want got
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(f2b_banned "$JAIL")
	[ "$want" == "$got" ] && return 0
	echo "fail2ban-client status $JAIL lists:"; echo "$got"; echo "expected:"; echo "$want"
	return 1
}

# kernel_bans FAMILY: the bans the kernel holds for the jail, in the form ipt_bans prints.
kernel_bans() {
	if [ "$SC_KIND" = nft ]; then
		local set=addr-set-$JAIL
		[ "$1" = 6 ] && set=addr6-set-$JAIL
		nft_bans inet f2b-table "$set" | sed -E "/\//! s|$|/$([ "$1" = 6 ] && echo 128 || echo 32)|"
	else
		ipt_bans "$1" "$JAIL"
	fi
}
# check_kernel_bans "BAN4..." "BAN6..." [FAMILIES]: exactly these bans, and the jail's jumps /
# rules, in each of FAMILIES (default "4 6": the families started).
check_kernel_bans() {
	local fam want got rc=0 bans
	for fam in ${3:-4 6}; do
		if [ "$fam" = 4 ]; then bans=$1; else bans=$2; fi
		want=$(for a in $bans; do echo "$a/$([ "$fam" = 6 ] && echo 128 || echo 32)"; done | sort)
		got=$(kernel_bans "$fam")
		if [ "$want" != "$got" ]; then
			echo "IPv$fam bans in the kernel:"; echo "${got:-(none)}"; echo "expected:"; echo "${want:-(none)}"
			rc=1
		fi
		if [ "$SC_KIND" = ipt ]; then
			want=$(printf '%s\n' "${SC_JUMPS[@]}" | sort)
			got=$(ipt_jumps "$fam" "$JAIL")
			if [ "$want" != "$got" ]; then
				echo "IPv$fam jumps to f2b-$JAIL:"; echo "${got:-(none)}"; echo "expected:"; echo "$want"
				rc=1
			fi
		else
			got=$(in_srv nft list chain inet f2b-table f2b-chain 2>&1)
			local set=addr-set-$JAIL sa=ip
			[ "$fam" = 6 ] && set=addr6-set-$JAIL sa=ip6
			# Exactly one rule uses the family's set, and it is the jail's.
			if [ "$(grep -c "@$set " <<<"$got")" != 1 ] ||
				! grep -qF "$SC_NFT_MATCH $sa saddr @$set reject" <<<"$got"; then
				echo "expected one rule '$SC_NFT_MATCH $sa saddr @$set reject...' in chain f2b-chain:"
				echo "$got"
				rc=1
			fi
		fi
	done
	[ $rc -eq 0 ] || { echo "## kernel:"; kernel_state; }
	return $rc
}

# check_log: no ERROR or CRITICAL in Fail2ban's log.
check_log() {
	! grep -E ' (ERROR|CRITICAL) ' "$WORK/fail2ban.log" || return 1
}

# check_argv: every nfban command Fail2ban ran (its TRACEDEBUG log shows each exactly as the
# shell got it) hands the shim one argv element per key, as POSIX shell word splitting (shlex)
# makes of it: only known keys, each once, blocktype whole, family= on every call and matching
# ip=; and both families went through start, ban, unban, flush and stop.
check_argv() {
	[ "$STOCK" = 1 ] && return 0
	[ "$MODE" = py ] && { check_inprocess; return; }
	sed -n 's/.* -- exec: //p' "$WORK/fail2ban.log" |
		"$E2E_PY" -c "$CHECK_ARGV_PY" "$NFBAN_BUILD/nfban" "$SC_BLOCKTYPE_ARG" "$SC_BLOCKTYPE6_ARG"
}
CHECK_ARGV_PY='
import shlex, sys
shim, bt4, bt6 = sys.argv[1:4]
keys = {"name", "chain", "port", "protocol", "blocktype", "returntype", "backend", "lock_wait", "fallback", "kill_sessions", "family",
        "ip", "type", "table", "table_family", "chain_type", "chain_hook", "chain_priority"}
seen, n, bad = set(), 0, []
for line in sys.stdin:
    line = line.rstrip("\n")
    words = shlex.split(line)
    if shim not in words:
        continue
    i = words.index(shim)
    plugin, op, args = words[i + 1], words[i + 2], words[i + 3:]
    n += 1
    kv = {}
    for a in args:
        k, eq, v = a.partition("=")
        if not eq or k not in keys or k in kv:
            bad.append("argument %r in: %s" % (a, line))
        kv[k] = v
    fam = kv.get("family")
    if fam not in ("inet4", "inet6"):
        bad.append("no family= in: " + line)
        continue
    if "ip" in kv and (":" in kv["ip"]) != (fam == "inet6"):
        bad.append("ip= and family= disagree in: " + line)
    want = bt6 if fam == "inet6" else bt4
    if kv.get("blocktype") != want:
        bad.append("blocktype=%r, expected %r, in: %s" % (kv.get("blocktype"), want, line))
    seen.add((op, fam))
for op in ("start", "ban", "unban", "flush", "stop"):
    for fam in ("inet4", "inet6"):
        if (op, fam) not in seen:
            bad.append("no %s with family=%s was run" % (op, fam))
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("%d nfban commands checked" % n)
'

# check_inprocess: the .py action ran no command (Fail2ban's TRACEDEBUG log shows every one),
# and its debug log shows start, ban, unban, flush and stop for both families (start+ban, a
# family's first ban, counts as both).
check_inprocess() {
	local execs
	execs=$(grep -F -- ' -- exec: ' "$WORK/fail2ban.log")
	[ -z "$execs" ] || { echo "Fail2ban ran commands:"; echo "$execs"; return 1; }
	"$E2E_PY" -c '
import re, sys
seen = set()
for line in open(sys.argv[1]):
    m = re.search(r"fail2ban\.nfban .* nfban-[a-z-]+\.py: ([\w+]+) (inet[46])\b", line)
    if m:
        # start+ban: the first ban of a family, started in the same transaction.
        for op in m.group(1).split("+"):
            seen.add((op, m.group(2)))
bad = ["no %s with family=%s was run" % (op, fam) for op in ("start", "ban", "unban", "flush", "stop")
       for fam in ("inet4", "inet6") if (op, fam) not in seen]
if bad:
    sys.exit("\n".join(bad))
print("%d operation/family pairs in-process, no command" % len(seen))' "$WORK/fail2ban.log"
}

# ------------------------------------------------------------------ scenarios

# Each scenario sets:
#   SC        name in the TAP lines
#   SC_BAN    banaction (the name a user writes in jail.local)
#   SC_ACTION the jail's action line, when %(action_)s is not enough
#   SC_NEEDS  plugins the scenario needs in $NFBAN_BUILD/plugins (skipped without them)
#   SC_KIND   ipt or nft: where the bans live
#   SC_JUMPS  (ipt) the jumps to f2b-sshd, as iptables-{legacy,nft}-save print them
#   SC_NFT_MATCH (nft) the match before `ip saddr @addr-set-sshd` in the jail's rule
#   SC_BLOCK, SC_BLOCK6  what a banned connection gets: refused (REJECT) or timeout (DROP)
#   SC_ALLPORTS 1 when a ban closes every port
#   SC_BLOCKTYPE_ARG, SC_BLOCKTYPE6_ARG  the blocktype= nfban must get as one argument, per family
#   SC_PRESTART a function run after the config is written, before Fail2ban starts
#   SC_TAKEOVER the plugin a fallback must hand the jail to
#   SC_ENV    extra environment for the server (VAR=value ...)
#   SC_SKIP   a reason to skip the scenario
#   SC_FAULT  (fallback scenarios) what the fake kernel lacks: .conf runs the shim under it
#             through SC_PRESTART, .py the whole server (SC_ENV)
sc_reset() {
	SC='' SC_BAN='' SC_ACTION='' SC_NEEDS='' SC_KIND=ipt SC_JUMPS=() SC_BLOCK=refused SC_BLOCK6=refused
	SC_ALLPORTS=0 SC_TAKEOVER='' SC_NFT_MATCH='tcp dport { 22, 2200 }'
	SC_BLOCKTYPE_ARG="REJECT --reject-with icmp-port-unreachable"
	SC_BLOCKTYPE6_ARG="REJECT --reject-with icmp6-port-unreachable" SC_PRESTART=: SC_ENV=() SC_SKIP=
	SC_FAULT=
}
JUMPS_MULTIPORT=("-A INPUT -p tcp -m multiport --dports 22,2200 -j f2b-$JAIL")
JUMPS_PERPORT=("-A INPUT -p tcp -m tcp --dport 22 -j f2b-$JAIL" "-A INPUT -p tcp -m tcp --dport 2200 -j f2b-$JAIL")
JUMPS_ALLPORTS=("-A INPUT -p tcp -j f2b-$JAIL")

FAKEKERNEL=$NFBAN_BUILD/tests/fakekernel.so
# fallback_local FAULT: the shim runs under the fake kernel, through the action file's own
# override: `[Init] nfban = ...` in action.d/nfban-multiport.local, as a user would write it.
fallback_local() {
	cat >"$WORK/conf/action.d/nfban-multiport.local" <<-EOF
	[Init]
	nfban = env LD_PRELOAD=$FAKEKERNEL NFBAN_FAKE_KERNEL=$1 $NFBAN_BUILD/nfban
	EOF
}
prestart_no_multiport() { fallback_local no-multiport; }
prestart_no_legacy() { fallback_local no-legacy; }

scenario() { # name
	sc_reset
	SC=$1
	case "$1" in
	multiport)
		SC_BAN=nfban-multiport SC_NEEDS=multiport SC_JUMPS=("${JUMPS_MULTIPORT[@]}") ;;
	allports-drop)
		SC_BAN=nfban-allports SC_NEEDS=allports SC_JUMPS=("${JUMPS_ALLPORTS[@]}")
		SC_ACTION='%(banaction)s[port="%(port)s", protocol="%(protocol)s", chain="%(chain)s", blocktype=DROP]'
		SC_BLOCK=timeout SC_BLOCK6=timeout SC_ALLPORTS=1 SC_BLOCKTYPE_ARG=DROP SC_BLOCKTYPE6_ARG=DROP ;;
	perport)
		SC_BAN=nfban-perport SC_NEEDS=perport SC_JUMPS=("${JUMPS_PERPORT[@]}") ;;
	nftables)
		SC_BAN=nfban-nftables SC_NEEDS=nftables SC_KIND=nft SC_BLOCKTYPE_ARG=reject SC_BLOCKTYPE6_ARG=reject ;;
	nftables-allports)
		SC_BAN=nfban-nftables-allports SC_NEEDS=nftables SC_KIND=nft SC_ALLPORTS=1 SC_NFT_MATCH='meta l4proto tcp'
		SC_BLOCKTYPE_ARG=reject SC_BLOCKTYPE6_ARG=reject ;;
	fallback-no-multiport)
		# The kernel refuses every table holding a multiport match: the jail runs on perport.
		SC_BAN=nfban-multiport SC_NEEDS="multiport perport" SC_JUMPS=("${JUMPS_PERPORT[@]}")
		SC_PRESTART=prestart_no_multiport SC_TAKEOVER=perport SC_FAULT=no-multiport ;;
	fallback-no-legacy)
		# No legacy iptables at all: the jail runs on nftables.
		SC_BAN=nfban-multiport SC_NEEDS="multiport perport nftables" SC_KIND=nft
		SC_PRESTART=prestart_no_legacy SC_TAKEOVER=nftables SC_FAULT=no-legacy ;;
	esac
	# Without legacy tables, the nft backend has nothing to fall back from.
	[ "$SC" = fallback-no-legacy ] && [ "$NFBAN_IPT_BACKEND" = nft ] &&
		SC_SKIP="no-legacy is a legacy-backend fault"
	if [ "$MODE" = py ]; then
		SC=$SC.py SC_BAN=$SC_BAN.py
		if [ -n "$SC_FAULT" ]; then
			SC_PRESTART=: SC_ENV=(LD_PRELOAD="$FAKEKERNEL" NFBAN_FAKE_KERNEL="$SC_FAULT")
		fi
	fi
	case "$SC" in fallback-*)
		[ -e "$FAKEKERNEL" ] || SC_SKIP="fake kernel $FAKEKERNEL not built (make B=$NFBAN_BUILD $FAKEKERNEL)" ;;
	esac
	if [ "$STOCK" = 1 ]; then
		case "$SC_BAN" in
		nfban-multiport) SC_BAN=iptables-multiport ;;
		nfban-allports) SC_BAN=iptables-allports ;;
		nfban-nftables) SC_BAN=nftables ;;
		nfban-nftables-allports) SC_BAN=nftables-allports ;;
		esac
		case "$SC" in perport | fallback-*) SC_SKIP="no stock action to compare with" ;; esac
		# Stock iptables.conf sets blocktype in [Init?family=inet6], and that conditional value
		# wins over the jail's blocktype=DROP for every IPv6 ban (fail2ban issue #2278).
		[ "$SC" = allports-drop ] && SC_BLOCK6=refused
		SC_NEEDS=
	fi
	local p
	for p in $SC_NEEDS; do
		[ -n "$SC_SKIP" ] || [ -e "$NFBAN_BUILD/plugins/$p.so" ] ||
			SC_SKIP="plugin $p not built ($NFBAN_BUILD/plugins/$p.so missing)"
	done
}

run_scenario() {
	scenario "$1"
	if [ -n "$SC_SKIP" ]; then
		e2e_skip "$SC: Fail2ban end to end" "$SC_SKIP"
		return 0
	fi
	_scenario_steps
	# This scenario's processes and namespaces go now, on every path; the next gets fresh ones.
	e2e_scenario_cleanup
}

_scenario_steps() {
	local t="$SC:"

	e2e_netns
	mkdir -p "$WORK/state"
	F2B_DBFILE=$WORK/f2b.sqlite3 f2b_confdir "$WORK/conf"
	f2b_jail_local "$WORK/conf" "$JAIL" "$SC_BAN" "$SC_ACTION"
	"$SC_PRESTART"
	e2e_preexisting
	if ! e2e_listen "${PORTS[@]}" >"$WORK/setup.out" 2>&1; then
		e2e_fail "$t setup (namespaces, listener)"; e2e_diag <"$WORK/setup.out"; return 0
	fi
	local before
	before=$(kernel_state)

	e2e_check "$t fail2ban-client -t accepts the config (banaction = $SC_BAN)" \
		fail2ban-client -c "$WORK/conf" -t || return 0
	if ! f2b_start "$JAIL" "${SC_ENV[@]}" >"$WORK/start.out" 2>&1; then
		e2e_fail "$t Fail2ban starts jail $JAIL"; e2e_diag <"$WORK/start.out"; return 0
	fi
	e2e_check "$t Fail2ban starts; the kernel is unchanged until the first ban" \
		_same "$before" "$(kernel_state)"
	e2e_check "$t before any ban every address connects to 22, 2200, 8080 (IPv4, IPv6)" \
		_both check_traffic

	failed_logins "${E2E_BAD4[@]}" "${E2E_BAD6[@]}"
	e2e_check "$t failed logins from 2 IPv4 + 2 IPv6 addresses: status lists exactly them" \
		_wait_status 30 "${E2E_BAD4[@]}" "${E2E_BAD6[@]}" || { _finish "$t" "$before"; return 0; }
	e2e_check "$t the kernel holds exactly those bans" \
		_eventually 10 check_kernel_bans "${E2E_BAD4[*]}" "${E2E_BAD6[*]}"
	e2e_check "$t IPv4: banned addresses $(_blocked_words), the others connect" \
		check_traffic 4 "${E2E_BAD4[@]}"
	e2e_check "$t IPv6: banned addresses $(_blocked_words), the others connect" \
		check_traffic 6 "${E2E_BAD6[@]}"

	e2e_check "$t unbanip ${E2E_BAD4[0]} and ${E2E_BAD6[0]} restores their access, and only theirs" \
		_unban "${E2E_BAD4[0]}" "${E2E_BAD6[0]}"
	e2e_check "$t a restart with the file database restores ${E2E_BAD4[1]} and ${E2E_BAD6[1]} (status, kernel)" \
		_restart "$before"
	_finish "$t" "$before"
}

_finish() { # "$t" before
	e2e_check "$1 fail2ban-client stop leaves every table as before Fail2ban started" \
		_stop_same "$2"
	e2e_check "$1 Fail2ban logged no error" check_log
	if [ "$MODE" = py ]; then
		e2e_check "$1 Fail2ban ran no command: every operation, both families, in-process" check_argv
	else
		e2e_check "$1 Fail2ban gave nfban one argument per key" check_argv
	fi
	if [ -n "$SC_TAKEOVER" ]; then
		e2e_check "$1 the fallback to $SC_TAKEOVER was announced once per family and run, in Fail2ban's log" \
			check_announced
		e2e_check "$1 no fallback state is left after the stop" check_no_state
	fi
}

# check_announced: one line per family and Fail2ban run (the stop ends the fallback; the
# restart finds it again) names the plugin that took over: .conf, on the shim's stderr
# (Fail2ban logs a successful command's stderr at DEBUG only); .py, at WARNING.
check_announced() {
	local fam n rc=0 pat='-- stderr:'
	[ "$MODE" = py ] && pat='fail2ban.nfban .* WARNING '
	for fam in inet4 inet6; do
		n=$(grep -E -- "$pat" "$WORK/fail2ban.log" | grep -F "($fam)" | grep -c "$SC_TAKEOVER") || true
		[ "$n" = 2 ] || { echo "$fam: $n announcements naming $SC_TAKEOVER, expected 2 (one per Fail2ban run)"; rc=1; }
	done
	[ $rc -eq 0 ] || grep -E -- "$pat" "$WORK/fail2ban.log"
	return $rc
}
check_no_state() {
	local left
	left=$(find "$WORK/state" -type f)
	[ -z "$left" ] || { echo "left behind:"; echo "$left"; return 1; }
}

_same() { # want got
	[ "$1" == "$2" ] && return 0
	echo "the kernel changed (- before, + now):"
	diff -u <(echo "$1") <(echo "$2") | tail -n +3
	return 1
}
_both() { "$1" 4 && "$1" 6; }
# _eventually SECONDS CHECK...: Fail2ban lists a ban (status) before its action has run, so
# kernel checks poll (bounded); the last try's output explains a failure.
_eventually() {
	local limit=$1
	shift
	e2e_wait "$limit" "$@" || "$@"
}
_blocked_words() {
	local w="are refused"
	[ "$SC_BLOCK" = timeout ] && w="time out (DROP)"
	if [ "$SC_ALLPORTS" = 1 ]; then echo "$w on every port"; else echo "$w on 22 and 2200, 8080 answers"; fi
}
_wait_status() { # seconds addr...
	local limit=$1
	shift
	if ! e2e_wait "$limit" check_status "$@"; then
		check_status "$@"
		echo "## fail2ban.log (tail):"; tail -n 40 "$WORK/fail2ban.log"
		return 1
	fi
}
_unban() { # ip4 ip6
	f2b set "$JAIL" unbanip "$1" "$2" >/dev/null || { echo "unbanip failed"; return 1; }
	_wait_status 10 "${E2E_BAD4[1]}" "${E2E_BAD6[1]}" || return 1
	_eventually 10 check_kernel_bans "${E2E_BAD4[1]}" "${E2E_BAD6[1]}" || return 1
	check_traffic 4 "${E2E_BAD4[1]}" && check_traffic 6 "${E2E_BAD6[1]}"
}
_restart() { # before: stop (the kernel as before), start, the bans left are back
	_stop_same "$1" || return 1
	f2b_start "$JAIL" "${SC_ENV[@]}" || return 1
	_wait_status 30 "${E2E_BAD4[1]}" "${E2E_BAD6[1]}" || return 1
	_eventually 10 check_kernel_bans "${E2E_BAD4[1]}" "${E2E_BAD6[1]}" || return 1
	grep -q "Restore Ban ${E2E_BAD4[1]}" "$WORK/fail2ban.log" ||
		{ echo "Fail2ban did not restore the ban of ${E2E_BAD4[1]} from its database"; return 1; }
}
_stop_same() { # before
	f2b_stop || { echo "Fail2ban did not stop"; return 1; }
	_same "$1" "$(kernel_state)"
}

# The whole config test: every action file of this repo, one enabled jail each, and one jail
# that overrides the command the way stock files let users override `iptables`.
OVERRIDE="/opt/nfban test/nfban --plugin-dir /opt/nfban/lib"
test_config_all() {
	WORK=$E2E_TMP/config-all
	mkdir -p "$WORK"
	f2b_confdir "$WORK/conf"
	local a jails=""
	for a in nfban-multiport nfban-allports nfban-perport nfban-nftables nfban-nftables-allports; do
		jails+="
[$a]
enabled = true
backend = polling
filter = sshd
port = ssh,2200
logpath = $WORK/auth.log
action = ${a}[name=${a#nfban-}]
"
	done
	jails+="
[override]
enabled = true
backend = polling
filter = sshd
logpath = $WORK/auth.log
action = nfban-multiport[nfban=\"$OVERRIDE\"]
"
	printf '[DEFAULT]\nbackend = polling\n%s' "$jails" >"$WORK/conf/jail.local"
	: >"$WORK/auth.log"
	e2e_check "config: fail2ban-client -t accepts all five nfban action files" \
		fail2ban-client -c "$WORK/conf" -t
	# What the server would get: each command names the shim and passes family=<family>.
	e2e_check "config: every operation of every action runs \$NFBAN_BUILD/nfban with family=<family>" \
		_dump_ok "$WORK/conf"
}
_dump_ok() {
	local dump n
	dump=$(fail2ban-client -c "$1" -d) || return 1
	n=$("$E2E_PY" -c '
import ast, sys
shim, override = sys.argv[1:3]
n = 0
for line in sys.stdin:
    cmd = ast.literal_eval(line)
    if cmd[0] != "multi-set" or cmd[2] != "action":
        continue
    opts = dict(cmd[4])
    want = override if cmd[1] == "override" else shim
    for op in ("actionstart", "actionstop", "actionflush", "actioncheck", "actionban", "actionunban"):
        v = opts[op]
        assert v.startswith(want + " "), (cmd[1], op, v)
        assert " family=<family>" in v, (cmd[1], op, v)
        assert (" ip=<ip>" in v) == (op in ("actionban", "actionunban")), (cmd[1], op, v)
        n += 1
print(n)
' "$NFBAN_BUILD/nfban" "$OVERRIDE" <<<"$dump") || return 1
	[ "$n" = 36 ] || { echo "expected 36 commands (6 jails x 6 operations), got $n"; return 1; }
}

# actionstart_on_demand = false: Fail2ban starts both families with the jail and stops both.
test_eager_start() {
	local t="multiport, actionstart_on_demand = false:"
	[ "$MODE" = py ] && t="multiport.py, actionstart_on_demand = false:"
	if [ "$STOCK" != 1 ] && [ ! -e "$NFBAN_BUILD/plugins/multiport.so" ]; then
		e2e_skip "$t both families start with the jail" "plugin multiport not built"
		return 0
	fi
	SC_JUMPS=("${JUMPS_MULTIPORT[@]}") SC_KIND=ipt
	e2e_netns
	f2b_confdir "$WORK/conf"
	local ban=nfban-multiport
	[ "$STOCK" = 1 ] && ban=iptables-multiport
	[ "$MODE" = py ] && ban=nfban-multiport.py
	f2b_jail_local "$WORK/conf" "$JAIL" "$ban" \
		'%(banaction)s[port="%(port)s", protocol="%(protocol)s", chain="%(chain)s", actionstart_on_demand=false]'
	e2e_preexisting
	local before
	before=$(kernel_state)
	if f2b_start "$JAIL" >"$WORK/start.out" 2>&1; then
		e2e_check "$t both families start with the jail (chain and jump, no ban)" \
			_eventually 10 check_kernel_bans "" ""
	else
		e2e_fail "$t Fail2ban starts jail $JAIL"; e2e_diag <"$WORK/start.out"
	fi
	e2e_check "$t fail2ban-client stop leaves every table as before" _stop_same "$before"
	e2e_check "$t Fail2ban logged no error" check_log
	e2e_scenario_cleanup
}

# Fail2ban's own repair: the jail's rules are deleted by hand while it runs; the next ban
# fails, actioncheck (nfban check) reports the rules missing, Fail2ban stops and starts the
# action for that family and bans again.  The bans made before are gone from the kernel then
# (Fail2ban re-bans an address only when it shows up again), as with the stock actions.
test_repair() { # scenario name (multiport or nftables)
	scenario "$1"
	local t="$SC, repair:"
	if [ -n "$SC_SKIP" ]; then
		e2e_skip "$t Fail2ban restores rules deleted by hand" "$SC_SKIP"
		return 0
	fi
	e2e_netns
	f2b_confdir "$WORK/conf"
	f2b_jail_local "$WORK/conf" "$JAIL" "$SC_BAN" "$SC_ACTION"
	e2e_preexisting
	local before
	before=$(kernel_state)
	if ! { e2e_listen "${PORTS[@]}" && f2b_start "$JAIL" "${SC_ENV[@]}"; } >"$WORK/start.out" 2>&1; then
		e2e_fail "$t Fail2ban starts jail $JAIL"; e2e_diag <"$WORK/start.out"
		e2e_scenario_cleanup
		return 0
	fi
	e2e_check "$t Fail2ban restores the jail's rules deleted by hand, and the new ban lands" \
		_repair
	e2e_check "$t fail2ban-client stop leaves every table as before" _stop_same "$before"
	e2e_scenario_cleanup
}
_repair() {
	failed_logins "${E2E_BAD4[0]}"
	_wait_status 30 "${E2E_BAD4[0]}" || return 1
	_eventually 10 check_kernel_bans "${E2E_BAD4[0]}" "" 4 || return 1
	# Someone deletes the jail's rules.
	if [ "$SC_KIND" = nft ]; then
		in_srv nft delete table inet f2b-table
	else
		local j
		for j in "${SC_JUMPS[@]}"; do
			# shellcheck disable=SC2086
			in_srv "$IPT" -w -D ${j#-A }
		done
		in_srv "$IPT" -w -F "f2b-$JAIL"
		in_srv "$IPT" -w -X "f2b-$JAIL"
	fi
	# The in-process action notices by itself and puts the rules and the ban back (its
	# watcher: tests/e2e/reload.sh); the .conf action waits for a failed ban (Fail2ban's repair).
	[ "$MODE" = py ] && { _repair_py; return; }
	failed_logins "${E2E_BAD4[1]}"
	_wait_status 30 "${E2E_BAD4[0]}" "${E2E_BAD4[1]}" || return 1
	_eventually 10 check_kernel_bans "${E2E_BAD4[1]}" "" 4 || return 1
	grep -q "Invariant check failed" "$WORK/fail2ban.log" ||
		{ echo "Fail2ban did not run its invariant check (actioncheck)"; return 1; }
	check_traffic 4 "${E2E_BAD4[1]}"
}

_repair_py() {
	_eventually 10 check_kernel_bans "${E2E_BAD4[0]}" "" 4 || return 1
	grep -qE 'fail2ban\.nfban .* WARNING .*removed by another program' "$WORK/fail2ban.log" ||
		{ echo "the restore was not logged at WARNING"; return 1; }
	failed_logins "${E2E_BAD4[1]}"
	_wait_status 30 "${E2E_BAD4[0]}" "${E2E_BAD4[1]}" || return 1
	_eventually 10 check_kernel_bans "${E2E_BAD4[*]}" "" 4 || return 1
	check_traffic 4 "${E2E_BAD4[@]}"
}

if [ "$STOCK" != 1 ] && [ ! -x "$NFBAN_BUILD/nfban" ]; then
	echo "Bail out! $NFBAN_BUILD/nfban not built (make B=$NFBAN_BUILD)"
	exit 1
fi
e2e_init
for MODE in $MODES; do
	sfx=
	[ "$MODE" = py ] && sfx=.py
	[ "$MODE" = conf ] && { [ -z "${NFBAN_E2E_FILTER:-}" ] || [[ config =~ $NFBAN_E2E_FILTER ]]; } && test_config_all
	for sc in multiport allports-drop perport nftables nftables-allports fallback-no-multiport fallback-no-legacy; do
		[ -n "${NFBAN_E2E_FILTER:-}" ] && ! [[ $sc$sfx =~ $NFBAN_E2E_FILTER ]] && continue
		run_scenario "$sc"
	done
	[ -z "${NFBAN_E2E_FILTER:-}" ] || [[ eager$sfx =~ $NFBAN_E2E_FILTER ]] && test_eager_start
	for sc in multiport nftables; do
		[ -z "${NFBAN_E2E_FILTER:-}" ] || [[ repair-$sc$sfx =~ $NFBAN_E2E_FILTER ]] && test_repair "$sc"
	done
done
e2e_done
