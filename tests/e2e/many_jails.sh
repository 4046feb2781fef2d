#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/many_jails.sh - a real Fail2ban starting and stopping 60 jails at once (issue 21).
#
# With `actionstart_on_demand = false` every jail's actionstart runs when Fail2ban starts, for
# both families, all 60 jails within about a second: the moment nfban's nf_tables writers meet
# (each stamps its batch with the generation it read; another writer's commit in between
# makes the kernel refuse it, and nfban retries a bounded number of times, then fails the
# operation: "the ruleset kept changing").  Per action:
#   nfban-nftables.py   (in-process: 60 handles in Fail2ban's process)
#   nfban-nftables      (.conf: one nfban process per operation)
#   nfban-multiport.py  (`iptables` = iptables-nft, backend unset: the iptables plugins'
#                        nf_tables backend; the suite sets NFBAN_IPT_BACKEND=nft, so the
#                        `iptables` first in PATH and Fail2ban's is iptables-nft)
# 60 jails j01..j60 (port 20001..20060, each `backend = polling`, filter sshd on an idle log),
# Fail2ban in a server namespace of its own (lib.bash: own config dir, socket, pidfile, log),
# beside rules a server already has (e2e_preexisting).  First, once per stock action, the
# reference: Fail2ban with the stock twin (nftables, iptables-multiport on iptables-nft) of
# the same 60 jails in namespaces of its own, its kernel state after the start and after the
# bans.  Then NFBAN_MANY_CYCLES (3) times in one namespace pair:
#   1. Fail2ban starts and lists all 60 jails;
#   2. the kernel holds every jail's objects (many_jails.py census: per jail, nft: both sets
#      and one rule per set matching its port; ipt: its chain per family ending in RETURN,
#      one multiport jump in INPUT), and its whole state (`nft -j list ruleset`, both
#      iptables-nft-save) is the stock reference's, the order in which jails arrived aside;
#   3. `fail2ban-client set JAIL banip` in j01 (IPv4, IPv6), j30 (IPv4), j60 (IPv6): the
#      kernel holds exactly those bans, as stock's does; the banned address is refused on
#      j01's port and connects to j02's, the others connect (a real TCP connection);
#   4. `fail2ban-client stop`: every table as before Fail2ban started, no f2b object left;
#   5. Fail2ban's log of that cycle has no ERROR or CRITICAL line and no retry, repair or
#      "ruleset kept changing" message.
# Waits are bounded polls (generous: a loaded machine runs 60 starts slowly), never sleeps.
#
# Where $NFBAN_BUILD/tests/tries.so is built (or NFBAN_TRIES_SO names one), nfban's runs are
# counted by it (tests/lib/tries.c: stamped batches sent and refused, in Fail2ban's process
# and every nfban process) and each cycle reports the mean tries per stamped operation.
#
# Environment: NFBAN_BUILD (default build/); NFBAN_E2E_FILTER=regex runs the actions whose
# name matches (e.g. '\.py$'); NFBAN_MANY_JAILS (60), NFBAN_MANY_CYCLES (3).
set -uo pipefail
export NFBAN_IPT_BACKEND=nft
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

N=${NFBAN_MANY_JAILS:-60}
CYCLES=${NFBAN_MANY_CYCLES:-3}
PORT0=20000
MANY_PY=$E2E_DIR/many_jails.py
# The bans of step 3, as many_jails.py census takes them.
JAIL_LAST=$(printf 'j%02d' "$N") JAIL_MID=$(printf 'j%02d' $(((N + 1) / 2)))
BANS="j01=${E2E_BAD4[0]},${E2E_BAD6[0]} $JAIL_MID=${E2E_BAD4[0]} $JAIL_LAST=${E2E_BAD6[0]}"
# Bounds of the waits: 60 jails through Python on a loaded machine.  Polls every 0.5 s: a
# fail2ban-client or a census costs 0.1-0.3 s of CPU, which 60 starting jails need more.
export F2B_START_WAIT=180 F2B_STOP_WAIT=180 E2E_WAIT_STEP=0.5
KERNEL_WAIT=120
TRIES_SO=${NFBAN_TRIES_SO:-$NFBAN_BUILD/tests/tries.so}

