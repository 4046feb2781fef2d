#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/deb.sh OUTDIR VERSION - build the Debian package nfban_VERSION_ARCH.deb into OUTDIR
# (`make deb` runs it with OUTDIR = $(B)/deb and VERSION = the Makefile's VERSION).
#
# The package is built by Debian's own tools (dpkg-buildpackage -us -uc -b, debhelper,
# debian/rules) from a copy of the tree in OUTDIR/nfban-VERSION: the files git would commit
# (tracked ones, as they are in the work tree, and untracked ones .gitignore does not exclude),
# so no build product of the work tree gets in and the build never writes into the work tree.
# dpkg-buildpackage leaves the .deb (and its -dbgsym, .buildinfo and .changes) in OUTDIR.
#
# The version is the Makefile's: debian/changelog's latest entry must carry it, or nothing is
# built (Debian's tools take the package's version from debian/changelog).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: tools/deb.sh OUTDIR VERSION" >&2; exit 2; }
out=$1 version=$2
die() { echo "deb: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"

command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage is missing (tools/deps.sh installs it)"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "make deb builds from the files git knows: $root is not a git work tree"

cl=$(dpkg-parsechangelog -l debian/changelog -S Version)
[ "$cl" = "$version" ] ||
	die "debian/changelog's latest entry is $cl, the Makefile's VERSION is $version: add an entry (dch -v $version) or fix VERSION"

src=$out/nfban-$version
rm -rf "$src"
mkdir -p "$src"
# Tracked and not-ignored untracked files that exist (a tracked file deleted in the work tree
# stays out, as it would from the next commit).
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
	done |
	tar --null -T - -cf - | tar -xf - -C "$src"

# The package's make is debian/rules', not a sub-make of the one that ran make deb: none of its
# flags or command-line variables (B=, -j, -s) reach it through MAKEFLAGS.  (debian/rules sets
# the paths, B and SAN itself; CC and the build flags come from the environment, as in any
# Debian build.)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
rm -f "$out"/nfban_"$version"_"$arch".* "$out"/nfban-dbgsym_"$version"_"$arch".*deb
echo "deb: building nfban $version for $arch in $src" >&2
(cd "$src" && DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-parallel=$(nproc)} dpkg-buildpackage -us -uc -b)
deb=$out/nfban_${version}_$arch.deb
[ -f "$deb" ] || die "dpkg-buildpackage made no $deb"
echo "deb: $deb" >&2
