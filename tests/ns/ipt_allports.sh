#!/bin/bash
# The allports plugin against the real kernel: one `-p P` jump per protocol,
# every port.  The reference is Fail2ban's stock iptables-allports (type
# allports), run with iptables-legacy in a fresh namespace.
source "$(dirname "$0")/../lib/nstest.sh"
STOCK_TYPE=allports

# ---- Fail2ban's stock commands (action.d/iptables.conf) --------------------
# (The same block opens each ipt_*.sh suite: a suite file cannot source another.)
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
	local ipt="iptables-legacy -w" rej=icmp-port-unreachable
	[ "$fam" = 6 ] && ipt="ip6tables-legacy -w" rej=icmp6-port-unreachable
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
# stock_rules FAMILY: the rules the stock commands remembered so far leave.
stock_rules() {
	in_fresh_ns bash -c "set -e; $(declare -f stock ipt_save ipt_rules)
		$(printf '%s\n' "${STOCK_OPS[@]}")
		ipt_rules $1"
}
# same_as_stock FAMILY: nfban's rules are stock's.
same_as_stock() {
	local want
	want=$(stock_rules "$1")
	assert_eq "$want" "$(ipt_rules "$1")" "nfban's rules against stock's (IPv$1)"
}
kernel_state() { ipt_save 4; ipt_save 6; }
# ---------------------------------------------------------------------------

test_ipv4_every_operation_as_stock() {
	local j=(name=recidive)
	nf allports 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
:f2b-recidive -
-A INPUT -p tcp -j f2b-recidive
-A f2b-recidive -j RETURN
EOF
	same_as_stock 4
	assert_eq "" "$(ipt_rules 6)" "IPv6 untouched"
	nf allports 4 ban "${j[@]}" ip=192.0.2.1
	nf allports 4 ban "${j[@]}" ip=198.51.100.0/24 blocktype=DROP
	same_as_stock 4
	run nfban allports check "${j[@]}"
	assert_status 0 "check"
	nf allports 4 unban "${j[@]}" ip=192.0.2.1
	same_as_stock 4
	nf allports 4 flush "${j[@]}"
	same_as_stock 4
	nf allports 4 stop "${j[@]}"
	same_as_stock 4
	assert_eq "" "$(ipt_rules 4)" "nothing left after stop"
}

test_ipv6_every_operation_as_stock() {
	local j=(name=recidive protocol=tcp,udp)
	nf allports 6 start "${j[@]}"
	assert_ipt 6 <<'EOF'
:f2b-recidive -
-A INPUT -p udp -j f2b-recidive
-A INPUT -p tcp -j f2b-recidive
-A f2b-recidive -j RETURN
EOF
	assert_eq "" "$(ipt_rules 4)" "IPv4 untouched"
	nf allports 6 ban "${j[@]}" ip=2001:db8::1
	nf allports 6 ban "${j[@]}" ip=2001:db8::/32 "blocktype=REJECT --reject-with icmp6-addr-unreachable"
	same_as_stock 6
	nf allports 6 unban "${j[@]}" ip=2001:db8::1
	same_as_stock 6
	nf allports 6 flush "${j[@]}"
	same_as_stock 6
	nf allports 6 stop "${j[@]}"
	same_as_stock 6
	assert_eq "" "$(ipt_rules 6)" "nothing left after stop"
}

