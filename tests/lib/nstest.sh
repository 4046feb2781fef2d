# SPDX-License-Identifier: GPL-2.0-or-later
# nstest.sh - a small TAP test framework for shell suites that change netfilter.
#
# A suite is a bash script that sources this file, defines functions named
# test_*, and ends with `run_suite "$@"`.  Every test runs in its own fresh
# network namespace (unshare -n) in a new bash with `set -euo pipefail`, so a
# test can never see or change the host's firewall, and leaves nothing behind:
# the namespace dies with the test.
#
#   exit 0 / return        pass
#   fail "why"             fail (also any command failing under set -e)
#   skip "why"             skip (exit 77)
#
# Output is TAP: "ok N - suite: test", "not ok N - ...", "ok N - ... # SKIP why";
# a failing test's output follows as "# " lines.  tests/run counts those lines.
#
# Environment: NFBAN_BUILD (default build/) selects the build under test;
# NFBAN_TEST_FILTER runs only tests whose name matches that regex.  A passing test's lines
# starting with "# measured: " are passed on (numbers a test reports).

NFBAN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${NFBAN_BUILD:=$NFBAN_ROOT/build}"
case "$NFBAN_BUILD" in /*) ;; *) NFBAN_BUILD=$NFBAN_ROOT/$NFBAN_BUILD ;; esac
NFBAN_BIN="$NFBAN_BUILD/nfban"
export NFBAN_BUILD NFBAN_ROOT
export NFBAN_PLUGIN_DIR="$NFBAN_BUILD/plugins"
# A suite takes its own xtables lock file, shared by its tests, so they never
# wait on the host's; the process that made it removes it (nstest_done).
if [ -z "${XTABLES_LOCKFILE:-}" ]; then
	XTABLES_LOCKFILE=/tmp/nfban-xtables.$$.lock
	NFBAN_LOCK_OWNER=$$
fi
export XTABLES_LOCKFILE
# The iptables plugins' backend under test: NFBAN_IPT_BACKEND=legacy (the
# default) or nft.  The suites reach it the way Fail2ban does, through
# backend=auto: an `iptables` (and `ip6tables`) linked to iptables-legacy or
# iptables-nft comes first in PATH.  $IPT and $IP6T are the commands of that
# backend, for the stock reference and for changes made by hand.
: "${NFBAN_IPT_BACKEND:=legacy}"
case "$NFBAN_IPT_BACKEND" in legacy | nft) ;; *) echo "Bail out! NFBAN_IPT_BACKEND=$NFBAN_IPT_BACKEND"; exit 1 ;; esac
IPT=iptables-$NFBAN_IPT_BACKEND IP6T=ip6tables-$NFBAN_IPT_BACKEND
export NFBAN_IPT_BACKEND IPT IP6T
if [ -z "${NFBAN_IPT_PATH:-}" ]; then
	NFBAN_IPT_PATH=$(mktemp -d /tmp/nfban-ipt.XXXXXX)
	NFBAN_IPT_PATH_OWNER=$$
	ln -s "$(command -v "$IPT")" "$NFBAN_IPT_PATH/iptables"
	ln -s "$(command -v "$IP6T")" "$NFBAN_IPT_PATH/ip6tables"
	PATH=$NFBAN_IPT_PATH:$PATH
fi
export NFBAN_IPT_PATH PATH
nstest_done() {
	[ "${NFBAN_LOCK_OWNER:-}" = "$$" ] && rm -f "$XTABLES_LOCKFILE"
	[ "${NFBAN_IPT_PATH_OWNER:-}" = "$$" ] && rm -rf "$NFBAN_IPT_PATH"
	return 0
}
NFBAN_TEST_TIMEOUT=${NFBAN_TEST_TIMEOUT:-180}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*" >&2; exit 77; }

# run CMD...: run a command, keep going whatever it returns.
# Sets $status, $out (stdout) and $err (stderr).
run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	set +e
	"$@" >"$o" 2>"$e"
	status=$?
	set -e
	out=$(cat "$o") err=$(cat "$e")
	rm -f "$o" "$e"
}

# nfban ARGS...: the shim under test.
nfban() { "$NFBAN_BIN" "$@"; }

assert_eq() { # expected actual [what]
	[ "$1" == "$2" ] && return 0
	echo "FAIL: ${3:-values differ}" >&2
	diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed 's/^/    /' >&2 || true
	exit 1
}
assert_status() { # expected-status [what]  (after `run`)
	[ "$status" -eq "$1" ] && return 0
	fail "${2:-status} is $status, expected $1; stdout: $out; stderr: $err"
}
assert_match() { # regex text [what]
	[[ $2 =~ $1 ]] && return 0
	fail "${3:-text} does not match /$1/: $2"
}
assert_no_match() { # regex text [what]
	[[ $2 =~ $1 ]] || return 0
	fail "${3:-text} matches /$1/ but must not: $2"
}
assert_lines() { # text: exactly one line on stderr/out
	local n
	n=$(printf '%s' "$1" | grep -c '') || true
	[ "$n" -eq 1 ] || fail "expected exactly one line, got $n: $1"
}

# netns_key: this network namespace's directory under the fallback state base
# (src/lib/state.h): cookie-<N>, its SO_NETNS_COOKIE (71), unique until reboot.
netns_key() {
	/usr/bin/python3 -c 'import socket, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print("cookie-%d" % struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])'
}
# ipt_save 4|6: the filter table as iptables-<backend>-save prints it, without
# comments and counters, so two states compare as text.
ipt_save() {
	local cmd=$IPT-save
	[ "${1:-4}" = 6 ] && cmd=$IP6T-save
	$cmd -t filter | grep -v '^#' | sed -E 's/ \[[0-9]+:[0-9]+\]$//'
}
# nft_netlink 4|6: the nf_tables table ip/ip6 filter as `nft --debug=netlink`
# shows it, expressions included, with handles and counter values removed
# (empty when there is no such table, and always for the legacy backend).
nft_netlink() {
	local fam=ip
	[ "${1:-4}" = 6 ] && fam=ip6
	[ "$NFBAN_IPT_BACKEND" = nft ] || return 0
	{ nft --debug=netlink list table $fam filter 2>/dev/null || true; } |
		sed -E -e '/^(ip|ip6) filter /s/ [0-9]+( [0-9]+)?$//' \
			-e 's/counter pkts [0-9]+ bytes [0-9]+/counter/' \
			-e 's/counter packets [0-9]+ bytes [0-9]+/counter/' \
			-e '/^# Warning/d'
}
# ipt_rules 4|6: only the -A/-N/... lines (no table header, policies, COMMIT).
ipt_rules() { ipt_save "$@" | grep -E '^(-A|:f2b|:[^ ]+ -)' || true; }
# assert_ipt 4|6 <<EOF: the rule lines must be exactly these.
assert_ipt() {
	local want
	want=$(cat)
	assert_eq "$want" "$(ipt_rules "$1")" "$IPT-save (IPv$1)"
}
# steps_open ACTION KEY=VALUE...: one libnfban handle kept open (tests/host/steps.c), driven a
# call at a time: step OPERATION [ADDRESS] sets st, msg and notice; step_ok also asserts 0.
steps_open() { coproc STEPS { "$NFBAN_BUILD/tests/host/steps" "$NFBAN_PLUGIN_DIR" "$@"; }; }
step() {
	local line rest
	echo "$*" >&"${STEPS[1]}"
	IFS= read -r line <&"${STEPS[0]}" || fail "the steps host is gone (after: ${*:0:200})"
	st=${line%%$'\t'*} rest=${line#*$'\t'}
	msg=${rest%%$'\t'*} notice=${rest#*$'\t'}
}
step_ok() { step "$@"; assert_eq 0 "$st" "${*:0:200}: $msg"; }
# refused_group STATE_FN ACTION KEY=VALUE...: a group of three bans whose second the kernel
# refuses (tests/lib/fakekernel.c refuse-ban) is busy (4), and STATE_FN's kernel as before.
refused_group() {
	local state=$1 s fake="$NFBAN_BUILD/tests/fakekernel.so"
	shift
	[ -e "$fake" ] || return 0
	s=$("$state")
	run env LD_PRELOAD="$fake" NFBAN_FAKE_KERNEL=refuse-ban NFBAN_FAKE_BAN=192.0.2.66 \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$NFBAN_BUILD/tests/host/steps" "$NFBAN_PLUGIN_DIR" "$@" \
		<<<"bans 192.0.2.65,192.0.2.66,192.0.2.67"
	assert_status 0 "$err"
	assert_eq 4 "${out%%$'\t'*}" "a group with an address the kernel refuses: $out"
	assert_eq "$s" "$("$state")" "the kernel after a refused group"
}
# py_groups_start BACKEND: tests/ns/py_groups.py with BACKEND against this namespace (the kernel
# refusing 10.9.8.2), read until it names its bans in order: order set, its TAP passed.
# py_groups_end: let it flush and end; its TAP after that passed.
py_groups_start() {
	[ -e /usr/lib/python3/dist-packages/fail2ban ] || skip "Fail2ban's Python package is not installed"
	local fake="$NFBAN_BUILD/tests/fakekernel.so" asan line rest=""
	[ -e "$fake" ] || skip "$fake not built"
	asan=$(ldd "$NFBAN_PLUGIN_DIR/libnfban.so" | awk '/libasan/ {print $3}')
	coproc PYG { env LD_PRELOAD="${asan:+$asan }$fake" NFBAN_FAKE_KERNEL=refuse-ban \
		NFBAN_FAKE_BAN=10.9.8.2 ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0:verify_asan_link_order=0" \
		/usr/bin/python3 "$NFBAN_ROOT/tests/ns/py_groups.py" "$NFBAN_PLUGIN_DIR" "$1" \
		10.9.8.2 2>&1; }
	# (copies: bash unsets PYG once the coprocess has ended, its last words still unread)
	exec {PYG_R}<&"${PYG[0]}" {PYG_W}>&"${PYG[1]}"
	order=""
	while IFS= read -r line <&"$PYG_R"; do
		case $line in
		"order "*) order=${line#order }; break ;;
		*) rest+="$line"$'\n'; echo "# $line" ;;
		esac
	done
	assert_no_match "^not ok" "$rest"
	[ -n "$order" ] || fail "py_groups.py ended before its bans: $rest"
}
# stock_bans "IP,IP IP..." STOCK...: STOCK_OPS gets `STOCK... ip=IP` for each address, in order.
stock_bans() {
	local ip list=$1
	shift
	for ip in ${list//,/ }; do STOCK_OPS+=("$(printf '%q ' "$@" "ip=$ip")"); done
}
# py_groups_stock_ops STOCK...: STOCK_OPS as stock's commands (STOCK... OP KEY=VALUE...) for
# py_groups.py's jail: its start, then its bans in $order.
py_groups_stock_ops() {
	STOCK_OPS=("$(printf '%q ' "$@" start name=grp port=22)")
	stock_bans "$order" "$@" ban name=grp port=22
}
py_groups_end() {
	local line rest=""
	echo go >&"$PYG_W" || true
	while IFS= read -r line <&"$PYG_R"; do rest+="$line"$'\n'; echo "# $line"; done
	exec {PYG_R}<&- {PYG_W}>&-
	assert_no_match "^not ok" "$rest"
	assert_match "flushed" "$rest"
}
# in_fresh_ns CMD...: run CMD in yet another empty network namespace (for
# stock Fail2ban commands whose result we compare with nfban's).
in_fresh_ns() { unshare -n "$@"; }

# churn_many PLUGIN HOST_N: nf_tables' generation race.  Operations that depend on what they
# read commit a batch stamped with the generation they read, and every commit anywhere moves
# the generation on.  60 jails (NFBAN_CHURN_JAILS; 8 under ASan, where a process costs seven
# times the CPU) each live the suite's `churn_jail I` at once, while a long-lived host bans and
# unbans HOST_N addresses in-process, as fast as it can, in a jail `hot` of PLUGIN.  nfban's
# writers take turns (src/nfnl/lock.h), so they must not refuse each other's batches: every
# operation must succeed (fails naming each jail that did not), and the mean tries per stamped
# operation, counted at the netlink boundary (tests/lib/tries.c, an LD_PRELOAD counter), is
# reported and must stay under 1.5.
churn_many() {
	local plugin=$1 host_n=$2 n=60 host=$NFBAN_BUILD/tests/host/longlived i pids=() rc=0 d hot
	local tries=$NFBAN_BUILD/tests/tries.so mean m
	[[ $NFBAN_BUILD == *asan* ]] && n=8
	n=${NFBAN_CHURN_JAILS:-$n}
	[ -x "$host" ] || skip "tests/host/longlived not built"
	[ -e "$tries" ] || skip "$tries not built"
	d=$(mktemp -d)
	nfban "$plugin" start name=hot port=ssh
	# Counted from here on: the host's and every jail's nfban (not the tools checking them).
	export LD_PRELOAD=$tries NFBAN_TRIES_FILE=$d/tries
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
	while [ ! -e "$d/stop" ]; do
		"$host" "$NFBAN_PLUGIN_DIR" "$plugin" ban "$host_n" 1 name=hot port=ssh >/dev/null &&
			"$host" "$NFBAN_PLUGIN_DIR" "$plugin" unban "$host_n" 1 name=hot port=ssh >/dev/null ||
			{ echo "in-process ban/unban failed" >"$d/hot"; break; }
	done 2>"$d/hot.err" &
	hot=$!
	for i in $(seq 1 "$n"); do
		churn_jail "$i" >"$d/$i" 2>&1 & pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" && continue
		rc=1
		echo "jail c$((i + 1)) failed:" >&2
		cat "$d/$((i + 1))" >&2
	done
	touch "$d/stop"
	wait "$hot" || true
	unset LD_PRELOAD NFBAN_TRIES_FILE
	cat "$d/hot.err" >&2
	[ ! -e "$d/hot" ] || rc=1
	# "sent refused" per process: each operation's last batch is the one not refused.
	mean=$(awk '{ s += $1; r += $2 } END { if (s > r) printf "%.3f %d %d", s / (s - r), s - r, r; else print "none" }' \
		"$d/tries" 2>/dev/null || echo none)
	rm -rf "$d"
	[ $rc -eq 0 ] || fail "a jail of $n failed under churn"
	[ "$mean" != none ] || fail "no stamped batch counted"
	read -r -a m <<<"$mean"
	set -- "${m[@]}"
	echo "# measured: mean tries per stamped operation $1 ($2 stamped operations, $3 refused tries; $n jails)"
	awk -v m="$1" 'BEGIN { exit !(m < 1.5) }' || fail "mean tries per stamped operation $1 >= 1.5"
	nfban "$plugin" stop name=hot port=ssh
}
# with_services TEXT: run the calling test again in a private mount namespace
# where /etc/services holds TEXT, for nfban and the stock tools alike.  Use as
# `with_services "$text" && return`: true once that run passed (the caller
# exits with its status otherwise), false inside the run itself.
with_services() {
	[ -n "${NFBAN_TEST_SERVICES:-}" ] && return 1
	local f rc=0
	f=$(mktemp /tmp/nfban-services.XXXXXX)
	printf '%s\n' "$1" >"$f"
	# shellcheck disable=SC2016 # expanded by the inner bash
	NFBAN_TEST_SERVICES=$f unshare -m --propagation private bash -c \
		'mount --bind "$NFBAN_TEST_SERVICES" /etc/services && exec bash "$0" --one "$1"' \
		"$(readlink -f "$0")" "${FUNCNAME[1]}" || rc=$?
	rm -f "$f"
	[ $rc -eq 0 ] || exit $rc
}
# A services(5) file whose names have other ports for other protocols
# (Debian's has none).  As nft and iptables' udp match resolve them - the first
# of tcp, udp, dccp, udplite, sctp that lists the name, wherever its line is:
# alt and altalias 8081 (not udp's 8080), udponly 5353, sctponly 9899,
# sd 7002 (dccp's, not sctp's 7001).
# shellcheck disable=SC2034 # used by the suites
TEST_SERVICES='alt 8080/udp
alt 8081/tcp altalias
udponly 5353/udp
sctponly 9899/sctp
sd 7001/sctp
sd 7002/dccp'
# nft_json: `nft -j list ruleset` with handles removed and keys sorted.
nft_json() {
	nft -j list ruleset | /usr/bin/python3 -c '
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("handle", "metainfo")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True, indent=1))'
}

_nstest_run_one() {
	set -euo pipefail
	cd "$NFBAN_ROOT"
	ip link set lo up 2>/dev/null || true
	"$1"
}

run_suite() {
	if [ "${1:-}" = "--one" ]; then
		_nstest_run_one "$2"
		exit 0
	fi
	local suite self tests t n=0 rc outf tdir
	suite=$(basename "$0" .sh)
	self=$(readlink -f "$0")
	tests=$(declare -F | awk '$3 ~ /^test_/ {print $3}')
	if [ -n "${NFBAN_TEST_FILTER:-}" ]; then
		tests=$(printf '%s\n' $tests | grep -E "$NFBAN_TEST_FILTER" || true)
	fi
	[ -x "$NFBAN_BIN" ] || { echo "Bail out! $NFBAN_BIN not built"; exit 1; }
	outf=$(mktemp)
	for t in $tests; do
		n=$((n + 1))
		# Each test's temporary files (mktemp's, in $TMPDIR) in a directory of its own,
		# removed here whatever way the test ended.
		tdir=$(mktemp -d)
		chmod 0755 "$tdir"
		set +e
		TMPDIR=$tdir timeout "$NFBAN_TEST_TIMEOUT" unshare -n bash "$self" --one "$t" >"$outf" 2>&1
		rc=$?
		set -e
		rm -rf "$tdir"
		if [ $rc -eq 0 ]; then
			echo "ok $n - $suite: $t"
			grep '^# measured: ' "$outf" || true
		elif [ $rc -eq 77 ]; then
			echo "ok $n - $suite: $t # SKIP $(tail -n1 "$outf")"
		else
			[ $rc -eq 124 ] && echo "timed out after ${NFBAN_TEST_TIMEOUT}s" >>"$outf"
			echo "not ok $n - $suite: $t"
			sed 's/^/# /' "$outf"
		fi
	done
	rm -f "$outf"
	nstest_done
	echo "1..$n"
}
