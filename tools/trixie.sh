#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/trixie.sh - the Debian 13 (trixie) tier of `make check`: nfban built and tested inside a
# Debian 13 root, against that root's own iptables, nft, Fail2ban and Python, on the host's kernel.
#
#   tools/trixie.sh wanted         exit 0 when this host wants the tier (it is not Debian 13
#                                  itself), else say why not
#   tools/trixie.sh root           make the cached root if it is missing; print its path
#   tools/trixie.sh run RESULTS    build nfban (gcc) in the root and run tests/run's trixie
#                                  selection there; each suite's TAP, status and time land in
#                                  RESULTS (tests/run reports them as trixie:<suite>)
#   tools/trixie.sh shell [CMD]    a shell in the root, with the tree, as the suites see it (or
#                                  CMD run there by bash)
#
# The root: `debootstrap --variant=minbase trixie` from Debian's archive, then tools/deps.sh
# (what `make check` runs first on a Debian 13 host: tools/deps.txt installed), cached in
# $NFBAN_TRIXIE_CACHE/trixie-<hash of the package list and of this recipe> (default
# /var/cache/nfban). It is made in a temporary directory beside it and renamed into place when
# complete, so a root that exists is whole; a changed package list makes a new one (and roots
# of this script unused for a day are removed). The downloaded .debs are kept in $CACHE/debs-trixie,
# so a rebuild fetches only what changed.
#
# Every run is its own mount namespace: the cached root is the lower layer of an overlay whose
# upper layer is a tmpfs (the root itself is never written after it is made, so runs cannot
# spoil it and can run side by side), made that namespace's root with pivot_root (the host's
# root detached), /proc, /sys and /dev are bound in, and the files git would
# commit are copied into /nfban on that tmpfs: the host's build trees are neither seen nor
# clobbered. The suites make their own network namespaces, as on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NFBAN_TRIXIE_CACHE:-/var/cache/nfban}
MIRROR=${NFBAN_TRIXIE_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
# Bump when the way the root is made changes (the hash then makes a new one).
RECIPE=2

die() { echo "trixie: $*" >&2; exit 1; }
say() { echo "trixie: $*" >&2; }

packages() {
	sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/tools/deps.txt" | grep -v '^$' | sort -u
}
root_dir() {
	local h
	h=$( { echo "recipe $RECIPE $SUITE $MIRROR"; packages; } | sha256sum | cut -c1-12)
	echo "$CACHE/$SUITE-$h"
}

# retry N CMD...: an archive that is slow or drops a connection gets N tries, 10 s apart.
retry() {
	local n=$1 i; shift
	for ((i = 1; ; i++)); do
		"$@" && return 0
		[ "$i" -ge "$n" ] && return 1
		say "attempt $i of $n failed: $*; again in 10 s"
		sleep 10
	done
}

# bootstrap TMP DEBS: debootstrap into an empty TMP, with the .debs of earlier roots (DEBS) in
# its apt cache: debootstrap takes those that match the archive's checksums and downloads the
# rest; the ones it used go back to DEBS.
bootstrap() {
	local tmp=$1 debs=$2
	rm -rf "$tmp"
	mkdir -p "$tmp/var/cache/apt/archives" "$tmp/etc/dpkg/dpkg.cfg.d"
	# No fsync per file while the root is made (it is renamed into place only when whole,
	# after one sync): on a loaded machine dpkg spends most of its time there.
	echo force-unsafe-io >"$tmp/etc/dpkg/dpkg.cfg.d/nfban-unsafe-io"
	find "$debs" -maxdepth 1 -name '*.deb' -exec cp -l {} "$tmp/var/cache/apt/archives/" \;
	timeout 600 debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" || return 1
	find "$tmp/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec mv -f {} "$debs/" \;
}

# make_root DIR: debootstrap + tools/deps.sh into DIR.tmp.PID, then rename to DIR.
make_root() {
	local dir=$1 tmp=$1.tmp.$$ t0=$SECONDS
	mkdir -p "$CACHE/debs-$SUITE"
	say "making $dir (debootstrap --variant=minbase $SUITE from $MIRROR, then $(packages | wc -l) packages)"
	local debs=$CACHE/debs-$SUITE
	retry 2 bootstrap "$tmp" "$debs" >"$CACHE/$SUITE-debootstrap.log" 2>&1 ||
		{ tail -n 20 "$CACHE/$SUITE-debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap failed (log: $CACHE/$SUITE-debootstrap.log)"; }
	say "debootstrap: $((SECONDS - t0)) s"
	# fail2ban's postinst would start its service: policy-rc.d forbids it inside the root.
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	echo "deb $MIRROR $SUITE main" >"$tmp/etc/apt/sources.list"
	# The packages are installed by tools/deps.sh, run in the root as `make check` runs it on
	# a Debian 13 host, in a mount namespace of its own, with the .deb cache bound in and
	# apt told to retry a slow archive.
	mkdir -p "$tmp/tmp/nfban-deps"
	cp "$here/tools/deps.sh" "$here/tools/deps.txt" "$tmp/tmp/nfban-deps/"
	printf '%s\n' 'Acquire::Retries "5";' 'Acquire::http::Timeout "60";' 'Dpkg::Use-Pty "0";' \
		>"$tmp/etc/apt/apt.conf.d/80nfban-tier"
	if ! retry 2 unshare -m --propagation private bash -c '
		set -e
		tmp=$1 debs=$2
		mount --rbind /proc "$tmp/proc"; mount --rbind /sys "$tmp/sys"; mount --rbind /dev "$tmp/dev"
		mount --bind "$debs" "$tmp/var/cache/apt/archives"
		cp /etc/resolv.conf "$tmp/etc/resolv.conf"
		chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
			timeout 1200 bash /tmp/nfban-deps/deps.sh
	' _ "$tmp" "$debs" >"$CACHE/$SUITE-apt.log" 2>&1; then
		tail -n 20 "$CACHE/$SUITE-apt.log" >&2
		rm -rf "$tmp"
		die "tools/deps.sh in the root failed (log: $CACHE/$SUITE-apt.log)"
	fi
	rm -rf "$tmp/etc/resolv.conf" "$tmp/etc/dpkg/dpkg.cfg.d/nfban-unsafe-io" "$tmp/etc/apt/apt.conf.d/80nfban-tier" \
		"$tmp/tmp/nfban-deps"
	packages >"$tmp/etc/nfban-packages"
	sync -f "$tmp"
	mv -T "$tmp" "$dir" 2>/dev/null || { rm -rf "$tmp"; [ -d "$dir" ] || die "could not rename $tmp to $dir"; }
	say "made $dir in $((SECONDS - t0)) s"
	# Roots of another package list or recipe unused for a day (another branch's make check may
	# be using one; never trixie-ref or another tool's directory).
	local old
	for old in "$CACHE/$SUITE"-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]; do
		[ -d "$old" ] && [ "$old" != "$dir" ] && find "$old" -maxdepth 0 -mmin +1440 | grep -q . &&
			{ say "removing the older root $old"; rm -rf "$old"; }
	done
	return 0
}

