#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection (issue "Hardening"): the shim killed at every syscall of a
# start, ban, unban and stop, with the kernel checked after each kill.
#
# For every syscall the operation makes (each (name, k-th call of that name)
# of one strace -f run), the shim runs from the state before the operation
# and is killed with SIGKILL on entering that call, which never runs; then
#   - the kernel must be exactly as before the operation or as after it
#     (after: one unkilled run's, taken from the real kernel), never between;
#   - the operation run again, unkilled, must exit 0 and leave after: the
#     same kernel, the same fallback state files, no *.tmp of the killed one.
# Kinds, one test each: multiport on the legacy tables (IPv4); multiport on
# nf_tables as iptables-nft writes it (IPv6); nftables (IPv4); and the
# fallbacks, through tests/lib/fakekernel.c: a ban that meets a missing
# feature (first call of a jail on a kernel without ip_tables; a started
# multiport jail on a kernel without multiport), nftables taking over, whose
# start and ban must be one change (the issue's finding 8); a start without
# multiport, perport taking over and the state written after it; ipset on the
# legacy tables, whose start and stop change two subsystems (the set, the
# table), each in one message: a kill leaves each before or after; a group of
# bans (nfban_jail_ban_many) on legacy, nf_tables, nftables and ipset.  The
# jails live beside a host's rules and another jail (kill.py's baseline).
#
# Every syscall is a kill point but one: the first execve, strace's exec of
# the shim, which strace sees from its return (killing before it is a shim
# that never ran).  No other is skipped, loader and libc set-up included.
# The kill itself is tests/tools/killat (a seccomp filter stops the shim at
# that one syscall; it is killed in that ptrace stop): what
# `strace -f -e inject=NAME:signal=KILL:when=K` does, at the cost of an
# untraced run.  strace per kill point (its own exec, a stop at every
# syscall; its signal injection does not work with --seccomp-bpf, nor with
# -e trace=none) would not fit this suite in its two minutes; at the last
# three calls of each operation that can write (setsockopt, sendto, sendmsg,
# renameat) strace's injection runs too and must leave the same kernel.
# Snapshots are read in-process (kill.py: the legacy tables' blobs, nf_tables
# through libnftables); the tools' own text is printed when a point fails.
#
# Two workers, each in a network namespace of its own, share a kind's kill
# points.  In the ASan build (LeakSanitizer on the reruns) only the calls
# that write netfilter or the state are kill points (setsockopt, sendto,
# sendmsg, renameat): every kernel state a kill can leave is the state
# before one of those, and an ASan run costs three times the syscalls.
# The figures (kill points, kernel before/after, time) end the suite's
# output as # lines.  x86_64 only (syscall numbers from asm/unistd_64.h).
source "$(dirname "$0")/../lib/nstest.sh"

kill_kind() { # kind
	local args=(--workers 2)
	[ "$(uname -m)" = x86_64 ] || skip "syscall numbers are read for x86_64 only"
	command -v strace >/dev/null || skip "no strace"
	[ -x "$NFBAN_BUILD/tests/tools/killat" ] || fail "$NFBAN_BUILD/tests/tools/killat not built"
	[ -e "$NFBAN_BUILD/tests/fakekernel.so" ] || fail "$NFBAN_BUILD/tests/fakekernel.so not built"
	[[ $NFBAN_BUILD == *asan* ]] && args+=(--syscalls "setsockopt,sendto,sendmsg,renameat")
	[ -n "${KILL_SUMMARY:-}" ] && args+=(--summary "$KILL_SUMMARY")
	/usr/bin/python3 "$NFBAN_ROOT/tests/ns/kill.py" "$1" "${args[@]}"
}

test_multiport_legacy() { kill_kind legacy; }
test_multiport_nft() { kill_kind nft; }
test_nftables() { kill_kind nftables; }
test_group_legacy() { kill_kind legacy-group; }
test_group_nft() { kill_kind nft-group; }
test_group_nftables() { kill_kind nftables-group; }
test_group_ipset() { kill_kind ipset-group; }
test_ipset_legacy() { kill_kind ipset; }
test_fallback_ban() { kill_kind fallback-ban; }
test_fallback_start() { kill_kind fallback-start; }

if [ "${1:-}" = --one ]; then
	run_suite "$@"
fi
KILL_SUMMARY=$(mktemp)
export KILL_SUMMARY
t0=$SECONDS
run_suite "$@"
sed 's/^/# /' "$KILL_SUMMARY"
echo "# kill.sh: $((SECONDS - t0)) s"
rm -f "$KILL_SUMMARY"
