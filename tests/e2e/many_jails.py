# SPDX-License-Identifier: GPL-2.0-or-later
"""many_jails.py - the kernel's state of many jails, for tests/e2e/many_jails.sh.

  many_jails.py canon RULESET.json SAVE4 SAVE6
      The state as text that compares between two runs of the same jails: one line per
      object of `nft -j list ruleset` (handles, counters and metainfo dropped; tables, chains
      and sets sorted, set elements sorted, each chain's rules in order), then the
      `iptables-nft-save` and `ip6tables-nft-save` text (counters and comments dropped,
      chain declarations sorted).  Fail2ban starts its jails in threads, so the order in
      which they reach the kernel differs from run to run: a run of consecutive rules that
      belong to jails (an nft rule looking up a jail's set, a jump to an f2b-* chain) is
      sorted among itself, in place; every other rule keeps its position.

  many_jails.py census KIND N PORT0 BANS RULESET.json SAVE4 SAVE6
      Every jail j01..jN (port PORT0+i) holds exactly what its action's stock twin leaves:
        nft: in table inet f2b-table, sets addr-set-jNN (ipv4_addr) and addr6-set-jNN
             (ipv6_addr) and in chain f2b-chain one rule per set, matching `tcp dport PORT`;
        ipt: per family a chain f2b-jNN ending in RETURN and one jump to it in INPUT:
             `-A INPUT -p tcp -m multiport --dports PORT -j f2b-jNN`;
      and exactly the bans BANS names ("j01=10.0.0.1,fd00::1 j30=10.0.0.1", or "-": none).
      Prints one line per jail that differs (naming the jail and what is wrong) and exits 1;
      else one summary line.
"""

import json
import re
import sys


def _strip(o):
	if isinstance(o, dict):
		return {k: _strip(v) for k, v in o.items() if k != "handle"}
	if isinstance(o, list):
		return [_strip(v) for v in o]
	return o


def _jail_rule(rule):
	text = json.dumps(rule["expr"])
	return ('"@addr-set-' in text or '"@addr6-set-' in text
		or re.search(r'"(jump|goto)": \{"target": "f2b-', text) is not None)


def _sorted_runs(items, is_jail):
	"""items in order, each maximal run of jail items sorted in place."""
	out, run = [], []
	for it in items:
		if is_jail(it):
			run.append(it)
			continue
		out += sorted(run) + [it]
		run = []
	return out + sorted(run)


def canon_ruleset(js):
	objs = [_strip(o) for o in json.loads(js)["nftables"] if "metainfo" not in o]
	heads, rules = [], {}
	for o in objs:
		(kind, body), = o.items()
		if kind == "rule":
			for e in body["expr"]:
				if "counter" in e:
					e["counter"] = {"packets": 0, "bytes": 0}
			key = (body["family"], body["table"], body["chain"])
			rules.setdefault(key, []).append(body)
			continue
		if kind == "set" and "elem" in body:
			body["elem"] = sorted(body["elem"], key=lambda e: json.dumps(e, sort_keys=True))
		heads.append((kind, body.get("family"), body.get("table", ""), body["name"],
			json.dumps(o, sort_keys=True)))
	lines = [h[4] for h in sorted(heads)]
	for key in sorted(rules):
		body = rules[key]
		keep = [json.dumps({"rule": r}, sort_keys=True) for r in body]
		flags = {j: _jail_rule(r) for j, r in zip(keep, body)}
		lines += _sorted_runs(keep, lambda line: flags[line])
	return lines


def canon_save(text):
	lines, decl, body = [], [], []
	for line in text.splitlines():
		if line.startswith("#"):
			continue
		line = re.sub(r" ?\[\d+:\d+\]", "", line)
		if line.startswith(":"):
			decl.append(line)
		elif line.startswith("-A "):
			body.append(line)
		else:
			if line == "COMMIT":
				lines += sorted(decl)
				lines += _sorted_runs(body, lambda r: re.search(r" -j f2b-\S+$", r) is not None)
				decl, body = [], []
			lines.append(line)
	return lines


def cmd_canon(ruleset, save4, save6):
	out = canon_ruleset(open(ruleset).read())
	for name, path in (("iptables-nft-save", save4), ("ip6tables-nft-save", save6)):
		out.append("## " + name)
		out += canon_save(open(path).read())
	print("\n".join(out))


def _bans(spec):
	bans = {}
	if spec != "-":
		for item in spec.split():
			jail, _, addrs = item.partition("=")
			for a in addrs.split(","):
				bans.setdefault(jail, {4: set(), 6: set()})[6 if ":" in a else 4].add(a)
	return bans