# ensure_root: the cached root's path, made first when missing (one maker at a time).
ensure_root() {
	local dir
	dir=$(root_dir)
	if [ ! -d "$dir" ]; then
		[ "$(id -u)" -eq 0 ] || die "the Debian 13 root is made as root"
		command -v debootstrap >/dev/null || die "debootstrap is missing (tools/deps.txt lists it)"
		mkdir -p "$CACHE"
		exec 9>"$CACHE/$SUITE.lock"
		flock 9
		# Under the lock, a DIR.tmp.PID is what a maker killed midway left.
		rm -rf "$CACHE/$SUITE"-*.tmp.*
		[ -d "$dir" ] || make_root "$dir"
		exec 9>&-
	fi
	touch "$dir"
	echo "$dir"
}

# in_root ROOT RESULTS SCRIPT: SCRIPT run by bash in the root, as described above; RESULTS (a
# host directory, may be empty) is bound at /results.
in_root() {
	local root=$1 results=$2 script=$3 scratch
	scratch=$(mktemp -d /tmp/nfban-trixie.XXXXXX)
	unshare -m --propagation private bash -c '
		set -e
		root=$1 results=$2 scratch=$3 tree=$4 script=$5 suites=$6
		mount -t tmpfs -o mode=0755 nfban-trixie "$scratch"
		mkdir -p "$scratch/upper" "$scratch/work" "$scratch/root"
		mount -t overlay overlay -o "lowerdir=$root,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root"
		r=$scratch/root
		mount --rbind /proc "$r/proc"; mount --rbind /sys "$r/sys"; mount --rbind /dev "$r/dev"
		for m in proc sys dev; do mount --make-rslave "$r/$m"; done
		mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
		mkdir -p "$r/nfban" "$r/results"
		chmod 0755 "$r/nfban"
		[ -z "$results" ] || mount --bind "$results" "$r/results"
		# apt in the root reaches the archive as the host does (tests/e2e/package.sh installs
		# the package there with apt-get).
		cp -L /etc/resolv.conf "$r/etc/resolv.conf"
		# The files git would commit, as make deb copies them.
		cd "$tree"
		git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d "" f; do
				if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\0" "$f"; fi
			done | tar --null -T - -cf - | tar -xf - -C "$r/nfban"
		# make deb lists the files of the tree with git (tools/deb.sh): a repository of its own.
		git -C "$r/nfban" init -q
		# The root becomes the namespace'"'"'s own (pivot_root, the host'"'"'s left behind), not only
		# this process'"'"'s (chroot): mount namespaces made inside (`ip netns exec`) then see
		# the root too, and paths such as /proc/PID/maps'"'"' read as on a Debian 13 host.
		cd "$r"
		mkdir -p .host
		pivot_root . .host
		exec chroot . /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
			TERM="${TERM:-dumb}" NFBAN_TIER=trixie NFBAN_SUITES="$suites" \
			bash -c "umount -l /.host && rmdir /.host && cd / && $script"
	' _ "$root" "$results" "$scratch" "$here" "$3" "${NFBAN_TRIXIE_SUITES:-}"
	local rc=$?
	rmdir "$scratch" 2>/dev/null || true
	return $rc
}

