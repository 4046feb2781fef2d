#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/doctor.sh - nfban doctor against a real Fail2ban: a jail (nfban-multiport) bans an
# attacker, an ACCEPT for port 22 is then put before the jail's jump, and the banned address
# connects again.  nfban doctor, run in the server namespace with Fail2ban's socket, must
# name the jail, the shadowing rule and, with ip=, the address; exit 1; the kernel unchanged.
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
shadowed() {
	local out rc=0
	out=$(doctor ip="$bad") || rc=$?
	echo "$out"
	[ $rc -eq 1 ] &&
		grep -qE "^FAIL jail\.shadowed \[$JAIL [a-z]+/inet4\]: .*'-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT'" <<<"$out" &&
		grep -qE "^ok +jail\.ip \[$JAIL\]: $bad is in the kernel" <<<"$out" &&
		grep -qE "^ok +fail2ban\.bans \[$JAIL\]: Fail2ban's 1 ban of jail $JAIL are all in the kernel" <<<"$out"
}
healthy() { local out; out=$(doctor) && ! grep -q '^FAIL' <<<"$out" || { echo "$out"; return 1; }; }

if ! e2e_listen 22 >"$WORK/setup.out" 2>&1; then
	e2e_fail "doctor: setup"; e2e_diag <"$WORK/setup.out"; e2e_done; exit 0
fi
if ! f2b_start "$JAIL" >"$WORK/start.out" 2>&1; then
	e2e_fail "doctor: Fail2ban starts jail $JAIL"; e2e_diag <"$WORK/start.out"; e2e_done; exit 0
fi
failed_logins "$bad"
e2e_check "doctor: Fail2ban bans $bad, and it is refused on 22" \
	e2e_wait 30 bash -c "[ \"\$(fail2ban-client -c '$WORK/conf' -s '$WORK/f2b.sock' status $JAIL | grep -c '$bad')\" = 1 ] && ip netns exec $ATT python3 '$E2E_TCP' probe --timeout 1 '$bad,$E2E_SRV_V4,22' | grep -qv ' ok$'"
e2e_check "doctor: with the ban in place, doctor finds nothing failing" healthy
in_srv iptables -I INPUT 1 -p tcp --dport 22 -j ACCEPT
e2e_check "doctor: after an ACCEPT before the jump, $bad connects to 22 again" \
	bash -c "ip netns exec $ATT python3 '$E2E_TCP' probe --timeout 2 '$bad,$E2E_SRV_V4,22' | grep -q ' ok$'"
e2e_check "doctor: doctor names the jail, the ACCEPT and the address (exit 1)" shadowed
e2e_check "doctor: the kernel is unchanged by doctor" \
	bash -c "b=\$(ip netns exec $SRV iptables-save | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'; ip netns exec $SRV nft list ruleset); \
		$(declare -f in_srv doctor); SRV=$SRV WORK=$WORK NFBAN_BIN=$NFBAN_BIN doctor >/dev/null; \
		a=\$(ip netns exec $SRV iptables-save | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'; ip netns exec $SRV nft list ruleset); [ \"\$b\" = \"\$a\" ]"
f2b_stop
e2e_done