# jails_local BANACTION: the 60 jails in $WORK/conf/jail.local.
jails_local() {
	local i
	{
		printf '[DEFAULT]\nbanaction = %s\nmaxretry = 2\nfindtime = 10m\nbantime = 1h\n' "$1"
		printf 'ignoreip = 127.0.0.1/8 ::1\n'
		for i in $(seq 1 "$N"); do
			printf '\n[j%02d]\nenabled = true\nbackend = polling\nfilter = sshd\nport = %d\n' "$i" $((PORT0 + i))
			printf 'logpath = %s\n' "$WORK/auth.log"
			# shellcheck disable=SC2016
			printf 'action = %%(banaction)s[port="%%(port)s", protocol="%%(protocol)s", chain="%%(chain)s", actionstart_on_demand=false]\n'
		done
	} >"$WORK/conf/jail.local"
	: >"$WORK/auth.log"
}

# snap DIR: what the kernel of the server namespace holds, in files many_jails.py reads.
snap() {
	mkdir -p "$1"
	in_srv nft -j list ruleset >"$1/ruleset.json"
	in_srv "$IPT-save" >"$1/save4"
	in_srv "$IP6T-save" >"$1/save6"
}
# census KIND BANS: every jail's objects and exactly BANS are in the kernel.
census() {
	snap "$WORK/snap" && "$E2E_PY" "$MANY_PY" census "$1" "$N" "$PORT0" "$2" \
		"$WORK/snap/ruleset.json" "$WORK/snap/save4" "$WORK/snap/save6"
}
# canon: the kernel's state as text that compares with another run's (see many_jails.py).
canon() {
	snap "$WORK/snap" && "$E2E_PY" "$MANY_PY" canon "$WORK/snap/ruleset.json" "$WORK/snap/save4" "$WORK/snap/save6"
}
# wait_census KIND BANS: census, polled until it passes; the last try's problems on failure.
wait_census() {
	e2e_wait "$KERNEL_WAIT" census "$@" && return 0
	census "$@" | head -n 40
	echo "## Fail2ban's log, errors:"; grep -E ' (ERROR|CRITICAL) ' "$WORK/fail2ban.log" | head -n 20
	return 1
}
# as_ref FILE: the kernel's canonical state is FILE's (the stock run's).
as_ref() {
	local got
	got=$(canon) || return 1
	[ "$got" == "$(<"$1")" ] && return 0
	echo "the kernel differs from stock's (- stock, + nfban):"
	diff -u "$1" <(echo "$got") | tail -n +3 | head -n 60
	return 1
}

# start_all [ENV=VALUE...]: Fail2ban up with every jail listed.
start_all() {
	f2b_start "$JAIL_LAST" "$@" || return 1
	e2e_wait 60 all_listed || { echo "not every jail is listed:"; f2b status; return 1; }
}
all_listed() {
	local got want
	got=$(f2b status | sed -n 's/.*Jail list:[[:space:]]*//p' | tr -s ', \t' '\n' | sed '/^$/d' | sort)
	want=$(for i in $(seq 1 "$N"); do printf 'j%02d\n' "$i"; done)
	[ "$got" == "$want" ]
}
ban_some() {
	f2b set j01 banip "${E2E_BAD4[0]}" "${E2E_BAD6[0]}" >/dev/null &&
		f2b set "$JAIL_MID" banip "${E2E_BAD4[0]}" >/dev/null &&
		f2b set "$JAIL_LAST" banip "${E2E_BAD6[0]}" >/dev/null
}

# ----------------------------------------------------------------- the stock reference

