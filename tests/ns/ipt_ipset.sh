#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ipset and ipset-allports plugins against the real kernel.  The reference
# is Fail2ban's stock iptables-ipset-proto6 / -allports (iptables-ipset.conf of
# Fail2ban 1.1.0: 1.0.2's differs only in not passing maxelem, whose default
# is the kernel's 65536), run with iptables-legacy (or iptables-nft:
# NFBAN_IPT_BACKEND=nft) and ipset in a fresh namespace.  Compared: the
# iptables saves, nf_tables' expressions, and `ipset save` without the set's
# random initval (its lines sorted: a hash set lists in hash order).
source "$(dirname "$0")/../lib/nstest.sh"

# inproc_bans ACTION N KEY=VALUE...: N bans (10.<i>/8 addresses) on one libnfban handle, in
# this process, as an in-process Fail2ban action makes them; prints every notice.
# (An ASan build's libnfban needs its runtime loaded first: Python's own leaks are not ours.)
inproc_bans() {
	local asan
	asan=$(ldd "$NFBAN_PLUGIN_DIR/libnfban.so" | awk '/libasan/ {print $3}')
	LD_PRELOAD=$asan ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" /usr/bin/python3 - "$@" <<'PY'
import ctypes, sys
action, n, keys = sys.argv[1], int(sys.argv[2]), [k.encode() for k in sys.argv[3:]]
class Result(ctypes.Structure):
	_fields_ = [("status", ctypes.c_int), ("kernel_errno", ctypes.c_int), ("fallback", ctypes.c_int),
	            ("plugin", ctypes.c_char * 32), ("message", ctypes.c_char * 512), ("notice", ctypes.c_char * 512)]
import os
lib = ctypes.CDLL(os.path.join(os.environ["NFBAN_PLUGIN_DIR"], "libnfban.so"))
lib.nfban_jail_open.restype = ctypes.c_void_p
lib.nfban_jail_run.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                               ctypes.POINTER(Result)]
res = Result()
h = lib.nfban_jail_open(None, action.encode(), len(keys), (ctypes.c_char_p * len(keys))(*keys),
                        ctypes.byref(res))
if not h:
	sys.exit("open: " + res.message.decode())
for i in range(1, n + 1):
	ip = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
	if lib.nfban_jail_run(ctypes.c_void_p(h), b"ban", None, ip.encode(), ctypes.byref(res)) != 0:
		sys.exit("ban %s: %s" % (ip, res.message.decode()))
	if res.notice:
		print(res.notice.decode(), file=sys.stderr)
PY
}

# stock_ipset TYPE FAMILY OP KEY=VALUE...: the commands of iptables-ipset.conf
# for OP (TYPE: multiport for -proto6, allports for -proto6-allports).
stock_ipset() {
	local type=$1 fam=$2 op=$3 kv proto
	shift 3
	local name=default chain=INPUT port=22 protocol=tcp ip= blocktype= ipsettime=0
	local default_ipsettime=0 maxelem=65536
	for kv in "$@"; do kv=${kv/#default-ipsettime=/default_ipsettime=}; local "${kv%%=*}=${kv#*=}"; done
	local ipt="$IPT -w" rej=icmp-port-unreachable set=f2b-$name fopt=
	[ "$fam" = 6 ] && ipt="$IP6T -w" rej=icmp6-port-unreachable set=f2b-${name}6 fopt="family inet6"
	: "${blocktype:=REJECT --reject-with $rej}"
	_rule() {
		case $type in
		multiport) echo "-p $1 -m multiport --dports $port -m set --match-set $set src -j $blocktype" ;;
		allports) echo "-p $1 -m set --match-set $set src -j $blocktype" ;;
		esac
	}
	case $op in
	start)
		ipset -exist create "$set" hash:ip timeout "$default_ipsettime" maxelem "$maxelem" $fopt
		for proto in ${protocol//,/ }; do
			{ $ipt -C "$chain" $(_rule "$proto") >/dev/null 2>&1; } || $ipt -I "$chain" $(_rule "$proto")
		done ;;
	stop)
		for proto in ${protocol//,/ }; do $ipt -D "$chain" $(_rule "$proto"); done
		ipset flush "$set"
		ipset destroy "$set" ;;
	check) for proto in ${protocol//,/ }; do $ipt -C "$chain" $(_rule "$proto"); done ;;
	ban) ipset -exist add "$set" "$ip" timeout "$ipsettime" ;;
	unban) ipset -exist del "$set" "$ip" ;;
	flush) ipset flush "$set" ;;
	esac
}

