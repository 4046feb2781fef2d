# SPDX-License-Identifier: GPL-2.0-or-later
# stock_ipt.sh - Fail2ban's stock iptables commands (action.d/iptables.conf),
# the reference every ipt_*.sh suite compares nfban with.  Source it after
# nstest.sh, with STOCK_TYPE set to the stock `type` the suite mirrors.
# stock TYPE FAMILY OP KEY=VALUE...: the commands the stock action runs for OP.
# TYPE is the stock `type` (multiport, allports, oneport).  oneport takes one
# port; for a list, its rule is made once per port, the last port first (each
# goes on top), which is what perport does.  flush_keep is the stock flush
# followed by re-adding the return rule: nfban's flush keeps that rule.
stock() {
	local type=$1 fam=$2 op=$3 kv proto r rules
	shift 3
	local name=default chain=INPUT port=ssh protocol=tcp returntype=RETURN ip= blocktype=
	for kv in "$@"; do local "${kv%%=*}=${kv#*=}"; done
	local ipt="$IPT -w" rej=icmp-port-unreachable
	[ "$fam" = 6 ] && ipt="$IP6T -w" rej=icmp6-port-unreachable
	: "${blocktype:=REJECT --reject-with $rej}"
	_rules() { # PROTO: the jump rules of one protocol, in insertion order
		case $type in
		multiport) echo "-p $1 -m multiport --dports $port -j f2b-$name" ;;
		allports) echo "-p $1 -j f2b-$name" ;;
		oneport) printf '%s\n' ${port//,/ } | tac | while read -r p; do
				echo "-p $1 --dport $p -j f2b-$name"; done ;;
		esac
	}
	case $op in
	start)
		{ $ipt -C "f2b-$name" -j $returntype >/dev/null 2>&1; } ||
			{ $ipt -N "f2b-$name" || true; $ipt -A "f2b-$name" -j $returntype; }
		for proto in ${protocol//,/ }; do
			mapfile -t rules < <(_rules "$proto")
			for r in "${rules[@]}"; do
				# ip6tables-legacy 1.8.9's -C finds `--dport 22` in a chain
				# holding `--dport 80` (its -D does not): with several
				# rules of one protocol, -C is skipped.
				if [ ${#rules[@]} -gt 1 ]; then $ipt -I "$chain" $r; continue; fi
				{ $ipt -C "$chain" $r >/dev/null 2>&1; } || $ipt -I "$chain" $r
			done
		done ;;
	stop)
		for proto in ${protocol//,/ }; do
			mapfile -t rules < <(_rules "$proto")
			for r in "${rules[@]}"; do $ipt -D "$chain" $r; done
		done
		$ipt -F "f2b-$name"
		$ipt -X "f2b-$name" ;;
	ban) $ipt -I "f2b-$name" 1 -s "$ip" -j $blocktype ;;
	unban) $ipt -D "f2b-$name" -s "$ip" -j $blocktype ;;
	flush) $ipt -F "f2b-$name" ;;
	flush_keep) $ipt -F "f2b-$name"; $ipt -A "f2b-$name" -j $returntype ;;
	esac
}

STOCK_OPS=()
# nf PLUGIN FAMILY OP KEY=VALUE...: nfban must succeed; the stock equivalent
# (of type $STOCK_TYPE) is remembered.
nf() {
	local plugin=$1 fam=$2 op=$3
	shift 3
	run nfban "$plugin" "$op" "family=inet$fam" "$@"
	assert_status 0 "nfban $plugin $op $*"
	[ "$op" = flush ] && op=flush_keep
	STOCK_OPS+=("$(printf '%q ' stock "$STOCK_TYPE" "$fam" "$op" "$@")")
}
# nft_table_json 4|6: `nft -j list table ip|ip6 filter` (nf_tables only),
# handles and counter values removed; empty without the table.
nft_table_json() {
	local fam=ip
	[ "${1:-4}" = 6 ] && fam=ip6
	[ "$NFBAN_IPT_BACKEND" = nft ] || return 0
	{ nft -j list table $fam filter 2>/dev/null || true; } |
		sed -E -e 's/"handle": [0-9]+/"handle": H/g' -e 's/"(packets|bytes)": [0-9]+/"\1": N/g' \
			-e 's/\{"metainfo": \{[^}]*\}\}, //'
}
# ipt_state FAMILY: what the comparisons look at: the rules as
# iptables-<backend>-save prints them and, for nft, the table's expressions
# (nft --debug=netlink) and its JSON.
ipt_state() { ipt_rules "$1"; nft_netlink "$1"; nft_table_json "$1"; }
# stock_fns: the definitions a fresh namespace's bash needs to run `stock` and `ipt_state`.
stock_fns() { declare -f stock ipt_save ipt_rules nft_netlink nft_table_json ipt_state; }
# stock_rules FAMILY: the state the stock commands remembered so far leave.
stock_rules() {
	in_fresh_ns bash -c "set -e; $(stock_fns)
		$(printf '%s\n' "${STOCK_OPS[@]}")
		ipt_state $1"
}
# same_as_stock FAMILY: nfban's rules are stock's.
same_as_stock() {
	local want
	want=$(stock_rules "$1")
	assert_eq "$want" "$(ipt_state "$1")" "nfban's rules against stock's (IPv$1, $NFBAN_IPT_BACKEND)"
}
kernel_state() { ipt_save 4; ipt_save 6; nft_netlink 4; nft_netlink 6; }
