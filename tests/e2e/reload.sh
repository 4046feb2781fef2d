#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/reload.sh - a ban holds against another program's reload: the .py actions put back
# what was removed.
#
# A real Fail2ban (lib.bash: server and attacker namespaces on a veth, its own config, socket
# and log) holds 50 bans (40 IPv4, 10 IPv6, `fail2ban-client set sshd banip`) through each
# in-process action: nfban-nftables.py, nfban-multiport.py with backend=nft and with
# backend=legacy.  Then another program removes the jail's rules, the way real ones do:
#   - `nft flush ruleset` (nf_tables jails);
#   - `nft -f` of a file that begins with `flush ruleset` (systemctl reload nftables);
#   - `iptables-restore` of the ruleset saved before Fail2ban banned (netfilter-persistent);
#   - `iptables -F` (every chain of the filter table: the jumps and the jail's chain);
#   - `iptables -F f2b-sshd` (the bans only: the chain and its jump stay, so check passes).
# After each: every ban is back (polled every 20 ms, the time it took is printed; the overall
# limit is generous, so that load does not fail the test), exactly one WARNING more in
# Fail2ban's log says so, a banned client is refused again on a real TCP connection while
# another address connects, and Fail2ban's ban list and the kernel agree.  A removal that does
# not touch the jail (nft flush ruleset against legacy tables) restores nothing and logs nothing.
# Then the removal repeated many times a second: the action backs off and says so, and the
# bans are back once it stops.  Last, `fail2ban-client stop sshd`: the jail's rules go and stay
# gone (not restored), and Fail2ban logged no error.
# NFBAN_E2E_FILTER=regex runs only the actions whose name matches (nftables, multiport-nft,
# multiport-legacy).
set -uo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

JAIL=sshd
WARN_RE='fail2ban\.nfban .* WARNING .*rules were removed by another program'
BACKOFF_RE='fail2ban\.nfban .* WARNING .*backing off'
MORE4=() MORE6=()
for i in $(seq 1 38); do MORE4+=("10.203.1.$i"); done
for i in $(seq 1 8); do MORE6+=("fd00:203::1:$i"); done
BANS4=("${E2E_BAD4[@]}" "${MORE4[@]}") BANS6=("${E2E_BAD6[@]}" "${MORE6[@]}")

# ------------------------------------------------------------------ the kernel's view

# kbans 4|6: the bans the kernel holds for the jail, sorted addresses.
kbans() {
	if [ "$KIND" = nft ]; then
		local set=addr-set-$JAIL
		[ "$1" = 6 ] && set=addr6-set-$JAIL
		nft_bans inet f2b-table "$set"
	else
		ipt_bans "$1" "$JAIL" | sed 's|/[0-9]*$||'
	fi
}
want() { # 4|6
	if [ "$1" = 4 ]; then printf '%s\n' "${BANS4[@]}"; else printf '%s\n' "${BANS6[@]}"; fi | sort
}
# whole: both families hold every ban, and the jail's rules that make them bite.
whole() {
	[ "$(kbans 4)" == "$(want 4)" ] && [ "$(kbans 6)" == "$(want 6)" ] || return 1
	if [ "$KIND" = nft ]; then
		in_srv nft list chain inet f2b-table f2b-chain 2>/dev/null | grep -q "@addr-set-$JAIL " &&
			in_srv nft list chain inet f2b-table f2b-chain 2>/dev/null | grep -q "@addr6-set-$JAIL "
	else
		[ -n "$(ipt_jumps 4 "$JAIL")" ] && [ -n "$(ipt_jumps 6 "$JAIL")" ] &&
			in_srv "$IPT-save" -t filter | grep -qx -- "-A f2b-$JAIL -j RETURN"
	fi
}
explain() {
	echo "IPv4 bans: $(kbans 4 | wc -l) of ${#BANS4[@]}, IPv6: $(kbans 6 | wc -l) of ${#BANS6[@]}"
	echo "## kernel:"; kernel_state | head -n 60
	echo "## fail2ban.log (nfban):"; grep 'fail2ban.nfban' "$WORK/fail2ban.log" | tail -n 10
}
# agree: Fail2ban's ban list is the kernel's.
agree() {
	local f k
	f=$(f2b_banned "$JAIL")
	k=$( { kbans 4; kbans 6; } | sort)
	[ "$f" == "$k" ] && return 0
	echo "fail2ban-client status and the kernel differ (- Fail2ban, + kernel):"
	diff -u <(echo "$f") <(echo "$k") | tail -n +3
	return 1
}
warnings() { grep -cE "$WARN_RE" "$WORK/fail2ban.log" || true; }
# refused: a banned client is refused on 22 (IPv4, IPv6), an address not banned connects.
refused() {
	local want got
	want="${E2E_BAD4[0]} $E2E_SRV_V4 22 refused
${E2E_BAD6[0]} $E2E_SRV_V6 22 refused
$E2E_GOOD4 $E2E_SRV_V4 22 ok"
	got=$(e2e_probe --timeout 2.5 "${E2E_BAD4[0]},$E2E_SRV_V4,22" "${E2E_BAD6[0]},$E2E_SRV_V6,22" \
		"$E2E_GOOD4,$E2E_SRV_V4,22")
	[ "$want" == "$got" ] && return 0
	echo "connections (- expected, + got):"; diff -u <(echo "$want") <(echo "$got") | tail -n +3
	return 1
}

