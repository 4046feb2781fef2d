# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/doctor.bash - what the doctor suites share (sourced after nstest.sh).

# kernel: the kernel as the tools print it, what every doctor run must leave as
# it was - aside from the save tools' date comments and the time left on a set
# element; with DOCTOR_MASK_COUNTERS=1 also packet counters (where the host's
# own traffic moves them: IPv6 neighbour discovery on its interfaces).
kernel() {
	local t c='s/^$//'
	[ "${DOCTOR_MASK_COUNTERS:-}" = 1 ] && c='s/\[[0-9]+:[0-9]+\]/[-]/; s/counter packets [0-9]+ bytes [0-9]+/counter/'
	for t in iptables-legacy-save ip6tables-legacy-save iptables-nft-save ip6tables-nft-save; do
		echo "== $t"
		{ $t 2>&1 || true; } | grep -v '^# Generated\|^# Completed' | sed -E "$c"
	done
	echo "== ipset"
	ipset save 2>&1 || true
	echo "== nft"
	nft list ruleset 2>&1 | sed -E "s/ expires [0-9dhms]+//; $c" || true
}

# has_line REGEX: some line of $out matches.
has_line() { grep -qE -- "$1" <<<"$out" || fail "no line matching /$1/ in: $out"; }

# docker_nat IPT: Docker's rules for a container 172.17.0.2 that publishes its
# port 22 as 8022 (`docker run -p 8022:22`): DOCKER-USER in FORWARD, the DNAT.
docker_nat() {
	local ipt=$1
	$ipt -N DOCKER-USER
	$ipt -A DOCKER-USER -j RETURN
	$ipt -A FORWARD -j DOCKER-USER
	$ipt -t nat -N DOCKER
	$ipt -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
	$ipt -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8022 -j DNAT --to-destination 172.17.0.2:22
}