# stock_ref BANACTION KIND: Fail2ban with the stock action BANACTION, the same jails; writes
# $E2E_TMP/ref-BANACTION.{start,ban}.  One TAP line.
stock_ref() {
	local ban=$1 kind=$2 t="stock $1 (the reference):" t0=$SECONDS
	REF=$E2E_TMP/ref-$ban
	e2e_netns
	f2b_confdir "$WORK/conf"
	jails_local "$ban"
	e2e_preexisting
	if _stock_run "$kind" >"$WORK/ref.out" 2>&1; then
		e2e_ok "$t $N jails start, bans land in j01, $JAIL_MID, $JAIL_LAST"
		echo "# $t $((SECONDS - t0)) s; $(grep -cE ' (ERROR|CRITICAL) ' "$WORK/fail2ban.log") ERROR lines in its log (start, bans)"
	else
		e2e_fail "$t $N jails start, bans land in j01, $JAIL_MID, $JAIL_LAST"
		e2e_diag <"$WORK/ref.out"
		rm -f "$REF".*
	fi
	e2e_scenario_cleanup
}
_stock_run() {
	start_all || return 1
	wait_census "$1" - || return 1
	canon >"$REF.start" || return 1
	ban_some || { echo "banip failed"; return 1; }
	wait_census "$1" "$BANS" || return 1
	canon >"$REF.ban" || return 1
	# Its stop is not the reference of anything (nfban's is compared with the state before
	# the start): the namespaces go with the process, which stock's 60 stops would keep busy.
	{ kill -KILL "$F2B_PID" && wait "$F2B_PID"; } 2>/dev/null
	return 0
}

# ----------------------------------------------------------------- nfban's runs

# run_action NAME KIND STOCK: the cycles of one action, in one namespace pair.
run_action() {
	local ban=$1 kind=$2 stock=$3 c
	REF=$E2E_TMP/ref-$stock
	[ -e "$REF.start" ] || stock_ref "$stock" "$kind"
	e2e_netns
	f2b_confdir "$WORK/conf"
	jails_local "$ban"
	e2e_preexisting
	if ! e2e_listen $((PORT0 + 1)) $((PORT0 + 2)) >"$WORK/setup.out" 2>&1; then
		e2e_fail "$ban: setup (namespaces, listener)"; e2e_diag <"$WORK/setup.out"
		e2e_scenario_cleanup
		return 0
	fi
	BEFORE=$(kernel_state)
	for c in $(seq 1 "$CYCLES"); do
		cycle "$ban" "$kind" "$c"
	done
	e2e_scenario_cleanup
}

