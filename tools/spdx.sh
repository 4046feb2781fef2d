#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/spdx.sh - every source file of the tree says its licence: TAP, one test per kind of
# file, failing with the names of the files whose first 5 lines lack
#   SPDX-License-Identifier: GPL-2.0-or-later
# Source files: *.c *.h *.py *.sh *.conf *.8, every Makefile, and every file starting with
# `#!` (scripts such as tests/run, demo/run, debian/rules).  Data (tests/fuzz/corpus, COPYING)
# is not source.  The files are git's (tracked, and untracked ones .gitignore does not
# exclude), so a new file is checked before it is committed.  `make check` runs it (tests/run).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
want='SPDX-License-Identifier: GPL-2.0-or-later'

kind() { # FILE: the kind of source it is, or nothing
	case $1 in
	tests/fuzz/corpus/* | COPYING) return ;;
	*.c | *.h) echo C ;;
	*.py) echo Python ;;
	*.sh) echo shell ;;
	*.conf) echo "Fail2ban action" ;;
	*.8) echo "man page" ;;
	Makefile | */Makefile) echo Makefile ;;
	*) [ "$(head -c 2 "$1" 2>/dev/null)" = '#!' ] && echo script ;;
	esac
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard)
else
	mapfile -d '' files < <(find . -path ./.git -prune -o -path './build*' -prune -o -type f -printf '%P\0')
fi
declare -A count missing
kinds=()
for f in "${files[@]}"; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	k=$(kind "$f")
	[ -n "$k" ] || continue
	[ -n "${count[$k]:-}" ] || kinds+=("$k")
	count[$k]=$((${count[$k]:-0} + 1))
	head -n 5 "$f" | grep -qF "$want" || missing[$k]+=" $f"
done

echo "1..${#kinds[@]}"
n=0 rc=0
for k in "${kinds[@]}"; do
	n=$((n + 1))
	if [ -z "${missing[$k]:-}" ]; then
		echo "ok $n - spdx: all ${count[$k]} $k files say $want"
	else
		echo "not ok $n - spdx: $k files without '$want' in their first 5 lines:${missing[$k]}"
		rc=1
	fi
done
exit $rc
