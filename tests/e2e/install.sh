#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/install.sh - ./install.sh as a user runs it, into temporary DESTDIRs.
#
# Installs with the default prefix from the build under test (NFBAN_BUILD, passed as B, so
# nothing is rebuilt), then with another --prefix/--sysconfdir from a fresh build tree in the
# temp dir (the shim must look for its plugins under the new prefix), checks every installed
# file, that Fail2ban's config test is run and has teeth, and that --uninstall removes it all.
# Nothing is installed outside the temp dir; the host's Fail2ban and firewall are not touched
# (install.sh runs its plugin check in `unshare -n`).
set -uo pipefail
source "$(dirname "$0")/../lib/nstest.sh"
source "$(dirname "$0")/lib.bash"

cd "$NFBAN_ROOT" || exit 1
e2e_init
T=$E2E_TMP
PLUGINS=(allports ipset ipset-allports multiport nftables perport)
LIBS=(libnfban)
ACTIONS=(nfban-allports nfban-ipset nfban-ipset-allports nfban-multiport nfban-nftables nfban-nftables-allports nfban-perport)
# Installed with them: what the three iptables actions include (`before = ...`).
INCLUDES=(nfban-iptables-common)
# The in-process actions, and the module they share (it names the plugin directory).
PYFILES=(nfban-allports nfban-ipset nfban-ipset-allports nfban-multiport nfban-nftables nfban-nftables-allports nfban-perport nfban_action)

# What `make install` must have put under $1 for prefix $2 and sysconfdir $3, with modes.
expected_files() {
	local d=$1 p=$2 s=$3 x
	echo "755 $d$p/sbin/nfban"
	for x in "${PLUGINS[@]}" "${LIBS[@]}"; do echo "644 $d$p/lib/nfban/$x.so"; done
	echo "755 $d$p/lib/nfban/nfban-doctor"
	for x in "${ACTIONS[@]}" "${INCLUDES[@]}"; do echo "644 $d$s/fail2ban/action.d/$x.conf"; done
	for x in "${PYFILES[@]}"; do echo "644 $d$s/fail2ban/action.d/$x.py"; done
	echo "644 $d$p/share/man/man8/nfban.8"
}
installed_files() { find "$1" -type f -printf '%m %p\n' | sort; }

check_files() { # destdir prefix sysconfdir
	local want got f
	want=$(expected_files "$@" | sort)
	got=$(installed_files "$1")
	[ "$want" == "$got" ] || { echo "installed files (- expected, + got):"; diff -u <(echo "$want") <(echo "$got") | tail -n +3; return 1; }
	# The action files are the repo's with @SBINDIR@ replaced by the installed shim's dir.
	for f in "${ACTIONS[@]}" "${INCLUDES[@]}"; do
		sed "s|@SBINDIR@|$2/sbin|g" "action.d/$f.conf" | cmp -s - "$1$3/fail2ban/action.d/$f.conf" ||
			{ echo "$f.conf differs from action.d/$f.conf with @SBINDIR@ = $2/sbin"; return 1; }
	done
	for f in "${PYFILES[@]}"; do
		sed "s|@PLUGINDIR@|$2/lib/nfban|g" "action.d/$f.py" | cmp -s - "$1$3/fail2ban/action.d/$f.py" ||
			{ echo "$f.py differs from action.d/$f.py with @PLUGINDIR@ = $2/lib/nfban"; return 1; }
	done
	# make install fills in the version from the Makefile's VERSION, the one place it is set.
	sed "s|@VERSION@|$(sed -n 's/^VERSION *:= *//p' Makefile)|g" man/nfban.8 |
		cmp -s - "$1$2/share/man/man8/nfban.8" || { echo "nfban.8 differs from man/nfban.8 with @VERSION@ filled in"; return 1; }
}

run_install() { # log-file args...: ./install.sh, output kept in the log
	local log=$1
	shift
	./install.sh "$@" >"$log" 2>&1
}
show() { echo "./install.sh said:"; cat "$1"; }

# 0. Usage.
e2e_check "install.sh --help describes every option" \
	bash -c './install.sh --help | grep -q -- --prefix && ./install.sh --help | grep -q -- --uninstall'
e2e_check "install.sh refuses an unknown option (status 2) and a relative --prefix" \
	bash -c './install.sh --bogus >/dev/null 2>&1; [ $? -eq 2 ] && ! ./install.sh --prefix rel >/dev/null 2>&1'