cycle() {
	local ban=$1 kind=$2 c=$3 t="$1, $N jails, cycle $3/$CYCLES:" t0=$SECONDS t1 t2 t3 env=()
	rm -f "$WORK/tries"
	[ -e "$TRIES_SO" ] &&
		env=(LD_PRELOAD="$TRIES_SO" NFBAN_TRIES_FILE="$WORK/tries" NFBAN_TRIES_PROGS="nfban python3")
	if ! start_all "${env[@]}" >"$WORK/start.out" 2>&1; then
		e2e_fail "$t Fail2ban starts and lists every jail"; e2e_diag <"$WORK/start.out"
		_end_cycle "$t" "$c"
		return 0
	fi
	e2e_ok "$t Fail2ban starts and lists every jail"
	t1=$SECONDS
	e2e_check "$t the kernel holds every jail's objects, as stock's" _started "$kind"
	t2=$SECONDS
	e2e_check "$t bans in j01 (IPv4, IPv6), $JAIL_MID (IPv4), $JAIL_LAST (IPv6): the kernel holds exactly them, as stock's; TCP agrees" \
		_banned "$kind"
	t3=$SECONDS
	_end_cycle "$t" "$c"
	echo "# $t start $((t1 - t0)) s, all objects $((t2 - t1)) s, bans $((t3 - t2)) s, stop $((SECONDS - t3)) s$(_tries)"
}
# _tries: "; mean tries per stamped operation M (operations, refused tries)", when counted.
_tries() {
	[ -s "$WORK/tries" ] || return 0
	awk '{ s += $1; r += $2 } END { if (s > r) printf "; mean tries per stamped operation %.3f (%d operations, %d refused tries)", s / (s - r), s - r, r }' \
		"$WORK/tries"
}
_started() {
	wait_census "$1" - || return 1
	[ -e "$REF.start" ] || { echo "no stock reference"; return 1; }
	as_ref "$REF.start"
}
_banned() {
	ban_some || { echo "banip failed"; return 1; }
	wait_census "$1" "$BANS" || return 1
	[ -e "$REF.ban" ] || { echo "no stock reference"; return 1; }
	as_ref "$REF.ban" || return 1
	_traffic
}
# _traffic: the address banned in j01 is refused on j01's port and connects to j02's; the
# address banned nowhere connects to both.
_traffic() {
	local p1=$((PORT0 + 1)) p2=$((PORT0 + 2)) want got b4=${E2E_BAD4[0]} b6=${E2E_BAD6[0]}
	want="$b4 $E2E_SRV_V4 $p1 refused
$b4 $E2E_SRV_V4 $p2 ok
$E2E_GOOD4 $E2E_SRV_V4 $p1 ok
$b6 $E2E_SRV_V6 $p1 refused
$b6 $E2E_SRV_V6 $p2 ok
$E2E_GOOD6 $E2E_SRV_V6 $p1 ok"
	got=$(e2e_probe --timeout 2.5 "$b4,$E2E_SRV_V4,$p1" "$b4,$E2E_SRV_V4,$p2" "$E2E_GOOD4,$E2E_SRV_V4,$p1" \
		"$b6,$E2E_SRV_V6,$p1" "$b6,$E2E_SRV_V6,$p2" "$E2E_GOOD6,$E2E_SRV_V6,$p1") || return 1
	[ "$want" == "$got" ] && return 0
	echo "connections differ (- expected, + got):"
	diff -u <(echo "$want") <(echo "$got") | tail -n +3
	return 1
}
# _end_cycle "$t" C: stop, the kernel as before, the log clean; the log is kept as cycle-C.log.
_end_cycle() {
	e2e_check "$1 fail2ban-client stop leaves no f2b object, every table as before" _stopped
	e2e_check "$1 Fail2ban logged no error, retry or repair" check_log
	mv "$WORK/fail2ban.log" "$WORK/cycle-$2.log"
}
_stopped() {
	local left rc=0
	if ! f2b_stop; then
		echo "Fail2ban did not stop within $F2B_STOP_WAIT s; killed"
		kill -KILL "$F2B_PID" 2>/dev/null
		rc=1
	fi
	left=$(in_srv nft list ruleset | grep -E 'f2b|addr6?-set-') &&
		{ echo "f2b objects left in the kernel:"; echo "$left"; rc=1; }
	local now
	now=$(kernel_state)
	[ "$BEFORE" == "$now" ] && return $rc
	echo "the kernel changed (- before, + now):"
	diff -u <(echo "$BEFORE") <(echo "$now") | tail -n +3 | head -n 60
	return 1
}
# check_log: no ERROR or CRITICAL line, no retry or repair (Fail2ban's "Invariant check
# failed" is an ERROR too; nfban's retries surface only as failed operations' messages).
check_log() {
	local bad
	bad=$(grep -E ' (ERROR|CRITICAL) |kept changing|changed under us|Invariant check failed|Unable to restore' \
		"$WORK/fail2ban.log") || return 0
	echo "$(wc -l <<<"$bad") lines:"
	head -n 30 <<<"$bad"
	return 1
}

if [ ! -x "$NFBAN_BUILD/nfban" ]; then
	echo "Bail out! $NFBAN_BUILD/nfban not built (make B=$NFBAN_BUILD)"
	exit 1
fi
e2e_init
T0=$SECONDS
for spec in "nfban-nftables.py nft nftables" "nfban-nftables nft nftables" \
	"nfban-multiport.py ipt iptables-multiport"; do
	read -r ban kind stock <<<"$spec"
	[ -n "${NFBAN_E2E_FILTER:-}" ] && ! [[ $ban =~ $NFBAN_E2E_FILTER ]] && continue
	plugin=nftables
	[ "$kind" = ipt ] && plugin=multiport
	if [ ! -e "$NFBAN_BUILD/plugins/$plugin.so" ]; then
		e2e_skip "$ban: $N jails" "plugin $plugin not built"
		continue
	fi
	run_action "$ban" "$kind" "$stock"
done
echo "# $((SECONDS - T0)) s in all"
e2e_done
