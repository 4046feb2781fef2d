#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate `nfban doctor --json` (stdin) against the fields nfban(8) documents.

The man page's DOCTOR JSON section lists each field as `.TP` + `.B name`; this
script reads that list, so a field added to the output without documenting it
(or documented but missing) fails.  Checks named in findings must be listed in
the man page's check table too.
"""
import json
import re
import sys

man = open(sys.argv[1]).read()
sec = re.search(r'^\.SS "?JSON"?\n(.*?)(?=^\.S[SH] )', man, re.S | re.M)
assert sec, "nfban(8) has no .SS JSON section"
fields = re.findall(r'^\.TP\n\.B (\S+)', sec.group(1), re.M)
top = [f for f in fields if not f.startswith("findings[].")]
per = [f[len("findings[]."):] for f in fields if f.startswith("findings[].")]
checks = set(re.findall(r'^\.B (\S+\.\S+)$', man, re.M))

doc = json.load(sys.stdin)
assert sorted(doc) == sorted(top), ("top-level fields", sorted(doc), sorted(top))
assert doc["doctor"] == 1
assert isinstance(doc["version"], str)
assert doc["status"] in (0, 1, 3)
assert sorted(doc["counts"]) == ["FAIL", "ok", "unknown", "warn"]
assert isinstance(doc["findings"], list) and doc["findings"]
n = {"ok": 0, "warn": 0, "unknown": 0, "FAIL": 0}
for f in doc["findings"]:
    assert sorted(f) == sorted(per), ("finding fields", sorted(f), sorted(per))
    assert f["severity"] in n, f
    n[f["severity"]] += 1
    assert f["check"] in checks, ("check not documented in nfban(8)", f["check"])
    for k in per:
        assert f[k] is None or isinstance(f[k], str), (k, f)
    assert isinstance(f["message"], str) and f["message"]
    assert (f["todo"] is None) == (f["severity"] == "ok"), f
    if f["fix"] is not None:
        assert f["severity"] != "ok" and all(l.strip() for l in f["fix"].split("\n")), f
assert n == doc["counts"], (n, doc["counts"])
assert doc["status"] == (1 if n["FAIL"] else 3 if n["unknown"] else 0)
