# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/e2e/lib.bash - a real Fail2ban in throw-away network namespaces.
#
# Sourced by the end-to-end suites (tests/e2e/*.sh; this file is .bash so tests/run does not
# take it for a suite) after tests/lib/nstest.sh (for NFBAN_BUILD,
# NFBAN_ROOT and the kernel dump helpers).  Nothing here touches the host's firewall or the
# host's Fail2ban:
#   - the server and the attacker are two network namespaces made by `ip netns add`, named
#     nfe2e-<pid>-<n>s / nfe2e-<pid>-<n>a (unique per run), joined by a veth pair created inside
#     them (no interface ever exists in the host's namespace);
#   - addresses: 10.203.0.0/24 and fd00:203::/64, on that veth pair only;
#   - every Fail2ban runs inside the server namespace with its own config dir (a copy of the
#     stock one without any *.local or jail.d), socket, pidfile, log and an in-memory database;
#   - e2e_cleanup (on EXIT, INT and TERM) stops each Fail2ban and listener this run started (by
#     pid), kills what is left in its namespaces, deletes them and the temp dir.
#
# TAP: e2e_ok / e2e_fail / e2e_skip print one numbered line each; e2e_done prints the plan.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_TCP="$E2E_DIR/tcp.py"
# Debian's Python (the one with Fail2ban; a python3 earlier in PATH may be slow to start).
E2E_PY=/usr/bin/python3
E2E_TMP=
E2E_N=0                # TAP test number
E2E_NS=()              # namespaces made by this run
E2E_PIDS=()            # processes started by this run (Fail2ban servers, listeners)
E2E_SEQ=0              # namespace pair counter
E2E_SRV_V4=10.203.0.1
E2E_SRV_V6=fd00:203::1
# Attacker addresses: two to ban and one that stays allowed, per family.
E2E_BAD4=(10.203.0.11 10.203.0.12) E2E_GOOD4=10.203.0.13
E2E_BAD6=(fd00:203::11 fd00:203::12) E2E_GOOD6=fd00:203::13

e2e_ok() { E2E_N=$((E2E_N + 1)); echo "ok $E2E_N - $*"; }
e2e_skip() { # name why
	E2E_N=$((E2E_N + 1)); echo "ok $E2E_N - $1 # SKIP $2"
}
e2e_fail() { # name   (follow it with diagnostics: ... | e2e_diag)
	E2E_N=$((E2E_N + 1)); echo "not ok $E2E_N - $*"
}
e2e_diag() { sed 's/^/# /'; }
e2e_done() { echo "1..$E2E_N"; }
# e2e_check NAME CMD...: one TAP line; CMD's output is shown as diagnostics when it fails.
e2e_check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ $rc -eq 0 ]; then
		e2e_ok "$name"
	else
		e2e_fail "$name"
		printf '%s\n' "$out" | e2e_diag
	fi
	return $rc
}

e2e_init() {
	[ "$(id -u)" -eq 0 ] || { echo "Bail out! the end-to-end tests need root (network namespaces)"; exit 1; }
	E2E_TMP=$(mktemp -d /tmp/nfban-e2e.XXXXXX)
	chmod 0755 "$E2E_TMP"
	trap 'e2e_cleanup' EXIT
	trap 'e2e_cleanup; exit 130' INT
	trap 'e2e_cleanup; exit 143' TERM
}

# _e2e_kill PID...: TERM, wait up to 5 s, then KILL.  Only pids this run started.
_e2e_kill() {
	local p i
	for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
	for i in $(seq 50); do
		local alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive -eq 0 ] && return 0
		sleep 0.1
	done
	for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; done
}