# ipset_state: `ipset save`, initval removed, lines sorted.
ipset_state() { ipset save | sed -E 's/ initval 0x[0-9a-f]+//' | sort; }
state() { ipt_rules 4; nft_netlink 4; ipt_rules 6; nft_netlink 6; ipset_state; }
# left: rules and sets (iptables-nft, as nfban, leaves its tables and base chains behind).
left() { ipt_rules 4; ipt_rules 6; ipset_state; }

STOCK_OPS=()
# nfs PLUGIN FAMILY OP KEY=VALUE...: nfban must succeed; stock's equivalent is remembered.
nfs() {
	local plugin=$1 fam=$2 op=$3 type=multiport
	shift 3
	[ "$plugin" = ipset-allports ] && type=allports
	run nfban "$plugin" "$op" "family=inet$fam" "$@"
	assert_status 0 "nfban $plugin $op $*"
	STOCK_OPS+=("$(printf '%q ' stock_ipset "$type" "$fam" "$op" "$@")")
}
same_as_stock() { # what
	local want
	want=$(in_fresh_ns bash -c "set -e; $(declare -f stock_ipset ipt_save ipt_rules nft_netlink ipset_state state)
		$(printf '%s\n' "${STOCK_OPS[@]}")
		state")
	assert_eq "$want" "$(state)" "nfban against stock ($1, $NFBAN_IPT_BACKEND)"
}

test_ipv4_every_operation_as_stock() {
	local j=(name=sshd port=22,80,8000:8010 protocol=tcp,udp)
	nfs ipset 4 start "${j[@]}"
	assert_ipt 4 <<'EOF'
-A INPUT -p udp -m multiport --dports 22,80,8000:8010 -m set --match-set f2b-sshd src -j REJECT --reject-with icmp-port-unreachable
-A INPUT -p tcp -m multiport --dports 22,80,8000:8010 -m set --match-set f2b-sshd src -j REJECT --reject-with icmp-port-unreachable
EOF
	same_as_stock start
	nfs ipset 4 ban "${j[@]}" ip=192.0.2.1
	nfs ipset 4 ban "${j[@]}" ip=198.51.100.7
	nfs ipset 4 ban "${j[@]}" ip=192.0.2.1
	same_as_stock bans
	run nfban ipset check "${j[@]}"
	assert_status 0 "check: $err"
	nfs ipset 4 unban "${j[@]}" ip=192.0.2.1
	nfs ipset 4 unban "${j[@]}" ip=203.0.113.9
	same_as_stock unban
	nfs ipset 4 flush "${j[@]}"
	same_as_stock flush
	nfs ipset 4 ban "${j[@]}" ip=192.0.2.2
	nfs ipset 4 stop "${j[@]}"
	same_as_stock stop
	assert_eq "" "$(left)" "nothing left after stop"
}

test_ipv6_every_operation_as_stock() {
	local j=(name=recidive protocol=tcp,udp blocktype=DROP default-ipsettime=0 maxelem=1000)
	nfs ipset-allports 6 start "${j[@]}"
	assert_ipt 6 <<'EOF'
-A INPUT -p udp -m set --match-set f2b-recidive6 src -j DROP
-A INPUT -p tcp -m set --match-set f2b-recidive6 src -j DROP
EOF
	assert_eq "" "$(ipt_rules 4)" "IPv4 untouched"
	nfs ipset-allports 6 ban "${j[@]}" ip=2001:db8::1
	nfs ipset-allports 6 ban "${j[@]}" ip=2001:db8:5::77
	same_as_stock bans
	nfs ipset-allports 6 unban "${j[@]}" ip=2001:db8::1
	same_as_stock unban
	nfs ipset-allports 6 flush "${j[@]}"
	same_as_stock flush
	nfs ipset-allports 6 stop "${j[@]}"
	same_as_stock stop
	assert_eq "" "$(left)" "nothing left after stop"
}

test_both_families_and_chains_side_by_side() {
	nfs ipset 4 start name=web port=80,443 chain=FORWARD
	nfs ipset 6 start name=web port=80,443 chain=FORWARD
	nfs ipset-allports 4 start name=all
	nfs ipset 4 ban name=web port=80,443 chain=FORWARD ip=192.0.2.8
	nfs ipset 6 ban name=web port=80,443 chain=FORWARD ip=2001:db8::8
	nfs ipset-allports 4 ban name=all ip=192.0.2.9
	same_as_stock "two families, two chains"
	# A second start adds nothing (stock's -C || -I, -exist create).
	nfs ipset 4 start name=web port=80,443 chain=FORWARD
	same_as_stock "second start"
	nfs ipset 6 stop name=web port=80,443 chain=FORWARD
	nfs ipset 4 stop name=web port=80,443 chain=FORWARD
	nfs ipset-allports 4 stop name=all
	assert_eq "" "$(left)" "nothing left"
}

test_ipsettime_is_the_ban_timeout() {
	local j=(name=t port=22 ipsettime=600 default-ipsettime=3600) t
	nfs ipset 4 start "${j[@]}"
	nfs ipset 4 ban "${j[@]}" ip=192.0.2.3
	assert_match "^create f2b-t hash:ip family inet hashsize [0-9]+ maxelem 65536 timeout 3600 " "$(ipset save f2b-t)"
	t=$(ipset save f2b-t | sed -nE 's/^add f2b-t 192.0.2.3 timeout ([0-9]+)$/\1/p')
	[ -n "$t" ] && [ "$t" -le 600 ] && [ "$t" -ge 590 ] || fail "timeout of the ban is '$t', expected ~600"
	nfs ipset 4 stop "${j[@]}"
}

test_interoperates_with_stock() {
	local j=(name=r protocol=tcp,udp port=22)
	stock_ipset multiport 4 start "${j[@]}"
	stock_ipset multiport 4 ban "${j[@]}" ip=192.0.2.7
	run nfban ipset check "${j[@]}"
	assert_status 0 "nfban check on stock's jail: $err"
	run nfban ipset unban "${j[@]}" ip=192.0.2.7
	assert_status 0 "nfban unban of stock's ban"
	assert_eq "" "$(ipset save f2b-r | grep '^add' || true)" "the ban is gone"
	run nfban ipset stop "${j[@]}"
	assert_status 0 "nfban stop of stock's jail: $err"
	assert_eq "" "$(left)" "stock's jail removed by nfban"
	# And the other way round: stock's -C finds nfban's jumps, stock's stop removes them.
	run nfban ipset start family=inet6 "${j[@]}"
	assert_status 0
	stock_ipset multiport 6 check "${j[@]}"
	stock_ipset multiport 6 stop "${j[@]}"
	assert_eq "" "$(left)" "nfban's jail removed by stock"
}

test_check_absent_and_stop_when_not_started() {
	local j=(name=c port=22) s
	run nfban ipset check "${j[@]}"
	assert_status 1 "check of a jail never started"
	assert_match "does not exist" "$err"
	run nfban ipset stop "${j[@]}"
	assert_status 0 "stop of a jail never started"
	nfban ipset start "${j[@]}"
	$IPT -w -D INPUT -p tcp -m multiport --dports 22 -m set --match-set f2b-c src \
		-j REJECT --reject-with icmp-port-unreachable
	run nfban ipset check "${j[@]}"
	assert_status 1 "check with the jump gone"
	assert_match "missing" "$err"
	nfban ipset start "${j[@]}"
	run nfban ipset check "${j[@]}"
	assert_status 0 "check after repair"
	# A rule of someone else's uses the set: stop fails whole, the jail as it was.
	$IPT -w -A OUTPUT -m set --match-set f2b-c dst -j ACCEPT
	s=$(state)
	run nfban ipset stop "${j[@]}"
	assert_status 1 "stop with the set in use elsewhere"
	assert_match "ipset destroy f2b-c: .*in use" "$err"
	assert_eq "$s" "$(state)" "the jail as it was"
	$IPT -w -D OUTPUT -m set --match-set f2b-c dst -j ACCEPT
	nfban ipset stop "${j[@]}"
	assert_eq "" "$(left)"
}

test_rejected_input_leaves_kernel_unchanged() {
	local s c args
	nfban ipset start name=r
	nfban ipset ban name=r ip=192.0.2.1
	s=$(state)
	while IFS= read -r c; do
		IFS=';' read -ra args <<<"$c"
		run nfban ipset "${args[@]}"
		assert_status 2 "$c"
		assert_lines "$err"
		assert_eq "$s" "$(state)" "kernel after: $c"
	done <<'EOF'
ban;name=r;ip=192.0.2.5;ipsettime=10m
ban;name=r;ip=192.0.2.5;ipsettime=2147484
start;name=r;default-ipsettime=-1
start;name=r;maxelem=0
start;name=r;maxelem=4294967296
start;name=r;blocktype=f2b-r
start;name=r;protocol=nosuchproto
ban;name=r;ip=192.0.2.0/33
EOF
	assert_match "ipsettime='10m'" "$(nfban ipset ban name=r ip=192.0.2.5 ipsettime=10m 2>&1 || true)"
}

# Beyond stock: a full set grows (a set of twice the size filled, swapped in, the old one
# destroyed) instead of answering "Hash is full" while the ban does nothing.  70,000 bans in
# process on maxelem=65536.
test_full_set_grows_without_losing_a_ban() {
	local j=(name=big maxelem=65536) n=70000
	nfban ipset start "${j[@]}"
	run inproc_bans ipset "$n" "${j[@]}"
	assert_status 0 "70,000 bans: $err"
	# The kernel counts a set full at about maxelem (per region, so a few more may go in).
	assert_match "^ipset: jail big \(inet4\): ban 10\.1\.0\.[0-9]+: ipset f2b-big was full: grown to maxelem 131072 \(swapped in, 655[0-9][0-9] bans kept\)$" "$err" "the one notice"
	assert_eq "$n" "$(ipset save f2b-big | grep -c '^add ')" "bans in the grown set"
	assert_match "maxelem 131072 " "$(ipset save f2b-big | head -n1)"
	# The jump matches the grown set (same name, same index): stock's -C finds it.
	stock_ipset multiport 4 check name=big port=22
	assert_eq "" "$(ipset list -n | grep -v '^f2b-big$' || true)" "no other set left"
	nfban ipset stop "${j[@]}"
	assert_eq "" "$(left)"
}

# A group of bans (nfban_jail_ban_many: the .py actions' BanGrouper) is one ipset message of
# its members: the sets as stock's `ipset -exist add`s one by one leave them, an address twice
# or banned already no error; a group the set has no room for (members + group > maxelem) is
# refused whole, nothing sent (the host then bans one by one, the set growing as a ban needs).
test_group_bans_as_stock() {
	local j=(name=grp port=22 maxelem=300) ips4 ips6 ip s
	ips4=$(seq -f '10.7.0.%g' 1 200 | paste -sd,)
	ips6=$(seq -f '2001:db8::%g' 1 130 | paste -sd,)
	nfs ipset 4 start "${j[@]}"
	nfs ipset 6 start "${j[@]}"
	steps_open ipset "${j[@]}"
	step_ok bans "$ips4,10.7.0.1"
	step_ok bans "$ips6"
	step_ok bans 10.7.0.5,10.7.1.1
	step_ok unban 10.7.0.7
	stock_bans "$ips4,10.7.1.1" stock_ipset multiport 4 ban "${j[@]}"
	stock_bans "$ips6" stock_ipset multiport 6 ban "${j[@]}"
	STOCK_OPS+=("$(printf '%q ' stock_ipset multiport 4 unban "${j[@]}" ip=10.7.0.7)")
	same_as_stock "groups of 201, 130 and 2"
	s=$(state)
	step bans "$(seq -f '10.8.0.%g' 1 101 | paste -sd,)"
	assert_eq 4 "$st" "a group of 101 into a set holding 200 of maxelem 300: $msg"
	assert_eq "$s" "$(state)" "the kernel after a group the set has no room for"
	step_ok bans "$(seq -f '10.8.0.%g' 1 100 | paste -sd,)"
	assert_eq 300 "$(ipset save f2b-grp | grep -c '^add ')" "a group of 100 that fits"
	nfs ipset 4 stop "${j[@]}"
	nfs ipset 6 stop "${j[@]}"
	assert_eq "" "$(left)" "nothing left after stop"
}

# nfban-ipset.py's bans grouped, as nfban-multiport.py's (tests/ns/py_groups.py says what is
# asked): the set 300 grouped bans leave is the set stock's `ipset -exist add`s leave.
test_py_grouped_bans_as_stock() {
	py_groups_start ipset
	py_groups_stock_ops stock_ipset multiport 4
	same_as_stock "the grouped bans"
	py_groups_end
	assert_eq "" "$(ipset save f2b-grp | grep '^add ' || true)" "the set after the flush"
	nfban ipset stop name=grp port=22
	assert_eq "" "$(left)" "nothing left after stop"
}

# When growing is impossible the ban fails with one clear line and nothing changes.
test_full_set_that_cannot_grow_fails_the_ban() {
	local j=(name=g maxelem=2) s
	nfban ipset start "${j[@]}"
	nfban ipset ban "${j[@]}" ip=192.0.2.1
	nfban ipset ban "${j[@]}" ip=192.0.2.2
	# The name growing needs is taken by a set in use: it cannot be replaced.
	ipset create 'f2b-g~' hash:net
	$IPT -w -A OUTPUT -m set --match-set 'f2b-g~' dst -j ACCEPT
	s=$(state)
	run nfban ipset ban "${j[@]}" ip=192.0.2.3
	assert_status 1 "ban into a full set that cannot grow"
	assert_lines "$err"
	assert_match "ipset f2b-g is full and could not grow: .*f2b-g~" "$err"
	assert_eq "$s" "$(state)" "kernel unchanged"
	$IPT -w -D OUTPUT -m set --match-set 'f2b-g~' dst -j ACCEPT
	run nfban ipset ban "${j[@]}" ip=192.0.2.3
	assert_status 0 "ban once the name is free: $err"
	assert_match "grown to maxelem 4" "$err"
	assert_eq 3 "$(ipset save f2b-g | grep -c '^add ')"
	# A start again (a restart without stop, Fail2ban's repair) keeps the grown set.
	run nfban ipset start "${j[@]}"
	assert_status 0 "start on the grown set: $err"
	assert_match "maxelem 4 " "$(ipset save f2b-g | head -n1)"
	assert_eq 3 "$(ipset save f2b-g | grep -c '^add ')" "bans kept"
}

# A kernel without ip_set (tests/lib/fakekernel.c, no-ipset): the jail goes to nftables, the
# first plugin of its fallback, and stays there.
test_falls_back_to_nftables_without_ip_set() {
	local fake="$NFBAN_BUILD/tests/fakekernel.so" j=(name=fb port=22) op
	[ -e "$fake" ] || fail "$fake not built"
	NFBAN_STATE_DIR=$(mktemp -d)
	export NFBAN_STATE_DIR
	nofeat() { run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=no-ipset \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$NFBAN_BIN" ipset "$@"; }
	nofeat start "${j[@]}"
	assert_status 0 "start without ip_set: $err"
	assert_match "ipset cannot work on this kernel .*nftables takes over" "$err"
	for op in "ban ip=192.0.2.4" "ban ip=192.0.2.5" "unban ip=192.0.2.5"; do
		nofeat $op "${j[@]}"
		assert_status 0 "$op without ip_set: $err"
	done
	assert_eq "" "$(ipset list -n; ipt_rules 4)" "no set, no iptables rule"
	assert_match "elements = \{ 192\.0\.2\.4 \}" "$(nft list set inet f2b-table addr-set-fb)"
	nofeat stop "${j[@]}"
	assert_status 0 "stop without ip_set: $err"
	assert_eq "" "$(nft list tables)" "nothing left"
	rm -rf "$NFBAN_STATE_DIR"
}

run_suite "$@"