# ------------------------------------------------------------------ removals

rm_nft_flush() { in_srv nft flush ruleset; }
rm_nft_file() {
	cat >"$WORK/reload.nft" <<-'EOF'
	flush ruleset
	table inet keep {
		chain input {
			type filter hook input priority 10;
			udp dport 9 accept
		}
	}
	EOF
	in_srv nft -f "$WORK/reload.nft"
}
rm_ipt_restore() { in_srv "$IPT-restore" <"$WORK/saved4"; }
rm_ipt_flush() { in_srv "$IPT" -w -F; }
rm_ipt_flush_jail() { in_srv "$IPT" -w -F "f2b-$JAIL"; }

# removal NAME CMD: CMD removes the jail's rules; everything must come back, once.
removal() {
	local name=$1 cmd=$2 w0 t0 t1 ms
	w0=$(warnings)
	t0=$(date +%s%N)
	"$cmd" || { e2e_fail "$T $name: the command failed"; return 0; }
	if ! e2e_wait_ms 30000 whole; then
		e2e_fail "$T $name: every ban back"
		explain | e2e_diag
		return 0
	fi
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	e2e_ok "$T $name: all ${#BANS4[@]} + ${#BANS6[@]} bans and the jail's rules back, ${ms} ms after the command"
	e2e_check "$T $name: one WARNING in Fail2ban's log says so" _one_more "$w0"
	e2e_check "$T $name: a banned client is refused again, another address connects" refused
	e2e_check "$T $name: Fail2ban's ban list and the kernel agree" agree
}
_one_more() {
	sleep 1.2        # a second restore (a fight, a duplicate report) would show by now
	local n
	n=$(warnings)
	[ "$n" = $(($1 + 1)) ] && { grep -E "$WARN_RE" "$WORK/fail2ban.log" | tail -n 1 | sed 's/.*WARNING *//'; return 0; }
	echo "$((n - $1)) new WARNINGs:"; grep -E "$WARN_RE" "$WORK/fail2ban.log" | tail -n 4
	return 1
}
# untouched NAME CMD: CMD does not touch the jail's tables: nothing restored, nothing logged.
untouched() {
	local w0
	w0=$(warnings)
	"$2"
	sleep 2
	e2e_check "$T $3: the jail is untouched: every ban in place, no WARNING" _untouched "$w0"
}
_untouched() { whole || { explain; return 1; }; [ "$(warnings)" = "$1" ] || { echo "a restore was logged"; return 1; }; }