# e2e_scenario_cleanup: end what this run started so far (processes by pid, then anything
# left inside our own namespaces) and delete the namespaces; the temp dir stays.
e2e_scenario_cleanup() {
	local ns p
	[ ${#E2E_PIDS[@]} -gt 0 ] && _e2e_kill "${E2E_PIDS[@]}"
	for ns in "${E2E_NS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	E2E_NS=() E2E_PIDS=()
}

e2e_cleanup() {
	trap - EXIT INT TERM
	e2e_scenario_cleanup
	nstest_done
	if [ "${NFBAN_E2E_KEEP:-0}" = 1 ] && [ -n "$E2E_TMP" ]; then
		echo "# NFBAN_E2E_KEEP=1: logs and configs kept in $E2E_TMP"
	elif [ -n "$E2E_TMP" ]; then
		rm -rf "$E2E_TMP"
	fi
	E2E_TMP=
}

# e2e_netns: make a fresh server/attacker pair; sets SRV, ATT (namespace names) and WORK (a
# fresh directory under the run's temp dir).
e2e_netns() {
	local ns
	E2E_SEQ=$((E2E_SEQ + 1))
	SRV=nfe2e-$$-${E2E_SEQ}s ATT=nfe2e-$$-${E2E_SEQ}a
	WORK=$E2E_TMP/$E2E_SEQ
	mkdir -p "$WORK"
	for ns in "$SRV" "$ATT"; do
		ip netns add "$ns"
		E2E_NS+=("$ns")
		ip -n "$ns" link set lo up
		# No duplicate address detection: addresses are usable at once.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
	done
	ip -n "$SRV" link add e2e0 type veth peer name e2e1 netns "$ATT"
	ip -n "$SRV" addr add "$E2E_SRV_V4/24" dev e2e0
	ip -n "$SRV" addr add "$E2E_SRV_V6/64" dev e2e0 nodad
	for a in "${E2E_BAD4[@]}" "$E2E_GOOD4"; do ip -n "$ATT" addr add "$a/24" dev e2e1; done
	for a in "${E2E_BAD6[@]}" "$E2E_GOOD6"; do ip -n "$ATT" addr add "$a/64" dev e2e1 nodad; done
	ip -n "$SRV" link set e2e0 up
	ip -n "$ATT" link set e2e1 up
}

in_srv() { ip netns exec "$SRV" "$@"; }
in_att() { ip netns exec "$ATT" "$@"; }

# e2e_wait SECONDS CMD...: poll CMD every $E2E_WAIT_STEP s (0.1) until it succeeds; 1 after
# SECONDS.
e2e_wait() {
	local limit=$1 end
	shift
	end=$(($(date +%s%N) + limit * 1000000000))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep "${E2E_WAIT_STEP:-0.1}"
	done
}

# e2e_listen PORT...: the TCP listener in the server namespace; returns once it answers.
e2e_listen() {
	in_srv "$E2E_PY" "$E2E_TCP" listen "$@" >"$WORK/listener.log" 2>&1 &
	E2E_PIDS+=("$!")
	local spec=() p
	for p in "$@"; do spec+=("127.0.0.1,127.0.0.1,$p" "::1,::1,$p"); done
	e2e_wait 10 _e2e_all_ok in_srv "$E2E_PY" "$E2E_TCP" probe "${spec[@]}" ||
		{ echo "listener did not come up:"; cat "$WORK/listener.log"; return 1; }
	# The veth link and neighbour discovery warm up: every attacker address reaches it.
	spec=()
	for a in "${E2E_BAD4[@]}" "$E2E_GOOD4"; do spec+=("$a,$E2E_SRV_V4,$1"); done
	for a in "${E2E_BAD6[@]}" "$E2E_GOOD6"; do spec+=("$a,$E2E_SRV_V6,$1"); done
	e2e_wait 10 _e2e_all_ok e2e_probe --timeout 2.5 "${spec[@]}" ||
		{ echo "the attacker cannot reach the listener:"; e2e_probe --timeout 2.5 "${spec[@]}"; return 1; }
}
_e2e_all_ok() { local out; out=$("$@") && ! grep -qv ' ok$' <<<"$out"; }

# e2e_probe [--timeout S] SRC,DST,PORT...: probes from the attacker namespace.
e2e_probe() { in_att "$E2E_PY" "$E2E_TCP" probe "$@"; }

# kernel_state: everything netfilter holds in the server namespace, as text that compares
# (counters and generator comments removed): both legacy iptables families, every table they
# have instantiated, and the nftables ruleset.
kernel_state() {
	echo "## $IPT-save"
	in_srv "$IPT-save" | grep -v '^#' | sed -E 's/ ?\[[0-9]+:[0-9]+\]//'
	echo "## $IP6T-save"
	in_srv "$IP6T-save" | grep -v '^#' | sed -E 's/ ?\[[0-9]+:[0-9]+\]//'
	echo "## nft list ruleset"
	in_srv nft list ruleset
}

# e2e_preexisting: rules a real server would already have, which Fail2ban must leave alone.
# They also instantiate the legacy filter tables, so "before" and "after" compare as text.
e2e_preexisting() {
	in_srv "$IPT" -w -A INPUT -p udp --dport 9 -j ACCEPT
	in_srv "$IP6T" -w -A INPUT -p udp --dport 9 -j ACCEPT
	in_srv nft add table inet keep
	in_srv nft add chain inet keep input '{ type filter hook input priority 10; }'
	in_srv nft add rule inet keep input udp dport 9 accept
}

# ipt_bans 4|6 JAIL: the sources banned in chain f2b-JAIL, sorted, one per line.
ipt_bans() {
	local cmd=$IPT-save
	[ "$1" = 6 ] && cmd=$IP6T-save
	in_srv $cmd -t filter | awk -v c="f2b-$2" '$1 == "-A" && $2 == c && $3 == "-s" { print $4 }' | sort
}
# ipt_jumps 4|6 JAIL: the rules that jump to f2b-JAIL, sorted.
ipt_jumps() {
	local cmd=$IPT-save
	[ "$1" = 6 ] && cmd=$IP6T-save
	in_srv $cmd -t filter | awk -v c="f2b-$2" '$1 == "-A" && $NF == c' | sort
}
# nft_bans FAMILY TABLE SET: the elements of an nft set, sorted, one per line (empty if no set).
nft_bans() {
	local js
	js=$(in_srv nft -j list set "$1" "$2" "$3" 2>/dev/null) || return 0
	"$E2E_PY" -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        if isinstance(e, dict):
            p = e.get("prefix")
            e = "%s/%s" % (p["addr"], p["len"]) if p else json.dumps(e)
        print(e)' <<<"$js" | sort
}

# ---------------------------------------------------------------- Fail2ban

# f2b_confdir DIR: a private copy of the stock configuration (no *.local, nothing in jail.d or
# fail2ban.d: the host's own jails and settings stay out), this repo's action files with
# @SBINDIR@ and @PLUGINDIR@ replaced as `make install` does (by the build tree, where the shim
# and the plugins are), and fail2ban.local with a private log, socket, pidfile and database
# ($F2B_DBFILE, default in memory).
f2b_confdir() {
	local d=$1 f
	mkdir -p "$d"
	cp -r /etc/fail2ban/. "$d/"
	find "$d" -name '*.local' -delete
	rm -rf "$d/jail.d" "$d/fail2ban.d"
	mkdir -p "$d/jail.d" "$d/fail2ban.d"
	for f in "$NFBAN_ROOT"/action.d/*.conf "$NFBAN_ROOT"/action.d/*.py; do
		sed "s|@SBINDIR@|$NFBAN_BUILD|g; s|@PLUGINDIR@|$NFBAN_BUILD/plugins|g" "$f" >"$d/action.d/$(basename "$f")"
	done
	# Stock iptables actions (NFBAN_E2E_STOCK=1) must use the backend's tables too.
	cat >"$d/action.d/iptables.local" <<-EOF
	[Init]
	iptables = $IPT <lockingopt>
	[Init?family=inet6]
	iptables = $IP6T <lockingopt>
	EOF
	cat >"$d/fail2ban.local" <<-EOF
	[Definition]
	# TRACEDEBUG logs every command Fail2ban runs, as the shell gets it, and its stderr.
	loglevel = TRACEDEBUG
	logtarget = $WORK/fail2ban.log
	socket = $WORK/f2b.sock
	pidfile = $WORK/f2b.pid
	dbfile = ${F2B_DBFILE:-:memory:}
	allowipv6 = yes
	EOF
}

# f2b_jail_local DIR JAIL BANACTION [ACTION]: one sshd-style jail reading $WORK/auth.log,
# `banaction = BANACTION` as a user writes it, and `action = ACTION` (default: the stock
# %(action_)s, which passes port, protocol and chain).  The jail sets its own backend: a
# distribution's jail.conf may set one per jail that [DEFAULT] does not override (Debian 13's
# `[sshd] backend = %(sshd_backend)s`, systemd in paths-debian.conf), and every jail here reads
# its log file by polling.
f2b_jail_local() {
	cat >"$1/jail.local" <<-EOF
	[DEFAULT]
	banaction = $3
	backend = polling
	maxretry = 2
	findtime = 10m
	bantime = 1h
	ignoreip = 127.0.0.1/8 ::1

	[$2]
	enabled = true
	backend = polling
	filter = sshd
	port = ssh,2200
	logpath = $WORK/auth.log
	action = ${4:-%(action_)s}
	EOF
	: >"$WORK/auth.log"
}

# f2b ARGS...: fail2ban-client of this test's server.
f2b() { fail2ban-client -c "$WORK/conf" -s "$WORK/f2b.sock" "$@"; }

# f2b_start JAIL [ENV=VALUE...]: Fail2ban in the server namespace, in the foreground of a
# background job (so its pid is ours); returns once JAIL is up (within $F2B_START_WAIT s,
# default 30).  The environment tells the shim where the build's plugins are, keeps its
# fallback state in $WORK and gives the xtables lock a private file.
f2b_start() {
	local jail=$1
	shift
	in_srv env NFBAN_PLUGIN_DIR="$NFBAN_BUILD/plugins" NFBAN_STATE_DIR="$WORK/state" \
		XTABLES_LOCKFILE="$WORK/xtables.lock" "$@" \
		fail2ban-server -f -x -c "$WORK/conf" -s "$WORK/f2b.sock" -p "$WORK/f2b.pid" \
		>"$WORK/server.out" 2>&1 &
	F2B_PID=$!
	E2E_PIDS+=("$F2B_PID")
	if ! e2e_wait "${F2B_START_WAIT:-30}" _f2b_has_jail "$jail"; then
		echo "Fail2ban did not start jail $jail:"
		tail -n 30 "$WORK/server.out" "$WORK/fail2ban.log" 2>/dev/null
		return 1
	fi
}

# _f2b_has_jail JAIL: the server lists JAIL.  (`status JAIL` for a jail not added yet would
# make the server log an ERROR, UnknownJailException.)
_f2b_has_jail() {
	f2b status 2>/dev/null | sed -n 's/.*Jail list:[[:space:]]*//p' | tr -s ', \t' '\n' | grep -qxF "$1"
}

# f2b_stop: `fail2ban-client stop`, then wait for the server to exit ($F2B_STOP_WAIT s, 30).
f2b_stop() {
	f2b stop >/dev/null 2>&1 || true
	e2e_wait "${F2B_STOP_WAIT:-30}" _e2e_gone "$F2B_PID"
}
_e2e_gone() { ! kill -0 "$1" 2>/dev/null; }

# f2b_banned JAIL: the "Banned IP list" of `fail2ban-client status JAIL`, sorted, one per line.
f2b_banned() {
	f2b status "$1" | sed -n 's/.*Banned IP list:[[:space:]]*//p' | tr -s ' \t' '\n' | sed '/^$/d' | sort
}

# failed_logins ADDR...: two failed sshd logins per address, appended to $WORK/auth.log in one
# write.  Every line has its own sshd pid: the sshd filter follows a session by its
# "sshd[pid]:" prefix (mlfid), and lines sharing one would be merged into one session.
E2E_SSHD_PID=4000
failed_logins() {
	local a now i lines=""
	now=$(date '+%b %e %H:%M:%S')
	for a in "$@"; do
		for i in 1 2; do
			E2E_SSHD_PID=$((E2E_SSHD_PID + 1))
			lines+="$now e2e-server sshd[$E2E_SSHD_PID]: Failed password for invalid user admin$i from $a port $((40000 + E2E_SSHD_PID)) ssh2"$'\n'
		done
	done
	printf '%s' "$lines" >>"$WORK/auth.log"
}
