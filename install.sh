#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh - build nfban and install it for Fail2ban, without reading the Makefile.
#
#   ./install.sh [--prefix P] [--destdir D] [--sysconfdir S]     build and install
#   ./install.sh [--prefix P] [--destdir D] [--sysconfdir S] --uninstall
#
#   --prefix P       where nfban goes: P/sbin/nfban, P/lib/nfban/*.so (libnfban and the
#                    plugins), P/share/man (/usr/local)
#   --sysconfdir S   where Fail2ban's config is: the action files go to S/fail2ban/action.d (/etc)
#   --destdir D      stage everything under D (for packaging); the files still name P and S
#   --uninstall      remove what an install with the same options put there
#   -h, --help       this text
#
# It runs `make` and `make install` with those settings (the build tree is build/, or $B),
# then checks what it installed:
#   - every action file names the installed nfban (no @SBINDIR@ left), and the in-process
#     actions (*.py) the installed plugin directory (no @PLUGINDIR@ left);
#   - Fail2ban accepts them: `fail2ban-client -t` on a private copy of the Fail2ban
#     configuration with one jail per nfban action (the running Fail2ban, its config and the
#     host's firewall are not touched);
#   - the installed nfban loads every installed plugin: start and stop of each, run inside a
#     throw-away network namespace (`unshare -n`, root only);
#   - Fail2ban loads every installed .py action, which opens the installed libnfban, and (root
#     only, in a throw-away network namespace) bans, flushes and stops with it.
# Then it prints the jail.local lines that put nfban to work.
set -euo pipefail

usage() {
	sed -n '4,/^# It runs/p' "$0" | sed '$d; s/^# \{0,1\}//'
	echo "The build tree is build/, or \$B.  More: the comments at the top of install.sh."
	exit "${1:-0}"
}
die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

prefix=/usr/local sysconfdir=/etc destdir='' uninstall=0
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) [ $# -ge 2 ] || usage 2 >&2; prefix=$2; shift ;;
	--prefix=*) prefix=${1#*=} ;;
	--destdir) [ $# -ge 2 ] || usage 2 >&2; destdir=$2; shift ;;
	--destdir=*) destdir=${1#*=} ;;
	--sysconfdir) [ $# -ge 2 ] || usage 2 >&2; sysconfdir=$2; shift ;;
	--sysconfdir=*) sysconfdir=${1#*=} ;;
	--uninstall) uninstall=1 ;;
	-h | --help) usage 0 ;;
	*) echo "install.sh: unknown option '$1'" >&2; usage 2 >&2 ;;
	esac
	shift
