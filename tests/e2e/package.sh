#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/package.sh - the Debian package as an admin gets it: `make deb`, lintian,
# `apt-get install ./nfban_*.deb`, a real Fail2ban using the installed files, an edited
# conffile kept across a reinstall, and a purge that leaves the host as it was.
#
#   1. `make deb` builds $NFBAN_BUILD/deb/nfban_<VERSION>_<arch>.deb (VERSION: the Makefile's)
#      without changing the work tree, and refuses a VERSION debian/changelog does not carry;
#      the package's version is VERSION, its Depends computed (shlibs), fail2ban recommended;
#   2. lintian on the build (.changes: the package, its -dbgsym, .buildinfo): no error and no
#      warning (run as nobody, on a copy; its info, pedantic and experimental tags and the
#      overrides are shown); it runs alongside 3-6 and reports after them;
#   3. `apt-get update` reaches the archive (CI has it: no skip), every Depends of the package
#      is in it, and `apt-get install ./nfban_<VERSION>_<arch>.deb` installs it, leaving the
#      host's netfilter tables as they were;
#   4. every file is where Debian puts it, with its mode: /usr/sbin/nfban, /usr/lib/nfban
#      (libnfban, the plugins, nfban-doctor; not in the linker's path), every file of action.d/
#      in /etc/fail2ban/action.d as a conffile, nfban.8.gz, /usr/share/doc/nfban; the action
#      files name /usr/sbin/nfban and /usr/lib/nfban; `nfban --version` says VERSION;
#   5. `fail2ban-client -t` accepts jails with banaction = nfban-multiport and
#      nfban-nftables.py, with the installed action.d (the private config's action.d is
#      /etc/fail2ban/action.d itself);
#   6. a real Fail2ban in a server namespace (lib.bash: its own config, socket, pidfile, log;
#      NFBAN_PLUGIN_DIR and NFBAN_STATE_DIR unset, so the package's defaults are used) bans
#      an attacker's IPv4 and IPv6 addresses in both jails: the kernel holds the bans, TCP to
#      both jails' ports is refused, the other port and the other addresses still connect;
#      the .conf jail ran /usr/sbin/nfban, the .py jail has /usr/lib/nfban's libnfban mapped;
#      the installed `nfban doctor` finds nothing failing; `fail2ban-client stop` leaves the
#      namespace's netfilter tables as they were;
#   7. fallback state in /run/nfban (the default NFBAN_STATE_DIR), made by the installed nfban
#      in a throw-away namespace under build/tests/fakekernel.so (no multiport match);
#   8. an edited conffile is kept by `apt-get install --reinstall` (no prompt), the others
#      stay the package's; the host's netfilter tables are still as they were;
#   9. removal while Fail2ban bans: a Fail2ban on the socket /etc/fail2ban's config names (a
#      private directory in a mount namespace of the suite's own, where apt runs too, so the
#      prerm meets this Fail2ban and never the host's), jails viaconf (nfban-multiport, chosen
#      in the installed jail.d/nfban.conf), viapy (nfban-nftables.py, in jail.local) holding
#      bans, and other (stock): `apt-get remove nfban` stops viaconf and viapy through the
#      installed nfban and names them (and jail.d/nfban.conf), the namespace's netfilter is
#      as before Fail2ban started, other runs on; Fail2ban starts again with every jail read;
#  10. `apt-get purge nfban`: no file of `dpkg -L nfban` is left (directories only where they
#      existed before), nor /run/nfban, nor Fail2ban's byte code of the .py actions; Fail2ban
#      starts again, viaconf on Fail2ban's own banaction (jail.d/nfban.conf went with the
#      package), viapy too once jail.local names no nfban action (what the removal said); the
#      installed packages, /etc/fail2ban and the host's netfilter tables are as before.
# Needs root, and a host where nfban is not installed (the suite refuses otherwise).  The
# host's firewall is only read; Fail2ban runs in namespaces (lib.bash), never the host's.
set -uo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

