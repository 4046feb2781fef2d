#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/doctor.sh - nfban doctor against a real Fail2ban.  Before its first ban the jail
# (nfban-multiport, started on demand) has nothing in the kernel: the doctor says so as ok.
# The jail bans an attacker; `nfban doctor probe` through a copy of the ruleset is refused.
# An ACCEPT for port 22 is then put before the jail's jump, and the banned address connects
# again: the doctor names the jail, the shadowing rule and, with ip=, the address (exit 1),
# and the probe is accepted, naming the ACCEPT.  Then the rules are wiped as a foreign reload
# does: the doctor names it, its fix (fail2ban-client restart) is pasted, and the next run is
# healthy.  The kernel is unchanged by every doctor run.
set -uo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

JAIL=sshd
e2e_init
e2e_netns
mkdir -p "$WORK/state"
f2b_confdir "$WORK/conf"
f2b_jail_local "$WORK/conf" "$JAIL" nfban-multiport
bad=${E2E_BAD4[0]}

doctor() { in_srv env NFBAN_STATE_DIR="$WORK/state" "$NFBAN_BIN" doctor --no-probe --socket "$WORK/f2b.sock" "$@"; }
# says STATUS [ARGS...] -- REGEX...: the doctor with ARGS exits STATUS and prints a line
# matching each REGEX.
says() {
	local want=$1 out rc=0 args=() re
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	out=$(doctor "${args[@]}") || rc=$?
	echo "$out"
	[ $rc -eq "$want" ] || return 1
	for re in "$@"; do grep -qE -- "$re" <<<"$out" || return 1; done
}
shadowed() {
	says 1 ip="$bad" -- "^FAIL jail\.shadowed \[$JAIL [a-z]+/inet4\]: .*'-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT'" \
		"^ok +jail\.ip \[$JAIL\]: $bad is in the kernel" \
		"^ok +fail2ban\.bans \[$JAIL\]: Fail2ban's 1 ban of jail $JAIL is in the kernel"
}
on_demand() { says 0 -- "^ok +jail\.chain \[$JAIL\]: Fail2ban lists jail $JAIL with no ban yet"; }
wiped() {
	says 1 -- "^FAIL jail\.chain \[$JAIL\]: Fail2ban holds 1 ban of jail $JAIL, but the kernel has no chain f2b-$JAIL" \
		"^     likely cause: " "^     \\\$ fail2ban-client restart $JAIL\$"
}
probe() { # ADDR RESULT REGEX
	local out
	out=$(in_srv env NFBAN_STATE_DIR="$WORK/state" "$NFBAN_BIN" doctor probe ip="$1" port=22)
	echo "$out"
	grep -q "^result: $2" <<<"$out" && grep -qE -- "$3" <<<"$out"
}
# paste: the fix lines of a doctor run, with this test's Fail2ban's config and socket.
paste_fix() {
	local cmds
	cmds=$(doctor | sed -n 's/^     \$ //p' | sed "s|^fail2ban-client |fail2ban-client -c $WORK/conf -s $WORK/f2b.sock |")
	echo "pasting: $cmds"
	[ -n "$cmds" ] && in_srv bash -euc "$cmds"
}
healthy() { local out; out=$(doctor) && ! grep -q '^FAIL' <<<"$out" || { echo "$out"; return 1; }; }

if ! e2e_listen 22 >"$WORK/setup.out" 2>&1; then
	e2e_fail "doctor: setup"; e2e_diag <"$WORK/setup.out"; e2e_done; exit 0
fi
if ! f2b_start "$JAIL" >"$WORK/start.out" 2>&1; then
	e2e_fail "doctor: Fail2ban starts jail $JAIL"; e2e_diag <"$WORK/start.out"; e2e_done; exit 0
fi
e2e_check "doctor: an on-demand jail before its first ban is ok (exit 0)" on_demand
failed_logins "$bad"
e2e_check "doctor: Fail2ban bans $bad, and it is refused on 22" \
	e2e_wait 30 bash -c "[ \"\$(fail2ban-client -c '$WORK/conf' -s '$WORK/f2b.sock' status $JAIL | grep -c '$bad')\" = 1 ] && ip netns exec $ATT python3 '$E2E_TCP' probe --timeout 1 '$bad,$E2E_SRV_V4,22' | grep -qv ' ok$'"
e2e_check "doctor: with the ban in place, doctor finds nothing failing" healthy
e2e_check "doctor: probe of $bad on 22 through a copy of the ruleset is refused" \
	probe "$bad" refused "f2b-$JAIL"
e2e_check "doctor: probe of ${E2E_GOOD4} on 22 is accepted" probe "$E2E_GOOD4" accepted "^accepted by: "
in_srv iptables -I INPUT 1 -p tcp --dport 22 -j ACCEPT
e2e_check "doctor: after an ACCEPT before the jump, $bad connects to 22 again" \
	bash -c "ip netns exec $ATT python3 '$E2E_TCP' probe --timeout 2 '$bad,$E2E_SRV_V4,22' | grep -q ' ok$'"
e2e_check "doctor: doctor names the jail, the ACCEPT and the address (exit 1)" shadowed
e2e_check "doctor: probe of $bad is accepted now, the ACCEPT named" \
	probe "$bad" accepted "(-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT|ip filter INPUT rule tcp dport 22 .*accept)"
e2e_check "doctor: the kernel is unchanged by doctor" \
	bash -c "b=\$(ip netns exec $SRV iptables-save | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'; ip netns exec $SRV nft list ruleset); \
		$(declare -f in_srv doctor); SRV=$SRV WORK=$WORK NFBAN_BIN=$NFBAN_BIN doctor >/dev/null; \
		a=\$(ip netns exec $SRV iptables-save | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'; ip netns exec $SRV nft list ruleset); [ \"\$b\" = \"\$a\" ]"
# A foreign reload: the saved rules of before Fail2ban restored (here: none at all).
in_srv "$IPT" -F
in_srv "$IPT" -X
e2e_check "doctor: after the jail's rules are wiped, doctor names it, with cause and fix (exit 1)" wiped
e2e_check "doctor: the fix pasted (fail2ban-client restart $JAIL)" paste_fix
e2e_check "doctor: after the fix, doctor finds nothing failing and the ban is back" \
	e2e_wait 30 bash -c "$(declare -f in_srv doctor); SRV=$SRV WORK=$WORK NFBAN_BIN=$NFBAN_BIN; o=\$(doctor ip=$bad) && ! grep -q '^FAIL' <<<\"\$o\" && grep -q '^ok   jail.ip' <<<\"\$o\""
f2b_stop
e2e_done