# e2e_wait_ms MS CMD...: poll every 20 ms.
e2e_wait_ms() {
	local end=$(($(date +%s%N) + $1 * 1000000))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# fight: the removal repeated every 0.1 s for 3 s: a backoff is announced; once the other
# program stops, the bans come back.
fight() {
	local i
	for i in $(seq 30); do "$1"; sleep 0.1; done
	e2e_check "$T removed 30 times in 3 s: the action backs off and says so (WARNING)" \
		grep -qE "$BACKOFF_RE" "$WORK/fail2ban.log"
	if e2e_wait_ms 90000 whole; then
		e2e_ok "$T after the fight every ban is back"
	else
		e2e_fail "$T after the fight every ban is back"; explain | e2e_diag
	fi
}

# ------------------------------------------------------------------ one action

# jail_local BANACTION: the jail with its own polling backend.
jail_local() {
	cat >"$WORK/conf/jail.local" <<-EOF
	[DEFAULT]
	banaction = $1
	maxretry = 2
	findtime = 10m
	bantime = 1h
	ignoreip = 127.0.0.1/8 ::1

	[$JAIL]
	enabled = true
	backend = polling
	filter = sshd
	port = ssh,2200
	logpath = $WORK/auth.log
	action = $2
	EOF
	: >"$WORK/auth.log"
}

run_action() { # name banaction action-line kind backend
	local name=$1 IPT IP6T
	T=$name.py:
	KIND=$4
	IPT=iptables-${5:-legacy} IP6T=ip6tables-${5:-legacy}
	e2e_netns
	F2B_DBFILE=$WORK/f2b.sqlite3 f2b_confdir "$WORK/conf"
	jail_local "$2" "$3"
	e2e_preexisting
	# Connection tracking in use, as on most servers: the restores must not walk its table per ban.
	in_srv nft add rule inet keep input ct state established,related accept
	if ! e2e_listen 22 2200 8080 >"$WORK/setup.out" 2>&1; then
		e2e_fail "$T setup (namespaces, listener)"; e2e_diag <"$WORK/setup.out"; return 0
	fi
	in_srv "$IPT-save" >"$WORK/saved4"
	if ! f2b_start "$JAIL" >"$WORK/start.out" 2>&1; then
		e2e_fail "$T Fail2ban starts jail $JAIL"; e2e_diag <"$WORK/start.out"; return 0
	fi
	f2b set "$JAIL" banip "${BANS4[@]}" "${BANS6[@]}" >/dev/null
	if ! e2e_wait 30 whole; then
		e2e_fail "$T Fail2ban bans ${#BANS4[@]} + ${#BANS6[@]} addresses"; explain | e2e_diag; return 0
	fi
	e2e_ok "$T Fail2ban holds ${#BANS4[@]} + ${#BANS6[@]} bans"
	e2e_check "$T before any removal: a banned client is refused, another address connects" refused
	if [ "$KIND" = nft ] || [ "$5" = nft ]; then
		removal "nft flush ruleset" rm_nft_flush
		removal "nft -f of a file beginning with flush ruleset" rm_nft_file
	else
		untouched "nft flush ruleset" rm_nft_flush "nft flush ruleset (legacy tables)"
	fi
	if [ "$KIND" = ipt ]; then
		removal "$IPT-restore of the ruleset saved before the bans" rm_ipt_restore
		removal "$IPT -F" rm_ipt_flush
		removal "$IPT -F f2b-$JAIL (the chain and its jumps stay, the bans go)" rm_ipt_flush_jail
		fight rm_ipt_flush
	else
		fight rm_nft_flush
	fi
	# A deliberate stop is not undone.
	local w0
	w0=$(warnings)
	f2b stop "$JAIL" >/dev/null 2>&1
	e2e_wait 30 _jail_gone
	sleep 2
	e2e_check "$T fail2ban-client stop $JAIL: the jail's rules are gone and stay gone (no restore)" \
		_stays_gone "$w0"
	e2e_check "$T Fail2ban logged no error" _no_error
	f2b_stop
	e2e_scenario_cleanup
}
_jail_gone() { ! _f2b_has_jail "$JAIL"; }
_stays_gone() {
	local left
	if [ "$KIND" = nft ]; then
		left=$(in_srv nft list tables | grep -F f2b-table)
	else
		left=$( { in_srv "$IPT-save" -t filter; in_srv "$IP6T-save" -t filter; } | grep -F "f2b-$JAIL")
	fi
	[ -z "$left" ] || { echo "left or restored after the stop:"; echo "$left"; return 1; }
	[ "$(warnings)" = "$1" ] || { echo "a restore was logged after the stop"; return 1; }
}
_no_error() { ! grep -E ' (ERROR|CRITICAL) ' "$WORK/fail2ban.log"; }

[ -x "$NFBAN_BUILD/nfban" ] || { echo "Bail out! $NFBAN_BUILD/nfban not built (make B=$NFBAN_BUILD)"; exit 1; }
e2e_init
sel() { [ -z "${NFBAN_E2E_FILTER:-}" ] || [[ $1 =~ $NFBAN_E2E_FILTER ]]; }
IPT_ACTION='%(banaction)s[port="%(port)s", protocol="%(protocol)s", chain="%(chain)s", backend=BACKEND]'
sel nftables && run_action nftables nfban-nftables.py '%(action_)s' nft
sel multiport-nft && run_action multiport-nft nfban-multiport.py "${IPT_ACTION/BACKEND/nft}" ipt nft
sel multiport-legacy && run_action multiport-legacy nfban-multiport.py "${IPT_ACTION/BACKEND/legacy}" ipt legacy
e2e_done