case "${1:-}" in
wanted)
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ "$codename" != "$SUITE" ] || { echo "the host is Debian 13 ($SUITE): its own suites are this tier"; exit 1; }
	;;
root)
	ensure_root
	;;
run)
	[ $# -eq 2 ] || die "usage: tools/trixie.sh run RESULTS"
	mkdir -p "$2"
	results=$(cd "$2" && pwd)
	root=$(ensure_root)
	# The gcc builds (plain, and ASan+UBSan for the unit tests), then tests/run's trixie selection (NFBAN_TIER=trixie), each suite's files
	# kept in /results.
	in_root "$root" "$results" '
		set -o pipefail
		cd /nfban
		t0=$SECONDS
		j=-j${NFBAN_TRIXIE_JOBS:-2}
		if make $j B=build tests >/results/build.log 2>&1 &&
			make $j B=build-asan SAN=1 OPT=-O1 tests >>/results/build.log 2>&1; then rc=0; else rc=$?; fi
		echo "trixie: gcc and gcc+ASan/UBSan builds: $((SECONDS - t0)) s, status $rc" >>/results/build.log
		echo $rc >/results/build.rc
		[ $rc -eq 0 ] || exit $rc
		NFBAN_RESULTS_DIR=/results NFBAN_LANES=${NFBAN_TRIXIE_LANES:-1} tests/run >/results/run.log 2>&1 || true
	'
	;;
shell)
	root=$(ensure_root)
	in_root "$root" "" "cd /nfban && ${2:-exec bash -i}"
	;;
*)
	die "usage: tools/trixie.sh wanted | root | run RESULTS | shell [CMD]"
	;;
esac