# protocol=all is `-p all`: for IPv6 that sets IP6T_F_PROTO, unlike no -p.
test_protocol_all_and_icmp() {
	nf allports 4 start name=all protocol=all
	nf allports 6 start name=all protocol=all
	nf allports 4 start name=icmp protocol=icmp chain=FORWARD
	nf allports 6 start name=icmp protocol=ipv6-icmp,tcp chain=OUTPUT
	assert_match "-A INPUT -j f2b-all" "$(ipt_rules 4)"
	assert_match "-A OUTPUT -p ipv6-icmp -j f2b-icmp" "$(ipt_rules 6)"
	same_as_stock 4
	same_as_stock 6
	nf allports 6 ban name=all protocol=all ip=2001:db8::5
	run nfban allports check family=inet6 name=all protocol=all
	assert_status 0 "check"
	# A rule without -p is not `-p all` to ip6tables: check must not take it.
	ip6tables-legacy -w -D INPUT -p all -j f2b-all
	ip6tables-legacy -w -I INPUT -j f2b-all
	run nfban allports check family=inet6 name=all protocol=all
	assert_status 1 "check with -p all replaced by no -p"
	ip6tables-legacy -w -D INPUT -j f2b-all
	nf allports 6 start name=all protocol=all
	nf allports 4 stop name=all protocol=all
	nf allports 6 stop name=all protocol=all
	nf allports 4 stop name=icmp protocol=icmp chain=FORWARD
	nf allports 6 stop name=icmp protocol=ipv6-icmp,tcp chain=OUTPUT
	assert_eq "" "$(ipt_rules 4; ipt_rules 6)" "stopped"
}

test_port_is_ignored() {
	nf allports 4 start name=x port=99999
	nf allports 4 start name=x port=ssh,http
	assert_ipt 4 <<'EOF'
:f2b-x -
-A INPUT -p tcp -j f2b-x
-A f2b-x -j RETURN
EOF
	run nfban allports check name=x port=whatever
	assert_status 0 "check with another port="
}

test_idempotent_and_unban_of_absent() {
	local j=(name=r protocol=tcp,udp) s
	nf allports 4 start "${j[@]}"
	nf allports 4 ban "${j[@]}" ip=192.0.2.1
	s=$(kernel_state)
	run nfban allports start "${j[@]}"
	assert_status 0 "second start"
	run nfban allports ban "${j[@]}" ip=192.0.2.1
	assert_status 0 "second ban"
	assert_match "already banned" "$err"
	run nfban allports unban "${j[@]}" ip=192.0.2.2
	assert_status 0 "unban of an address not banned"
	assert_match "not banned" "$err"
	assert_eq "$s" "$(kernel_state)" "nothing changed"
	nf allports 4 stop "${j[@]}"
	run nfban allports stop "${j[@]}"
	assert_status 0 "second stop"
	assert_eq "" "$(ipt_rules 4)"
}

test_check_fails_when_a_jump_is_deleted_by_hand() {
	local j=(name=r protocol=tcp,udp)
	nf allports 4 start "${j[@]}"
	iptables-legacy -w -D INPUT -p tcp -j f2b-r
	run nfban allports check "${j[@]}"
	assert_status 1 "check with the tcp jump gone"
	assert_match "missing" "$err"
	nf allports 4 start "${j[@]}"
	run nfban allports check "${j[@]}"
	assert_status 0 "check after repair"
}

test_interoperates_with_stock_allports() {
	local j=(name=r protocol=tcp,udp)
	stock allports 6 start "${j[@]}"
	stock allports 6 ban "${j[@]}" ip=2001:db8::7
	run nfban allports check family=inet6 "${j[@]}"
	assert_status 0 "nfban check on stock rules"
	run nfban allports unban family=inet6 "${j[@]}" ip=2001:db8::7
	assert_eq "" "$err" "unban found the stock ban"
	run nfban allports stop family=inet6 "${j[@]}"
	assert_status 0
	assert_eq "" "$(ipt_rules 6)" "stock rules removed by nfban"
}

test_rejected_input_leaves_kernel_unchanged() {
	local s c args
	nf allports 4 start name=r
	nf allports 4 ban name=r ip=192.0.2.1
	s=$(kernel_state)
	while IFS= read -r c; do
		IFS=';' read -ra args <<<"$c"
		run nfban allports "${args[@]}"
		assert_status 2 "$c"
		assert_lines "$err"
		assert_eq "$s" "$(kernel_state)" "kernel after: $c"
	done <<'EOF'
start;name=r;protocol=nosuchproto
start;name=r;protocol=tcp,tcp
start;name=r;returntype=FORWARD
ban;name=r;ip=192.0.2.0/33
ban;name=r;ip=192.0.2.1;protocol=udp;blocktype=REJECT --reject-with tcp-reset
unban;name=r
EOF
}

run_suite "$@"