done
for v in prefix sysconfdir; do
	case "${!v}" in /*) ;; *) die "--$v must be an absolute path (got '${!v}')" ;; esac
done
[ -z "$destdir" ] || case "$destdir" in /*) ;; *) destdir=$PWD/$destdir ;; esac
prefix=${prefix%/} sysconfdir=${sysconfdir%/} destdir=${destdir%/}

cd "$(dirname "$0")"
B=${B:-build}
sbindir=$prefix/sbin plugindir=$prefix/lib/nfban actiondir=$sysconfdir/fail2ban/action.d
vars=(B="$B" PREFIX="$prefix" SYSCONFDIR="$sysconfdir" DESTDIR="$destdir")

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
	die "installing into $prefix and $sysconfdir needs root (or stage it with --destdir DIR)"
fi

if [ $uninstall -eq 1 ]; then
	make -s "${vars[@]}" uninstall
	say "removed nfban from ${destdir}$prefix and its action files from ${destdir}$actiondir"
	exit 0
fi

# ---------------------------------------------------------------- build
command -v make >/dev/null || die "make is missing (apt-get install make gcc), or run tools/deps.sh"
say "building (make B=$B PREFIX=$prefix)"
make -s "${vars[@]}" all || die "the build failed (missing build dependencies? run: tools/deps.sh)"

# The shim has the plugin directory compiled in, and make does not notice a new PREFIX: if
# this build tree was made for another prefix, rebuild what embeds it.
# (`nfban --help` names it: "Plugins are loaded from DIR, $NFBAN_PLUGIN_DIR, or <dir>.")
builtin_dir() { "$B/nfban" --help 2>&1 | sed -n 's/.*NFBAN_PLUGIN_DIR, or \(.*\)\.$/\1/p'; }
was=$(builtin_dir)
if [ "$was" != "$plugindir" ]; then
	say "the build in $B looks for plugins in '${was:-?}': rebuilding the shim for $plugindir"
	stale=()
	for f in $(grep -l NFBAN_PLUGIN_DIR src/shim/*.c); do stale+=(-W "$f"); done
	make -s "${stale[@]}" "${vars[@]}" all
	if [ -n "$was" ] && [ "$(builtin_dir)" != "$plugindir" ]; then
		die "the rebuilt $B/nfban still looks in '$(builtin_dir)'"
	fi
fi

# ---------------------------------------------------------------- install
say "installing into ${destdir:-/} (PREFIX=$prefix SYSCONFDIR=$sysconfdir)"
make -s "${vars[@]}" install

nfban_bin=$destdir$sbindir/nfban
[ -x "$nfban_bin" ] || die "$nfban_bin was not installed"
# Action files (what a jail names in action =), and the include-only files they share
# (*-common.conf, which names no plugin: included by action files, never named by a jail).
actions=() files=()
for f in action.d/*.conf; do
	a=$(basename "$f" .conf)
	files+=("$a")
	case "$a" in *-common) ;; *) actions+=("$a") ;; esac
done
# In-process actions (banaction = nfban-multiport.py), and the module they share.
pyactions=()
for f in action.d/nfban-*.py; do pyactions+=("$(basename "$f" .py)"); done

# ---------------------------------------------------------------- checks
fails=0
check_fail() { echo "install.sh: CHECK FAILED: $*" >&2; fails=$((fails + 1)); }

# 1. The action files run the installed shim: each sets it, or includes a file that does.
for a in "${files[@]}"; do
	f=$destdir$actiondir/$a.conf
	if [ ! -f "$f" ]; then check_fail "$f is missing"; continue; fi
	grep -q '@SBINDIR@' "$f" && check_fail "$f still holds @SBINDIR@"
	grep -q "^nfban = $sbindir/nfban\$" "$f" || grep -q '^before = nfban-' "$f" ||
		check_fail "$f does not set nfban = $sbindir/nfban (nor include a file that does)"
done

for a in "${pyactions[@]}" nfban_action; do
	f=$destdir$actiondir/$a.py
	if [ ! -f "$f" ]; then check_fail "$f is missing"; continue; fi
	grep -q '@PLUGINDIR@' "$f" && check_fail "$f still holds @PLUGINDIR@"
done
grep -q "^INSTALLED_PLUGIN_DIR = \"$plugindir\"\$" "$destdir$actiondir/nfban_action.py" 2>/dev/null ||
	check_fail "$destdir$actiondir/nfban_action.py does not name $plugindir"

# 2. Fail2ban accepts them.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v fail2ban-client >/dev/null; then
	base=$sysconfdir/fail2ban
	[ -f "$base/jail.conf" ] || base=/etc/fail2ban
	if [ ! -f "$base/jail.conf" ]; then
		say "no Fail2ban configuration found (in $sysconfdir/fail2ban or /etc/fail2ban): skipped its config test"
	else
		conf=$tmp/fail2ban
		mkdir -p "$conf"
		cp -r "$base/." "$conf/"
		# Only the stock files: the host's own *.local and jails stay out of the test.
		find "$conf" -name '*.local' -delete
		rm -rf "$conf/jail.d" "$conf/fail2ban.d"
		mkdir -p "$conf/jail.d"
		cp "$destdir$actiondir"/nfban-*.conf "$conf/action.d/"
		printf '[Definition]\nsocket = %s/f2b.sock\npidfile = %s/f2b.pid\ndbfile = :memory:\nlogtarget = %s/f2b.log\n' \
			"$tmp" "$tmp" "$tmp" >"$conf/fail2ban.local"
		: >"$tmp/auth.log"
		{
			echo "[DEFAULT]"
			echo "backend = polling"
			for a in "${actions[@]}"; do
				printf '\n[%s]\nenabled = true\nbackend = polling\nfilter = sshd\nport = ssh\nlogpath = %s\naction = %s[name=%s]\n' \
					"${a#nfban-}" "$tmp/auth.log" "$a" "${a#nfban-}"
			done
		} >"$conf/jail.local"
		if ! out=$(fail2ban-client -c "$conf" -t 2>&1); then
			check_fail "fail2ban-client -t refuses the installed action files:"
			echo "$out" | sed 's/^/    /' >&2
		elif ! dump=$(fail2ban-client -c "$conf" -d 2>&1); then
			check_fail "fail2ban-client -d failed:"; echo "$dump" | sed 's/^/    /' >&2
		else
			# Every ban command Fail2ban would run starts with the installed shim.
			n=$(grep -c "\['actionban', \"$sbindir/nfban " <<<"$dump" || true)
			if [ "$n" -ne ${#actions[@]} ]; then
				check_fail "Fail2ban runs $sbindir/nfban in $n of ${#actions[@]} actions"
			else
				say "Fail2ban $(fail2ban-client -V 2>/dev/null | head -n1) accepts the ${#actions[@]} action files (fail2ban-client -t)"
			fi
		fi
	fi
else
	say "fail2ban-client not found: skipped the check that Fail2ban accepts the action files"
fi

# 3. The installed shim loads each installed plugin (start + stop in a throw-away netns).
smoke() { # plugin family
	local pd=()
	[ -n "$destdir" ] && pd=(--plugin-dir "$destdir$plugindir")
	# start and stop in the same namespace, which goes away with them.
	NFBAN_STATE_DIR=$tmp/state XTABLES_LOCKFILE=$tmp/xtables.lock unshare -n bash -c '
		shim=$1 plugin=$2 fam=$3; shift 3
		"$shim" "$@" "$plugin" start name=nfbaninstall family="$fam" &&
			"$shim" "$@" "$plugin" stop name=nfbaninstall family="$fam"' \
		smoke "$nfban_bin" "$1" "$2" "${pd[@]}"
}
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
	ok=()
	for so in "$destdir$plugindir"/*.so; do
		p=$(basename "$so" .so)
		[ "$p" = libnfban ] && continue    # the host library, not a plugin
		for fam in inet4 inet6; do
			if out=$(smoke "$p" $fam 2>&1); then :; else
				check_fail "$nfban_bin $p start/stop ($fam) in an empty network namespace: $out"
				continue 2
			fi
		done
		ok+=("$p")
	done
	[ ${#ok[@]} -gt 0 ] && say "the installed nfban runs its plugins: ${ok[*]} (start/stop in a throw-away network namespace)"
else
	say "not root: skipped running the installed plugins in a throw-away network namespace"
fi

# 4. Fail2ban loads the installed .py actions, and they run the installed plugins.  (Staged
#    with --destdir, the directory they name does not exist yet: they are given the staged one.)
pycheck() { # ops: "open" (no kernel) or "run" (ban, flush, stop: in a throw-away netns)
	local pdir=''
	[ -n "$destdir" ] && pdir=$destdir$plugindir
	PYTHONDONTWRITEBYTECODE=1 NFBAN_STATE_DIR=$tmp/state XTABLES_LOCKFILE=$tmp/xtables.lock \
		/usr/bin/python3 - "$destdir$actiondir" "$pdir" "$1" "${pyactions[@]}" <<-'EOF'
	import sys
	from fail2ban.server.utils import Utils
	from fail2ban.server.ipdns import IPAddr
	d, pd, ops, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
	class Jail:
	    name = "nfbaninstall"
	for n in names:
	    mod = Utils.load_python_module("%s/%s.py" % (d, n))
	    act = mod.Action(Jail(), n, **({"plugin_dir": pd} if pd else {}))
	    if ops == "run":
	        for ip in ("192.0.2.1", "2001:db8::1"):
	            act.ban({"ip": IPAddr(ip)})
	        act.flush()
	        act.stop()
	print(" ".join(sorted(names)))
	EOF
}
if ! command -v /usr/bin/python3 >/dev/null || ! /usr/bin/python3 -c 'import fail2ban' 2>/dev/null; then
	say "Fail2ban's Python package not found: skipped loading the .py actions"
elif [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
	if out=$(unshare -n bash -c "$(declare -f pycheck); $(declare -p destdir plugindir actiondir tmp pyactions); pycheck run" 2>&1); then
		say "Fail2ban loads the in-process actions, and they ban, flush and stop: $out (in a throw-away network namespace)"
	else
		check_fail "the installed .py actions do not run: $out"
	fi
elif out=$(pycheck open 2>&1); then
	say "Fail2ban loads the in-process actions, and they open libnfban: $out"
else
	check_fail "the installed .py actions do not load: $out"
fi

[ $fails -eq 0 ] || die "$fails check(s) failed; the files are installed in ${destdir:-/} (./install.sh --uninstall removes them)"

cat <<EOF

nfban is installed:
  ${destdir}$sbindir/nfban
  ${destdir}$plugindir/*.so, ${destdir}$plugindir/nfban-doctor (nfban doctor)
  ${destdir}$actiondir/nfban-*.conf, nfban-*.py, nfban_action.py
  ${destdir}$prefix/share/man/man8/nfban.8

To use it, put in $sysconfdir/fail2ban/jail.local:

  [DEFAULT]
  banaction = nfban-multiport
  banaction_allports = nfban-allports

(or the in-process actions, no process per ban: nfban-multiport.py, nfban-allports.py),
then run: fail2ban-client reload
EOF
