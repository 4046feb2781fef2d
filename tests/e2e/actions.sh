#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/actions.sh - what Fail2ban makes of this repo's action files, command by command.
#
# Fail2ban's own ActionReader and CommandAction (tests/e2e/f2b_render.py, nothing runs) render
# every command a jail's life runs - ban (which starts the family on demand), unban, check,
# flush, stop, for inet4 and inet6 - and each must equal, byte for byte, the command line this
# suite states: `<nfban> <plugin> <operation> key='value' ... family=<family> [ip=<ip>]`, with
# the stock defaults, the jail's parameters, and the .local overrides (one action's, and
# nfban-iptables-common.local for the three iptables actions).  No root, no namespace, no
# build needed: only the action files and Debian's Fail2ban (/usr/bin/python3).
set -uo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

if ! /usr/bin/python3 -c 'import fail2ban' 2>/dev/null; then
	echo "1..0 # SKIP Fail2ban's Python package is not installed"
	exit 0
fi
T=$(mktemp -d /tmp/nfban-actions.XXXXXX)
trap 'rm -rf "$T"; nstest_done' EXIT
NF=/sbin-under-test/nfban

# confdir DIR: the action files as `make install` leaves them (@SBINDIR@ = /sbin-under-test).
confdir() {
	local f
	mkdir -p "$1/action.d"
	for f in "$NFBAN_ROOT"/action.d/*.conf; do
		sed "s|@SBINDIR@|${NF%/nfban}|g" "$f" >"$1/action.d/$(basename "$f")"
	done
}

# lifecycle NFBAN PLUGIN ONDEMAND ARGS4 ARGS6: the commands f2b_render.py's jail runs, in
# order, when every operation passes ARGSn for family n (ONDEMAND: True, or False when
# actionstart_on_demand = false starts both families with the jail).
lifecycle() {
	local nf=$1 p=$2 od=$3 a4=$4 a6=$5
	echo "start-on-demand: $od"
	if [ "$od" = False ]; then
		echo "jail start: $nf $p start $a4"
		echo "jail start: $nf $p start $a6"
	fi
	local fam a ip1 ip2
	for fam in inet4 inet6; do
		if [ $fam = inet4 ]; then a=$a4 ip1=192.0.2.1 ip2=192.0.2.2; else a=$a6 ip1=2001:db8::1 ip2=2001:db8::2; fi
		[ "$od" = True ] && echo "$fam ban: $nf $p start $a"
		echo "$fam ban: $nf $p ban $a ip=$ip1"
		echo "$fam unban: $nf $p unban $a ip=$ip1"
		echo "$fam ban: $nf $p ban $a ip=$ip2"
	done
	local op
	for op in check flush stop; do
		echo "$op: $nf $p $op $a4"
		echo "$op: $nf $p $op $a6"
	done
}

# same CONFDIR ACTION 'KEY=VALUE ...' EXPECTED: Fail2ban's commands for the jail
# `action = ACTION[KEY=VALUE, ...]` equal EXPECTED (the keys it sends to the server are left out).
same() {
	local conf=$1 action=$2 got
	local -a kv
	eval "kv=($3)"
	got=$(/usr/bin/python3 "$E2E_DIR/f2b_render.py" "$conf" "$action" "${kv[@]}" 2>&1 | grep -v '^set ') ||
		{ echo "f2b_render.py failed:"; echo "$got"; return 1; }
	[ "$got" == "$4" ] && return 0
	echo "Fail2ban runs (+), this suite expects (-):"
	diff -u <(echo "$4") <(echo "$got") | tail -n +3
	return 1
}

# ipt_args NAME CHAIN PORT PROTOCOL BLOCKTYPE RETURNTYPE FALLBACK FAMILY: the keys every
# operation of an iptables action passes (PORT "-": none, as allports).
ipt_args() {
	local port=
	[ "$3" != - ] && port=" port='$3'"
	echo "name='$1' chain='$2'$port protocol='$4' blocktype='$5' returntype='$6' backend='auto' lock_wait=20 fallback='$7' kill_sessions='jail' family=$8"
}
R4='REJECT --reject-with icmp-port-unreachable' R6='REJECT --reject-with icmp6-port-unreachable'

C=$T/plain
confdir "$C"

# 1. Defaults: stock's (port ssh, protocol tcp, chain INPUT, RETURN, port-unreachable per
#    family), the jail's name, and each action's plugin, match keys and fallback.
for spec in "multiport ssh perport,nftables" "allports - nftables" "perport ssh nftables"; do
	read -r p port fb <<<"$spec"
	e2e_check "nfban-$p, defaults: plugin $p, port ${port/-/not passed}, fallback $fb, per-family reject" \
		same "$C" "nfban-$p" "" "$(lifecycle $NF $p True \
			"$(ipt_args sshd INPUT "$port" tcp "$R4" RETURN "$fb" inet4)" \
			"$(ipt_args sshd INPUT "$port" tcp "$R6" RETURN "$fb" inet6)")"
done

# 2. A jail's parameters reach every operation of both families (blocktype too: unlike stock,
#    the action's inet6 default does not override the jail's); allports passes no port.
J="name=recidive port=ssh,2222 protocol=tcp,udp blocktype=DROP chain=FORWARD returntype=ACCEPT fallback="
for spec in "multiport ssh,2222" "allports -" "perport ssh,2222"; do
	read -r p port <<<"$spec"
	e2e_check "nfban-$p: the jail's name, port, protocol, blocktype, chain, returntype, empty fallback" \
		same "$C" "nfban-$p" "$J" "$(lifecycle $NF $p True \
			"$(ipt_args recidive FORWARD "$port" tcp,udp DROP ACCEPT '' inet4)" \
			"$(ipt_args recidive FORWARD "$port" tcp,udp DROP ACCEPT '' inet6)")"
done

# 3. nfban = a command with arguments; actionstart_on_demand = false starts both families.
O="/opt/x/sbin/nfban --plugin-dir /opt/x/lib"
e2e_check "nfban-perport[nfban=\"$O\", actionstart_on_demand=false]: both families start with the jail" \
	same "$C" nfban-perport "nfban=${O// /\\ } actionstart_on_demand=false" "$(lifecycle "$O" perport False \
		"$(ipt_args sshd INPUT ssh tcp "$R4" RETURN nftables inet4)" \
		"$(ipt_args sshd INPUT ssh tcp "$R6" RETURN nftables inet6)")"

# 4. .local files: nfban-iptables-common.local for all three iptables actions (a key the
#    action file sets itself, fallback, stays the action's), one action's own .local over it.
L=$T/locals
confdir "$L"
cat >"$L/action.d/nfban-iptables-common.local" <<-'EOF'
	[Init]
	nfban = /common/nfban
	returntype = DROP
	fallback = allports
	[Init?family=inet6]
	blocktype = REJECT --reject-with icmp6-adm-prohibited
EOF
printf '[Init]\nnfban = /own/nfban\n' >"$L/action.d/nfban-perport.local"
A6='REJECT --reject-with icmp6-adm-prohibited'
e2e_check "nfban-iptables-common.local: nfban, returntype and the inet6 blocktype apply to nfban-multiport" \
	same "$L" nfban-multiport "" "$(lifecycle /common/nfban multiport True \
		"$(ipt_args sshd INPUT ssh tcp "$R4" DROP perport,nftables inet4)" \
		"$(ipt_args sshd INPUT ssh tcp "$A6" DROP perport,nftables inet6)")"
e2e_check "nfban-iptables-common.local: ... and to nfban-allports" \
	same "$L" nfban-allports "" "$(lifecycle /common/nfban allports True \
		"$(ipt_args sshd INPUT - tcp "$R4" DROP nftables inet4)" \
		"$(ipt_args sshd INPUT - tcp "$A6" DROP nftables inet6)")"
e2e_check "nfban-perport.local's nfban wins over nfban-iptables-common.local's" \
	same "$L" nfban-perport "" "$(lifecycle /own/nfban perport True \
		"$(ipt_args sshd INPUT ssh tcp "$R4" DROP nftables inet4)" \
		"$(ipt_args sshd INPUT ssh tcp "$A6" DROP nftables inet6)")"

# 5. nftables: stock nftables.conf's defaults; the set's name and family are not passed.
nft_args() { # TYPE FAMILY [overrides: name port protocol table table_family priority blocktype]
	echo "name='${3:-sshd}' type='$1' port='${4:-ssh}' protocol='${5:-tcp}' table='${6:-f2b-table}' table_family='${7:-inet}' chain='f2b-chain' chain_type='filter' chain_hook='input' chain_priority='${8:--1}' blocktype='${9:-reject}' kill_sessions='jail' family=$2"
}
for t in multiport allports; do
	a=nfban-nftables
	[ $t = allports ] && a=nfban-nftables-allports
	e2e_check "$a, defaults: type $t, table inet f2b-table, chain f2b-chain, reject" \
		same "$C" $a "" "$(lifecycle $NF nftables True "$(nft_args $t inet4)" "$(nft_args $t inet6)")"
done
e2e_check "nfban-nftables: the jail's parameters reach both families; addr_set does not" \
	same "$C" nfban-nftables "name=web port=http,https protocol=tcp,udp table=t2 table_family=ip chain_priority=filter+1 blocktype=drop addr_set=zzz" \
	"$(lifecycle $NF nftables True \
		"$(nft_args multiport inet4 web http,https tcp,udp t2 ip filter+1 drop)" \
		"$(nft_args multiport inet6 web http,https tcp,udp t2 ip filter+1 drop)")"

e2e_done