# The rest needs a tree that builds completely (every plugin's sources present).
if ! why=$(make -n B="$NFBAN_BUILD" all 2>&1 >/dev/null); then
	e2e_skip "install.sh installs and uninstalls" "the tree does not build yet: $(tail -n1 <<<"$why")"
	e2e_done
	exit 0
fi

# 1. Default prefix, from the build under test.
D1=$T/root1
if B=$NFBAN_BUILD run_install "$T/i1.log" --destdir "$D1"; then
	e2e_ok "install.sh --destdir D: builds and installs (PREFIX=/usr/local SYSCONFDIR=/etc)"
else
	e2e_fail "install.sh --destdir D: builds and installs"; show "$T/i1.log" | e2e_diag
fi
e2e_check "it installs exactly the shim, libnfban, 6 plugins, nfban-doctor, 7 action files and their include (nfban = /usr/local/sbin/nfban), 7 .py actions and their module (/usr/local/lib/nfban) and nfban.8" \
	check_files "$D1" /usr/local /etc
e2e_check "it checked that Fail2ban accepts the action files and that the installed nfban runs every plugin" \
	bash -c "grep -q 'accepts the 7 action files' '$T/i1.log' && grep -q 'runs its plugins: allports ipset-allports ipset multiport nftables perport' '$T/i1.log' || { cat '$T/i1.log'; exit 1; }"
e2e_check "it checked that Fail2ban loads the 7 .py actions and that they ban, flush and stop with the installed libnfban" \
	bash -c "grep -q 'loads the in-process actions, and they ban, flush and stop: nfban-allports nfban-ipset nfban-ipset-allports nfban-multiport nfban-nftables nfban-nftables-allports nfban-perport' '$T/i1.log' || { cat '$T/i1.log'; exit 1; }"
e2e_check "install.sh --destdir D --uninstall removes every file" \
	bash -c "B='$NFBAN_BUILD' ./install.sh --destdir '$D1' --uninstall >'$T/u1.log' 2>&1 && [ -z \"\$(find '$D1' -type f)\" ] || { cat '$T/u1.log'; find '$D1' -type f; exit 1; }"

# 2. Another prefix and sysconfdir, from a fresh build tree: the shim is built for them.
D2=$T/root2 P2=/opt/nfban-e2e S2=/opt/nfban-e2e/etc
if B=$T/build run_install "$T/i2.log" --prefix "$P2" --sysconfdir "$S2" --destdir "$D2"; then
	e2e_ok "install.sh --prefix $P2 --sysconfdir $S2 --destdir D installs"
else
	e2e_fail "install.sh --prefix $P2 --sysconfdir $S2 --destdir D installs"; show "$T/i2.log" | e2e_diag
fi
e2e_check "the files land under the new prefix and sysconfdir, naming $P2/sbin/nfban" \
	check_files "$D2" "$P2" "$S2"
e2e_check "the installed shim looks for its plugins in $P2/lib/nfban" \
	bash -c "'$D2$P2/sbin/nfban' --help | grep -qF 'or $P2/lib/nfban.' || { '$D2$P2/sbin/nfban' --help; exit 1; }"
B=$T/build ./install.sh --prefix "$P2" --sysconfdir "$S2" --destdir "$D2" --uninstall >/dev/null 2>&1
e2e_check "--uninstall with the same options removes every file" \
	bash -c "[ -z \"\$(find '$D2' -type f)\" ] || { find '$D2' -type f; exit 1; }"

# 3. The Fail2ban check has teeth: a Fail2ban config it cannot accept fails the install.
#    (--sysconfdir names a broken Fail2ban config: its sshd filter is missing.)
S3=$T/etc3 D3=$T/root3
mkdir -p "$S3"
cp -r /etc/fail2ban "$S3/"
rm -f "$S3/fail2ban/filter.d/sshd.conf"
B=$NFBAN_BUILD run_install "$T/i3.log" --sysconfdir "$S3" --destdir "$D3"
rc=$?
e2e_check "when fail2ban-client -t refuses the config, install.sh says so and fails" \
	bash -c "[ $rc -ne 0 ] && grep -q 'fail2ban-client -t refuses' '$T/i3.log' || { echo status $rc; cat '$T/i3.log'; exit 1; }"

e2e_done