cd "$NFBAN_ROOT" || exit 1
# The installed package is under test, not the build tree: nothing may point nfban elsewhere.
unset NFBAN_PLUGIN_DIR NFBAN_STATE_DIR
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEBDIR=$NFBAN_BUILD/deb
DEB=$DEBDIR/nfban_${VERSION}_$ARCH.deb
PLUGINS=(allports ipset ipset-allports multiport nftables perport)
ACTIONFILES=()
# Where the package lets the admin choose nfban as banaction (debian/nfban.jail.conf).
JAILD=/etc/fail2ban/jail.d/nfban.conf
for f in action.d/*.conf action.d/*.py; do ACTIONFILES+=("$(basename "$f")"); done

e2e_init
T=$E2E_TMP
INSTALLED=0 POLICY=0 LINT_PID=''
pkg_cleanup() {
	# Fail2ban first (it runs the installed files), then the package this run installed.
	e2e_scenario_cleanup
	# lintian, if it still runs, ends by itself (it only reads a copy of the build).
	[ -n "$LINT_PID" ] && wait "$LINT_PID" 2>/dev/null
	if [ $INSTALLED -eq 1 ] && dpkg-query -W nfban >/dev/null 2>&1; then
		"${APT[@]}" purge nfban >/dev/null 2>&1 || dpkg --purge nfban >/dev/null 2>&1
	fi
	[ $POLICY -eq 1 ] && rm -f /usr/sbin/policy-rc.d
	[ "${MADE_SOCKDIR:-0}" -eq 1 ] && rmdir "$SOCKDIR" 2>/dev/null
	e2e_cleanup
}
trap 'pkg_cleanup' EXIT
trap 'pkg_cleanup; exit 130' INT
trap 'pkg_cleanup; exit 143' TERM
bail() { echo "Bail out! $*"; exit 1; }
# section NAME: the time the previous one took, as a TAP comment (the budget: tests/run's log).
SECTION='' SECTION_T0=$SECONDS
section() {
	[ -n "$SECTION" ] && echo "# $SECTION: $((SECONDS - SECTION_T0)) s"
	SECTION=$1 SECTION_T0=$SECONDS
}

# One run at a time on a host (the package is installed system-wide).
exec 9>/tmp/nfban-package-suite.lock
flock -w 600 9 || bail "another tests/e2e/package.sh holds /tmp/nfban-package-suite.lock"
st=$(dpkg-query -W -f='${Status}' nfban 2>/dev/null) && [ -n "$st" ] && [ "$st" != "unknown ok not-installed" ] &&
	bail "nfban is known to dpkg on this host ($st): this suite installs and purges it; purge it first"
[ -e /run/nfban ] && bail "/run/nfban exists (an nfban outside this suite keeps state there): the purge would remove it"

# host_state: what must be the same before the install and after the purge.
host_state() {
	echo "## packages"
	dpkg-query -W -f='${Package}:${Architecture} ${Version} ${Status}\n' | sort
	echo "## /etc/fail2ban"
	find /etc/fail2ban -printf '%p %y %m %U:%G\n' | sort
	find /etc/fail2ban -type f -print0 | sort -z | xargs -0 md5sum
	echo "## nfban paths"
	ls -lad /run/nfban /usr/sbin/nfban /usr/lib/nfban /usr/share/doc/nfban /usr/share/man/man8/nfban.8.gz \
		/usr/share/lintian/overrides/nfban 2>&1
	host_netfilter
}
# host_netfilter: the host's own netfilter tables, read only.
host_netfilter() {
	echo "## host netfilter"
	nft list ruleset
	# The legacy tables only where they exist: reading them must not load them.
	[ -e /proc/net/ip_tables_names ] && iptables-legacy-save | grep -v '^#' | sed -E 's/ ?\[[0-9]+:[0-9]+\]//'
	[ -e /proc/net/ip6_tables_names ] && ip6tables-legacy-save | grep -v '^#' | sed -E 's/ ?\[[0-9]+:[0-9]+\]//'
	return 0
}
same() { # what before after
	[ "$2" == "$3" ] && return 0
	echo "$1 differs (- before, + after):"
	diff -u <(echo "$2") <(echo "$3") | tail -n +3
	return 1
}
HOST_BEFORE=$(host_state)
HOST_NF=$(host_netfilter)

# ---------------------------------------------------------------- 1. make deb
section "1. make deb"
tree_state() { git status --porcelain --untracked-files=all; git diff HEAD --binary | md5sum; }
tree_before=$(tree_state)
t0=$SECONDS
if make -s B="$NFBAN_BUILD" deb >"$T/deb.log" 2>&1 && [ -f "$DEB" ]; then
	e2e_ok "make deb builds $(basename "$DEB") ($((SECONDS - t0)) s)"
else
	e2e_fail "make deb builds $(basename "$DEB")"; tail -n 40 "$T/deb.log" | e2e_diag
	e2e_done; exit 0
fi
e2e_check "make deb leaves the work tree as it was (it builds in a copy)" \
	same "git status" "$tree_before" "$(tree_state)"
e2e_check "make deb refuses a VERSION that debian/changelog's latest entry does not carry" \
	bash -c "out=\$(tools/deb.sh '$T/wrong' 9.9.9 2>&1); rc=\$?; echo \"\$out\";
		[ \$rc -ne 0 ] && grep -q \"is $VERSION, the Makefile's VERSION is 9.9.9\" <<<\"\$out\" && [ ! -e '$T/wrong/nfban-9.9.9' ]"
control() { dpkg-deb -f "$DEB" "$1"; }
package_fields() {
	local p
	dpkg-deb -f "$DEB" Package Version Depends Recommends
	[ "$(control Package) $(control Version)" = "nfban $VERSION" ] || return 1
	# libipset13: Debian 13 names it libipset13t64 (the 64-bit time_t transition)
	for p in libc6 libip4tc2 libip6tc2 libnftnl11 libmnl0 'libipset13(t64)?'; do
		grep -qE "(^|, )$p( |,|\$)" <<<"$(control Depends)" || return 1
	done
	[ "$(control Recommends)" = fail2ban ]
}
e2e_check "the package is nfban $VERSION (the Makefile's VERSION), Depends computed by dpkg-shlibdeps, fail2ban recommended" \
	package_fields

# ---------------------------------------------------------------- 2. lintian
section "2. lintian (started)"
lint() {
	local d=$T/lintian out
	mkdir -p "$d"
	local x
	for x in "nfban_${VERSION}_$ARCH".{changes,buildinfo,deb} "nfban-dbgsym_${VERSION}_$ARCH.deb"; do
		cp "$DEBDIR/$x" "$d/" || return 1
	done
	chmod -R a+rX "$d"
	# Not as root (lintian unpacks what it checks): as nobody.  Everything it has to say
	# (info, pedantic, experimental tags and the overrides) goes to the log.
	out=$(cd "$d" && runuser -u nobody -- env HOME="$d" lintian -I -E --pedantic --show-overrides --fail-on error,warning \
		"nfban_${VERSION}_$ARCH.changes" 2>&1) || { echo "$out"; return 1; }
	echo "$out" >"$T/lintian.out"
	! grep -qE '^[EW]: ' <<<"$out" || { echo "$out"; return 1; }
}
# lintian takes its time (perl, 10-30 s): it runs while the package is installed and used,
# and its result is reported after the Fail2ban run (lint_report).
lint >"$T/lint.log" 2>&1 &
LINT_PID=$!
lint_report() {
	local rc=0
	wait "$LINT_PID" || rc=$?
	LINT_PID=''
	if [ $rc -eq 0 ]; then
		e2e_ok "lintian: no error, no warning"
		{ grep . "$T/lintian.out" || echo "(nothing)"; } | sed 's/^/lintian: /' | e2e_diag
	else
		e2e_fail "lintian: no error, no warning"
		e2e_diag <"$T/lint.log"
	fi
}

# ---------------------------------------------------------------- 3. install
section "3. install"
# Nothing of the package may be on the host before (a `make install PREFIX=/usr` would be
# overwritten, and the purge would remove it).
DEB_PATHS=$(dpkg-deb --fsys-tarfile "$DEB" | tar -t | sed 's|^\./|/|; s|/$||' | sed '/^$/d' | sort)
preexisting_dirs=$(while read -r p; do [ -d "$p" ] && echo "$p"; done <<<"$DEB_PATHS")
clash=$(while read -r p; do [ -e "$p" ] && [ ! -d "$p" ] && echo "$p"; done <<<"$DEB_PATHS")
[ -z "$clash" ] || bail "files of the package already exist on this host: $clash"

# --error-on=any: a source that cannot be fetched is an error, not a warning.
e2e_check "apt-get update reaches the archive" "${APT[@]}" update --error-on=any
deps_in_archive() {
	local p found missing=() pkgs
	mapfile -t pkgs < <(control Depends | tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//' | tr -d ' ')
	found=$(apt-cache madison "${pkgs[@]}" | awk '{ print $1 }')
	for p in "${pkgs[@]}"; do
		grep -qxF "$p" <<<"$found" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] || { echo "not in the archive: ${missing[*]}"; return 1; }
}
e2e_check "every package of Depends: is in the archive ($(control Depends | sed -E 's/ \([^)]*\)//g'))" deps_in_archive
# Installing could pull in a service (fail2ban, when it is missing): keep it from starting.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && POLICY=1
fi
INSTALLED=1
if "${APT[@]}" install "$DEB" </dev/null >"$T/install.log" 2>&1 &&
	[ "$(dpkg-query -W -f='${Status} ${Version}' nfban)" = "install ok installed $VERSION" ]; then
	e2e_ok "apt-get install ./$(basename "$DEB") installs nfban $VERSION"
else
	e2e_fail "apt-get install ./$(basename "$DEB") installs nfban $VERSION"; e2e_diag <"$T/install.log"
	lint_report; e2e_done; exit 0
fi
LISTED=$(dpkg -L nfban | sort)
e2e_check "installing it left the host's netfilter tables alone" same "the host's netfilter" "$HOST_NF" "$(host_netfilter)"

# ---------------------------------------------------------------- 4. the files
section "4. the files"
expected_files() {
	local x
	echo "755 /usr/sbin/nfban"
	for x in "${PLUGINS[@]}" libnfban; do echo "644 /usr/lib/nfban/$x.so"; done
	echo "755 /usr/lib/nfban/nfban-doctor"
	for x in "${ACTIONFILES[@]}"; do echo "644 /etc/fail2ban/action.d/$x"; done
	echo "644 $JAILD"
	echo "644 /usr/share/man/man8/nfban.8.gz"
	echo "644 /usr/share/doc/nfban/README.md.gz"
	echo "644 /usr/share/doc/nfban/changelog.gz"
	echo "644 /usr/share/doc/nfban/copyright"
	echo "644 /usr/share/lintian/overrides/nfban"
}
check_files() {
	local want got p
	want=$(expected_files | sort)
	got=$(while read -r p; do [ -d "$p" ] || stat -c '%a %n' "$p"; done <<<"$LISTED" | sort)
	same "files of dpkg -L nfban (mode path)" "$want" "$got" || return 1
	got=$(while read -r p; do [ -d "$p" ] || [ -f "$p" ] && [ ! -L "$p" ] && [ "$(stat -c %U:%G "$p")" = root:root ] ||
		echo "$p"; done <<<"$LISTED")
	[ -z "$got" ] || { echo "not a root-owned regular file or directory: $got"; return 1; }
}
e2e_check "every file is where Debian puts it: /usr/sbin/nfban, /usr/lib/nfban/{libnfban,$(IFS=,; echo "${PLUGINS[*]}")}.so and nfban-doctor, /etc/fail2ban/action.d (${#ACTIONFILES[@]} files), $JAILD, nfban.8.gz, /usr/share/doc/nfban" check_files
conffiles() {
	local want got
	want=$( (printf '/etc/fail2ban/action.d/%s\n' "${ACTIONFILES[@]}"; echo "$JAILD") | sort)
	got=$(dpkg-query -W -f='${Conffiles}\n' nfban | awk 'NF { print $1 }' | sort)
	same "conffiles" "$want" "$got"
}
e2e_check "every file of action.d/ and jail.d/nfban.conf is a conffile, and no other file is" conffiles
private_libs() {
	if ldconfig -p | grep -E 'libnfban|/usr/lib/nfban'; then echo "in ld.so.cache"; return 1; fi
	if grep -rs /usr/lib/nfban /etc/ld.so.conf /etc/ld.so.conf.d; then echo "in ld.so.conf"; return 1; fi
	return 0
}
e2e_check "/usr/lib/nfban is private: not in the dynamic linker's path" private_libs
paths_named() {
	local f rc=0
	for f in /etc/fail2ban/action.d/*nfban*; do
		grep -q '@SBINDIR@\|@PLUGINDIR@' "$f" && { echo "$f: placeholder left"; rc=1; }
	done
	grep -qx 'nfban = /usr/sbin/nfban' /etc/fail2ban/action.d/nfban-iptables-common.conf || { echo "nfban-iptables-common.conf: no nfban = /usr/sbin/nfban"; rc=1; }
	grep -qx 'nfban = /usr/sbin/nfban' /etc/fail2ban/action.d/nfban-nftables.conf || { echo "nfban-nftables.conf: no nfban = /usr/sbin/nfban"; rc=1; }
	grep -qx 'INSTALLED_PLUGIN_DIR = "/usr/lib/nfban"' /etc/fail2ban/action.d/nfban_action.py || { echo "nfban_action.py: not /usr/lib/nfban"; rc=1; }
	/usr/sbin/nfban --help 2>&1 | grep -qF 'NFBAN_PLUGIN_DIR, or /usr/lib/nfban.' || { echo "nfban --help:"; /usr/sbin/nfban --help; rc=1; }
	return $rc
}
e2e_check "the action files name /usr/sbin/nfban, nfban_action.py and the shim /usr/lib/nfban" paths_named
e2e_check "nfban --version says $VERSION" \
	bash -c "v=\$(/usr/sbin/nfban --version); echo \"\$v\"; [[ \$v == 'nfban $VERSION '* ]]"
e2e_check "man nfban finds the installed page, which says nfban $VERSION (the Makefile's VERSION)" \
	bash -c "[ \"\$(man -w nfban)\" = /usr/share/man/man8/nfban.8.gz ] && zcat /usr/share/man/man8/nfban.8.gz | grep -E '^\.TH NFBAN 8 \"[0-9-]+\" \"nfban $VERSION\" '"

# ---------------------------------------------------------------- 5. Fail2ban's config test
section "5. Fail2ban's config test"
e2e_netns
# write_conf SOCKET: a private Fail2ban config in $WORK/conf (lib.bash's rules: no *.local, no
# jail.d), except that its action.d is the installed one; jails viaconf (nfban-multiport, port
# 22) and viapy (nfban-nftables.py, port 2200), each with its own backend.
write_conf() {
	conf=$WORK/conf
	mkdir -p "$conf"
	cp -r /etc/fail2ban/. "$conf/"
	find "$conf" -name '*.local' -delete
	rm -rf "$conf/jail.d" "$conf/fail2ban.d" "$conf/action.d"
	mkdir -p "$conf/jail.d" "$conf/fail2ban.d"
	ln -s /etc/fail2ban/action.d "$conf/action.d"
	cat >"$conf/fail2ban.local" <<EOF
[Definition]
loglevel = TRACEDEBUG
logtarget = $WORK/fail2ban.log
socket = $1
pidfile = $WORK/f2b.pid
dbfile = :memory:
allowipv6 = yes
EOF
	cat >"$conf/jail.local" <<EOF
[DEFAULT]
maxretry = 2
findtime = 10m
bantime = 1h
ignoreip = 127.0.0.1/8 ::1

[viaconf]
enabled = true
backend = polling
filter = sshd
port = ssh
logpath = $WORK/auth.log
banaction = nfban-multiport

[viapy]
enabled = true
backend = polling
filter = sshd
port = 2200
logpath = $WORK/auth.log
banaction = nfban-nftables.py
EOF
	: >"$WORK/auth.log"
}
write_conf "$WORK/f2b.sock"
config_test() {
	local dump
	fail2ban-client -c "$conf" -t || return 1
	dump=$(fail2ban-client -c "$conf" -d) || { echo "$dump"; return 1; }
	grep -q "\['actionban', \"/usr/sbin/nfban multiport ban name='viaconf' " <<<"$dump" ||
		{ echo "the .conf jail does not ban with /usr/sbin/nfban:"; grep "'viaconf', 'action'" <<<"$dump"; return 1; }
	grep -q "\['set', 'viapy', 'addaction', 'nfban-nftables', '$conf/action.d/nfban-nftables.py'" <<<"$dump" ||
		{ echo "the .py jail does not load the installed nfban-nftables.py:"; grep viapy <<<"$dump"; return 1; }
}
e2e_check "fail2ban-client -t accepts banaction = nfban-multiport and banaction = nfban-nftables.py with the installed action files" config_test

# ---------------------------------------------------------------- 6. a real Fail2ban
section "6. a real Fail2ban"
# traffic: each attacker address (the banned one and an innocent one, per family) to 22 and 2200
# (the jails' ports) and 8080.
traffic() {
	local src dst p r want=() specs=() got
	for src in "${E2E_BAD4[0]}" "$E2E_GOOD4" "${E2E_BAD6[0]}" "$E2E_GOOD6"; do
		dst=$E2E_SRV_V4
		[[ $src == *:* ]] && dst=$E2E_SRV_V6
		for p in 22 2200 8080; do
			r=ok
			[ "$src" = "${E2E_BAD4[0]}" ] || [ "$src" = "${E2E_BAD6[0]}" ] && [ $p != 8080 ] && r=refused
			want+=("$src $dst $p $r") specs+=("$src,$dst,$p")
		done
	done
	got=$(e2e_probe --timeout 2.5 "${specs[@]}") || return 1
	same "connections" "$(printf '%s\n' "${want[@]}")" "$got"
}
bans_everywhere() {
	local rc=0 bad4=${E2E_BAD4[0]} bad6=${E2E_BAD6[0]}
	same "Fail2ban's bans in viaconf" "$(printf '%s\n' "$bad4" "$bad6" | sort)" "$(f2b_banned viaconf)" || rc=1
	same "Fail2ban's bans in viapy" "$(printf '%s\n' "$bad4" "$bad6" | sort)" "$(f2b_banned viapy)" || rc=1
	same "iptables bans of f2b-viaconf" "$bad4/32" "$(ipt_bans 4 viaconf)" || rc=1
	same "ip6tables bans of f2b-viaconf" "$bad6/128" "$(ipt_bans 6 viaconf)" || rc=1
	same "nft set addr-set-viapy" "$bad4" "$(nft_bans inet f2b-table addr-set-viapy)" || rc=1
	same "nft set addr6-set-viapy" "$bad6" "$(nft_bans inet f2b-table addr6-set-viapy)" || rc=1
	return $rc
}
if ! e2e_listen 22 2200 8080 >"$WORK/setup.out" 2>&1; then
	e2e_fail "Fail2ban: setup of the namespaces"; e2e_diag <"$WORK/setup.out"
elif e2e_preexisting && before=$(kernel_state) &&
	! f2b_start viapy NFBAN_PLUGIN_DIR= NFBAN_STATE_DIR= PYTHONDONTWRITEBYTECODE= >"$WORK/start.out" 2>&1; then
	e2e_fail "Fail2ban starts both jails with the installed files"; e2e_diag <"$WORK/start.out"
else
	e2e_wait 30 _f2b_has_jail viaconf
	failed_logins "${E2E_BAD4[0]}" "${E2E_BAD6[0]}"
	e2e_check "Fail2ban bans ${E2E_BAD4[0]} and ${E2E_BAD6[0]} in both jails: iptables (nfban-multiport), nftables (nfban-nftables.py)" \
		e2e_wait 30 bans_everywhere || bans_everywhere | e2e_diag
	e2e_check "TCP from the banned addresses is refused on both jails' ports (22, 2200), not on 8080; the other addresses connect" \
		traffic
	e2e_check "the .conf jail ran /usr/sbin/nfban; the .py jail runs /usr/lib/nfban's libnfban and nftables plugin in Fail2ban" \
		bash -c "grep -q -- '-- exec: .*/usr/sbin/nfban multiport ban ' '$WORK/fail2ban.log' || { echo 'no /usr/sbin/nfban ban in the log'; exit 1; }
			pid=\$(cat '$WORK/f2b.pid'); grep -q ' /usr/lib/nfban/libnfban.so\$' /proc/\$pid/maps && grep -q ' /usr/lib/nfban/nftables.so\$' /proc/\$pid/maps ||
			{ echo \"mapped in \$pid:\"; grep nfban /proc/\$pid/maps; exit 1; }"
	e2e_check "the installed nfban doctor finds nothing failing in the jails" \
		bash -c "out=\$(ip netns exec $SRV /usr/sbin/nfban doctor --no-probe --socket '$WORK/f2b.sock'); rc=\$?; echo \"\$out\";
			[ \$rc -eq 0 ] && ! grep -q '^FAIL' <<<\"\$out\" && grep -q 'viaconf' <<<\"\$out\" && grep -q 'viapy' <<<\"\$out\""
	f2b_stop
	e2e_check "fail2ban-client stop leaves the namespace's netfilter tables as before Fail2ban started" \
		same "the kernel" "$before" "$(kernel_state)"
	e2e_check "Fail2ban logged no error" bash -c "! grep -E ' (ERROR|CRITICAL) ' '$WORK/fail2ban.log'"
fi
e2e_scenario_cleanup
section "2. lintian (waiting for it)"
lint_report

# ---------------------------------------------------------------- 7. fallback state
section "7. fallback state"
FAKEKERNEL=$NFBAN_BUILD/tests/fakekernel.so
fallback_state() {
	[ -f "$FAKEKERNEL" ] || { echo "$FAKEKERNEL is missing (make tests)"; return 1; }
	LD_PRELOAD=$FAKEKERNEL NFBAN_FAKE_KERNEL=no-multiport unshare -n \
		/usr/sbin/nfban multiport start name=pkgtest family=inet4 backend=legacy || return 1
	[ -n "$(find /run/nfban -type f 2>/dev/null)" ] || { echo "nothing in /run/nfban"; ls -laR /run/nfban; return 1; }
}
e2e_check "the installed nfban, without the multiport match, falls back and keeps its state in /run/nfban" fallback_state

# ---------------------------------------------------------------- 8. conffiles
section "8. conffiles"
EDITED=/etc/fail2ban/action.d/nfban-multiport.conf
echo "# edited by tests/e2e/package.sh" >>"$EDITED"
edited_sum=$(md5sum <"$EDITED")
reinstall() {
	local out st
	out=$("${APT[@]}" install --reinstall "$DEB" </dev/null 2>&1) || { echo "$out"; return 1; }
	st=$(dpkg-query -W -f='${Status} ${Version}' nfban)
	[ "$st" = "install ok installed $VERSION" ] || { echo "$out"; echo "status: $st"; return 1; }
	[ "$(md5sum <"$EDITED")" = "$edited_sum" ] || { echo "$out"; echo "$EDITED lost its edit:"; tail -n 3 "$EDITED"; return 1; }
	# Every other conffile is the package's (dpkg's recorded sum), and dpkg left no .dpkg-* copy.
	dpkg-query -W -f='${Conffiles}\n' nfban | while read -r f sum _; do
		[ -n "$f" ] && [ "$f" != "$EDITED" ] && [ "$(md5sum <"$f" | cut -d' ' -f1)" != "$sum" ] && { echo "$f differs from the package's"; exit 1; }
		true
	done || return 1
	! find /etc/fail2ban/action.d -name '*.dpkg-*' | grep .
}
e2e_check "an edited conffile ($(basename "$EDITED")) is kept by apt-get install --reinstall, without a prompt" reinstall
e2e_check "reinstalling it left the host's netfilter tables alone" same "the host's netfilter" "$HOST_NF" "$(host_netfilter)"

# ---------------------------------------------------------------- 9. remove while Fail2ban bans
section "9. remove while Fail2ban bans"
# The prerm finds Fail2ban where fail2ban-client does, at the socket /etc/fail2ban's config
# names (/var/run/fail2ban/fail2ban.sock).  This suite's Fail2ban listens there inside a mount
# namespace of its own (held by a sleep), where that socket's directory is a private one; apt
# runs in the same mount namespace, so the prerm meets this Fail2ban and never the host's.
pycache() { find /etc/fail2ban/action.d/__pycache__ -name '*nfban*' 2>/dev/null; }
pycache_remove=0 F2B_CONF_OK=''
SOCK=$(/usr/bin/python3 -c 'from fail2ban.client.configurator import Configurator
c = Configurator(); c.setBaseDir("/etc/fail2ban"); c.readEarly(); print(c.getEarlyOptions()["socket"])')
SOCKDIR=$(dirname "$SOCK")
MADE_SOCKDIR=0
if [ ! -d "$SOCKDIR" ]; then mkdir -p "$SOCKDIR" && MADE_SOCKDIR=1; fi
e2e_netns
mkdir -p "$WORK/sockdir"
unshare -m --propagation private sleep 3600 &
HOLD=$!
E2E_PIDS+=("$HOLD")
e2e_wait 5 bash -c "[ \"\$(readlink /proc/$HOLD/ns/mnt)\" != \"\$(readlink /proc/self/ns/mnt)\" ]"
in_mnt() { nsenter -t "$HOLD" -m "$@"; }
in_mnt mount --bind "$WORK/sockdir" "$SOCKDIR" || bail "cannot bind a private $SOCKDIR in a mount namespace"
f2b() { in_mnt fail2ban-client -c "$WORK/conf" -s "$SOCK" "$@"; }
write_conf "$SOCK"
# viaconf takes its banaction where the package offers it: jail.d/nfban.conf (the installed
# conffile, linked into the private config and uncommented, as an admin would), which goes with
# the purge; viapy names its action in jail.local.
sed -i '/^banaction = nfban-multiport$/d' "$conf/jail.local"
ln -s "$JAILD" "$conf/jail.d/nfban.conf"
sed -i 's/^#banaction = nfban-multiport$/banaction = nfban-multiport/' "$JAILD"
# A jail on a stock action beside them: the prerm must leave it running.
cat >>"$conf/jail.local" <<EOF

[other]
enabled = true
backend = polling
filter = sshd
port = 8080
maxretry = 1000
logpath = $WORK/auth.log
banaction = iptables-multiport
EOF
f2b_start_mnt() {
	in_mnt ip netns exec "$SRV" env -u NFBAN_PLUGIN_DIR -u NFBAN_STATE_DIR -u PYTHONDONTWRITEBYTECODE XTABLES_LOCKFILE="$WORK/xtables.lock" \
		fail2ban-server -f -x -c "$WORK/conf" -s "$SOCK" -p "$WORK/f2b.pid" >>"$WORK/server.out" 2>&1 &
	F2B_PID=$!
	E2E_PIDS+=("$F2B_PID")
	e2e_wait 30 f2b ping || { echo "Fail2ban did not answer:"; tail -n 30 "$WORK/server.out" "$WORK/fail2ban.log"; return 1; }
}
jail_list() { f2b status | sed -n 's/.*Jail list:[[:space:]]*//p' | tr -s ', \t' '\n' | sed '/^$/d' | sort | xargs; }
remove_stops_jails() {
	local out
	out=$(in_mnt "${APT[@]}" remove nfban </dev/null 2>&1) || { echo "$out"; return 1; }
	echo "$out" >"$T/remove.log"
	[ "$(dpkg-query -W -f='${Status}' nfban)" = "deinstall ok config-files" ] ||
		{ echo "$out"; echo "status: $(dpkg-query -W -f='${Status}' nfban)"; return 1; }
	grep -E '^nfban: stopped: viaconf viapy ' <<<"$out" ||
		{ echo "$out"; echo "(no line naming the jails the removal stopped)"; return 1; }
	grep -E "^nfban: $JAILD makes nfban the banaction" <<<"$out" ||
		{ echo "$out"; echo "(no line about $JAILD)"; return 1; }
}
jails_are() { # "JAIL ...": Fail2ban's jails, sorted
	local got
	got=$(jail_list)
	[ "$got" = "$(tr ' ' '\n' <<<"$1" | sort | xargs)" ] || { echo "Fail2ban's jails: '$got', want '$1'"; return 1; }
}
no_nfban_actions() {
	local j a
	for j in viaconf viapy; do
		a=$(f2b get "$j" actions | sed 1d)
		echo "$j: $a"
		case $a in *nfban* | '') return 1 ;; esac
	done
}
f2b_restarts() { # "JAIL ...": Fail2ban starts from the same config, with these jails
	: >"$WORK/fail2ban.log"
	f2b_start_mnt || return 1
	e2e_wait 30 jails_are "$1" || { jails_are "$1"; grep -E 'ERROR|Skipping|skipped' "$WORK/fail2ban.log"; return 1; }
}
if ! e2e_listen 22 2200 8080 >"$WORK/setup.out" 2>&1 || ! e2e_preexisting || ! before=$(kernel_state) || ! f2b_start_mnt >"$WORK/start.out" 2>&1 ||
	! e2e_wait 30 _f2b_has_jail viapy; then
	e2e_fail "Fail2ban starts jails viaconf, viapy and other before the removal"; e2e_diag <"$WORK/start.out"
else
	failed_logins "${E2E_BAD4[0]}" "${E2E_BAD6[0]}"
	e2e_check "before the removal, Fail2ban holds bans of ${E2E_BAD4[0]} and ${E2E_BAD6[0]} in viaconf (nfban-multiport) and viapy (nfban-nftables.py)" \
		e2e_wait 30 bans_everywhere || bans_everywhere | e2e_diag
	pycache_remove=$(pycache | wc -l)
	e2e_check "apt-get remove nfban stops the jails on nfban actions first, through the installed nfban, and says which (viaconf viapy)" \
		remove_stops_jails
	e2e_check "after the removal no rule, chain or set of those jails is in the kernel: the namespace's netfilter is as before Fail2ban started" \
		same "the kernel" "$before" "$(kernel_state)"
	e2e_check "Fail2ban runs on with its other jail (other, iptables-multiport)" jails_are other
	f2b_stop
	e2e_check "Fail2ban starts again after the removal, every jail read (the action files stay until the purge)" \
		f2b_restarts "viaconf viapy other"
	f2b_stop
	# What the prerm says for a jail naming an nfban action in jail.local: another banaction
	# (here: Fail2ban's default).
	sed -i '/^banaction = nfban-nftables.py$/d' "$conf/jail.local"
	F2B_CONF_OK=1
fi

# ---------------------------------------------------------------- 10. purge
section "10. purge"
if "${APT[@]}" purge nfban </dev/null >"$T/purge.log" 2>&1 && ! dpkg-query -W nfban >/dev/null 2>&1; then
	e2e_ok "apt-get purge nfban purges it (dpkg knows nothing of it)"
	INSTALLED=0
else
	e2e_fail "apt-get purge nfban purges it"; e2e_diag <"$T/purge.log"
fi
left_over() {
	local p left=()
	while read -r p; do
		[ "$p" = /. ] && continue
		[ -e "$p" ] || [ -L "$p" ] || continue
		[ -d "$p" ] && grep -qxF "$p" <<<"$preexisting_dirs" && continue
		left+=("$p")
	done <<<"$LISTED"
	[ ${#left[@]} -eq 0 ] || { echo "left on disk: ${left[*]}"; return 1; }
}
e2e_check "no file of dpkg -L nfban is left, and no directory that was not there before" left_over
pycache_purge=$(pycache | wc -l)
e2e_check "/run/nfban is gone, and Fail2ban's byte code of the .py actions ($pycache_remove file(s) at the removal, $pycache_purge at the purge)" \
	bash -c "[ ! -e /run/nfban ] && ! find /etc/fail2ban/action.d/__pycache__ -name '*nfban*' 2>/dev/null | grep . && [ $pycache_remove -gt 0 ]"
if [ -n "$F2B_CONF_OK" ]; then
	# The purge took jail.d/nfban.conf with the action files: viaconf is back on Fail2ban's own
	# banaction, as viapy is after the change the prerm asked for.
	e2e_check "Fail2ban starts again after the purge, every jail on Fail2ban's own banaction ($JAILD went with the package)" \
		f2b_restarts "viaconf viapy other"
	e2e_check "... and viaconf, viapy ban with it: no nfban action named" no_nfban_actions
	f2b_stop
fi
e2e_scenario_cleanup
[ $MADE_SOCKDIR -eq 1 ] && rmdir "$SOCKDIR"
[ $POLICY -eq 1 ] && rm -f /usr/sbin/policy-rc.d && POLICY=0
e2e_check "the host is as before: installed packages, /etc/fail2ban, nfban's paths, its netfilter tables" \
	same "the host" "$HOST_BEFORE" "$(host_state)"

section ""
e2e_done