def census_nft(n, port0, bans, ruleset):
	objs = [o for o in json.loads(ruleset)["nftables"] if "metainfo" not in o]
	sets, rules = {}, []
	for o in objs:
		(kind, b), = o.items()
		if b.get("family") != "inet" or b.get("table") != "f2b-table":
			continue
		if kind == "set":
			sets[b["name"]] = b
		elif kind == "rule" and b["chain"] == "f2b-chain":
			rules.append(json.dumps(b["expr"]))
	bad, nrules = [], 0
	for i in range(1, n + 1):
		jail, port = "j%02d" % i, port0 + i
		for fam, name, typ in ((4, "addr-set-" + jail, "ipv4_addr"), (6, "addr6-set-" + jail, "ipv6_addr")):
			s = sets.pop(name, None)
			if s is None:
				bad.append("%s: no set %s" % (jail, name))
				continue
			if s.get("type") != typ:
				bad.append("%s: set %s has type %s" % (jail, name, s.get("type")))
			got = {e for e in s.get("elem", []) if isinstance(e, str)}
			want = bans.get(jail, {4: set(), 6: set()})[fam]
			if got != want or len(s.get("elem", [])) != len(got):
				bad.append("%s: set %s holds %s, expected %s" % (jail, name, sorted(s.get("elem", [])), sorted(want)))
			mine = [r for r in rules if '"@%s"' % name in r]
			nrules += len(mine)
			if len(mine) != 1:
				bad.append("%s: %d rules look up @%s in f2b-chain, expected 1" % (jail, len(mine), name))
			elif not re.search(r'"right": (%d|\{"set": \[%d\]\})\}' % (port, port), mine[0]) or '"dport"' not in mine[0]:
				bad.append("%s: the rule of @%s does not match tcp dport %d: %s" % (jail, name, port, mine[0]))
	for name in sorted(sets):
		bad.append("a set of no jail: %s" % name)
	return bad, "%d jails: %d sets and %d rules in inet f2b-table" % (n, 2 * n, nrules)


def census_ipt(n, port0, bans, save4, save6):
	bad, nchains = [], 0
	for fam, text in ((4, save4), (6, save6)):
		rules = [re.sub(r" ?\[\d+:\d+\]", "", l) for l in text.splitlines() if l.startswith("-A ")]
		chains = {l.split()[0][1:] for l in text.splitlines() if l.startswith(":f2b-")}
		for i in range(1, n + 1):
			jail, port = "j%02d" % i, port0 + i
			chain = "f2b-" + jail
			if chain not in chains:
				bad.append("%s: no chain %s (IPv%d)" % (jail, chain, fam))
				continue
			chains.discard(chain)
			nchains += 1
			jumps = [r for r in rules if r.endswith(" -j " + chain) and not r.startswith("-A " + chain + " ")]
			want = "-A INPUT -p tcp -m multiport --dports %d -j %s" % (port, chain)
			if jumps != [want]:
				bad.append("%s: jumps to %s (IPv%d): %s, expected [%r]" % (jail, chain, fam, jumps, want))
			body = [r for r in rules if r.startswith("-A " + chain + " ")]
			if not body or body[-1] != "-A %s -j RETURN" % chain:
				bad.append("%s: %s (IPv%d) does not end in RETURN: %s" % (jail, chain, fam, body))
				continue
			got = sorted(r.split()[3] for r in body[:-1] if r.split()[2] == "-s")
			plen = "/32" if fam == 4 else "/128"
			want_b = sorted(a + plen for a in bans.get(jail, {4: set(), 6: set()})[fam])
			if got != want_b or len(body) - 1 != len(got):
				bad.append("%s: %s (IPv%d) holds %s, expected bans %s" % (jail, chain, fam, body[:-1], want_b))
		for c in sorted(chains):
			bad.append("a chain of no jail (IPv%d): %s" % (fam, c))
	return bad, "%d jails: %d chains f2b-j* and their jumps in ip/ip6 filter" % (n, nchains)


def cmd_census(kind, n, port0, spec, ruleset, save4, save6):
	n, port0, bans = int(n), int(port0), _bans(spec)
	if kind == "nft":
		bad, summary = census_nft(n, port0, bans, open(ruleset).read())
	else:
		bad, summary = census_ipt(n, port0, bans, open(save4).read(), open(save6).read())
	if bad:
		print("%d problems:" % len(bad))
		print("\n".join(bad))
		return 1
	print(summary)
	return 0


if __name__ == "__main__":
	if sys.argv[1:2] == ["canon"] and len(sys.argv) == 5:
		cmd_canon(*sys.argv[2:])
	elif sys.argv[1:2] == ["census"] and len(sys.argv) == 9:
		sys.exit(cmd_census(*sys.argv[2:]))
	else:
		sys.exit(__doc__)
