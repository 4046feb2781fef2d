#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine of tests/ns/kill.sh: the shim killed at every syscall of an operation.

A kind (legacy, nft, nftables, fallback-ban, fallback-start) is a cycle of
steps from a baseline back to it, e.g. start, ban, unban, stop; killed
steps are the operations under test, the others just run.  Each step's "before" and "after" are snapshots of the real kernel
taken around one unkilled round of the cycle.  One traced round
(strace -f) lists each killed step's syscalls: every (name, k-th call of
that name) is a kill point (the first execve aside: strace's exec of the
shim, whose entry it never sees).  Then the kill rounds: in round r each
killed step runs once killed at its r-th syscall, from its before:
  - tests/tools/killat kills the shim on entering that call (the call never
    runs), as `strace -e inject=NAME:signal=KILL:when=K` does, at the cost
    of an untraced run; it reports the shim dead by SIGKILL at exactly its
    K-th call, else the point is a harness error.  At the last three calls
    of a step that can write (setsockopt, sendto, sendmsg, renameat),
    strace's own injection is run too and must leave the same kernel;
  - the kernel must then be before or after, exactly;
  - the same operation, run again unkilled, must exit 0 and leave after:
    the same kernel, the same fallback state files, no *.tmp.
A step's after is the next one's before, so the cycle goes on without
restoring anything (RESTORE steps put the baseline back, and a failed
point is restored to after).  Workers (--workers, default 2) take every
n-th round, each in a network namespace of its own (the first in the
caller's).

A snapshot is taken in this process, without a tool per look:
  - each legacy table listed in /proc/net/ip{,6}_tables_names, as the kernel
    hands it out (IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES: the blob iptables-save
    prints, byte for byte), packet and byte counters zeroed;
  - nf_tables through libnftables: `list ruleset` both as nft prints it and
    as `nft --debug=netlink` shows the expressions (the iptables-nft tables'
    compat matches by name and revision, their data through nft's
    translation), counters and handles removed; chains, sets and set
    elements sorted (their order in the kernel carries no meaning and is not
    kept by a restore);
  - the state directory (NFBAN_STATE_DIR), files and contents; the
    announcements (<jail>.<family>.announced: a time and a message) are
    left out of comparisons.
A failure prints what the tools print (iptables-legacy-save,
ip6tables-legacy-save, iptables-nft-save, ip6tables-nft-save, nft list
ruleset), diffed against before and after.  Restores: legacy tables by
IPT_SO_SET_REPLACE of the snapshot's blob; nftables tables deleted and
loaded from their text through libnftables; iptables-nft's with
iptables-nft-restore (their compat expressions have no nft syntax); the
state directory rewritten; each checked by a snapshot.

Usage: kill.py KIND [--workers N] [--syscalls a,b,...] [--summary FILE]
(--syscalls: kill at those syscalls only).  It refuses to run outside a
network namespace of its own (one with no interface but lo).
"""
import ctypes
import difflib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BUILD = os.environ["NFBAN_BUILD"]
NFBAN = os.path.join(BUILD, "nfban")
# A step of a long-lived host's call that the shim has not: tests/host/steps.c -c LINE.
STEPS = os.path.join(BUILD, "tests", "host", "steps")
FAKE = os.path.join(BUILD, "tests", "fakekernel.so")

# ---------------------------------------------------------------- scenarios

IP4, IP4C = "192.0.2.1", "198.51.100.7"
IP6, IP6C = "2001:db8::1", "2001:db8:1::7"


RESTORE = None   # a step: the kernel and the state directory restored to the baseline


def step(name, args, kill=True, fault=None, split=False):
    """split: the step changes two subsystems, ipset's sets and a table, each in one message
    (the ipset plugins' start and stop): a kill may leave each of them before or after."""
    return {"name": name, "args": args, "kill": kill, "fault": fault, "split": split}


def argv_of(args):
    """A step's command: the shim with args, or (args ["--steps", LINE, ACTION, KEY=VALUE...])
    one call of tests/host/steps.c."""
    if args[:1] == ["--steps"]:
        return [STEPS, "-c", args[1], os.path.join(BUILD, "plugins")] + args[2:]
    return [NFBAN] + args


def group_steps(keys, ips, plugin="multiport"):
    """A group ban (nfban_jail_ban_many, the .py actions' BanGrouper) killed: one commit for all
    of ips, or nothing of it; the jail started and stopped around it."""
    return [
        step("start", [plugin, "start"] + keys, kill=False),
        step("ban-group", ["--steps", "bans " + ",".join(ips), plugin]
             + [k for k in keys if not k.startswith("family=")]),
        step("stop", [plugin, "stop"] + keys, kill=False),
    ]


def jail_steps(plugin, keys, ip):
    """A jail's life, killed at each step: start, ban, unban, stop."""
    return [
        step("start", [plugin, "start"] + keys),
        step("ban", [plugin, "ban"] + keys + ["ip=" + ip]),
        step("unban", [plugin, "unban"] + keys + ["ip=" + ip]),
        step("stop", [plugin, "stop"] + keys),
    ]


KEYS = ["name=k", "port=ssh,http", "protocol=tcp"]
FB = ["name=f", "port=ssh,http", "protocol=tcp", "backend=legacy"]
KINDS = {
    # multiport on the legacy tables, IPv4.
    "legacy": lambda: jail_steps("multiport", KEYS + ["backend=legacy"], IP4),
    # multiport on nf_tables (as iptables-nft writes), IPv6.
    "nft": lambda: jail_steps("multiport", KEYS + ["backend=nft", "family=inet6"], IP6),
    # nftables, IPv4.
    "nftables": lambda: jail_steps("nftables", KEYS, IP4),
    # A group of three bans, multiport: legacy IPv4, nf_tables IPv6.
    "legacy-group": lambda: group_steps(KEYS + ["backend=legacy"], [IP4, "192.0.2.2", IP4C]),
    "nft-group": lambda: group_steps(KEYS + ["backend=nft", "family=inet6"], [IP6, "2001:db8::2", IP6C]),
    # A group of three bans, nftables IPv4 (one message of three elements).
    "nftables-group": lambda: group_steps(KEYS, [IP4, "192.0.2.2", IP4C], "nftables"),
    # A group of three bans, ipset on the legacy tables IPv4 (the set's room read, then one
    # message of three members).
    "ipset-group": lambda: group_steps(KEYS + ["backend=legacy"], [IP4, "192.0.2.2", IP4C], "ipset"),
    # ipset (the set, then the jumps on the legacy tables), IPv4.
    "ipset": lambda: [dict(s, split=s["name"] in ("start", "stop"))
                      for s in jail_steps("ipset", KEYS + ["backend=legacy"], IP4)],
    # Fallbacks, the fake kernel (tests/lib/fakekernel.c) in the killed call
    # and its rerun only.  A ban that meets a missing feature:
    "fallback-ban": lambda: [
        # The first call of a jail is a ban (actionstart_on_demand) on a
        # kernel without the legacy tables (ip_tables): nftables takes over,
        # started and banned, as one change (the finding 8).
        step("ban-first-no-legacy", ["multiport", "ban"] + FB + ["ip=" + IP4], fault="no-legacy"),
        RESTORE,
        # What the issue names: a started multiport jail's ban meets a
        # kernel without multiport.  A ban's rule has no multiport match,
        # so the ban meets the missing match only through the jail's own
        # jumps in the table libiptc commits whole: a kernel that lost
        # xt_multiport after the start (the fake kernel; no real one can
        # while rules use it).  perport cannot start either (the same
        # commit); nftables is started and banned.
        step("start", ["multiport", "start"] + FB, kill=False),
        step("ban-no-multiport", ["multiport", "ban"] + FB + ["ip=" + IP4], fault="no-multiport"),
        RESTORE,
    ],
    # start meets a kernel without multiport: perport takes over (one
    # commit), then the state file is written.
    "fallback-start": lambda: [
        step("start-no-multiport", ["multiport", "start"] + FB, fault="no-multiport"),
        RESTORE,
    ],
}

# Where strace's injection is asked too, against killat's: the last three
# calls of a step that can write netfilter (libiptc's commit, an nf_tables
# batch) or the state (its rename into place).
CROSS = {"setsockopt", "sendto", "sendmsg", "renameat"}

# ---------------------------------------------------------------- the killer

# tests/tools/killat.c: the shim killed on entering its K-th call of one
# syscall, as strace -e inject=NAME:signal=KILL:when=K does, at the cost of an
# untraced run.  It takes the syscall's number.
KILLAT = os.path.join(BUILD, "tests", "tools", "killat")
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def syscall_numbers():
    nrs = {}
    with open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h") as f:
        for l in f:
            m = re.match(r"#define __NR_(\w+) (\d+)$", l.strip())
            if m:
                nrs[m.group(1)] = int(m.group(2))
    return nrs


NR = syscall_numbers() if os.uname().machine == "x86_64" else {}


# ---------------------------------------------------------------- legacy tables

# struct ipt_entry / ip6t_entry: where the counters and next_offset are.
LEGACY = {
    4: dict(af=socket.AF_INET, level=socket.IPPROTO_IP, names="/proc/net/ip_tables_names",
            counters=96, next=90),
    6: dict(af=socket.AF_INET6, level=socket.IPPROTO_IPV6, names="/proc/net/ip6_tables_names",
            counters=152, next=142),
}
SO_GET_INFO, SO_GET_ENTRIES, SO_SET_REPLACE = 64, 65, 64


class Legacy:
    def __init__(self):
        self.socks = {f: socket.socket(LEGACY[f]["af"], socket.SOCK_RAW, socket.IPPROTO_RAW) for f in LEGACY}

    def _get(self, fam, opt, buf):
        n = ctypes.c_uint(len(buf))
        if libc.getsockopt(self.socks[fam].fileno(), LEGACY[fam]["level"], opt, buf, ctypes.byref(n)) < 0:
            e = ctypes.get_errno()
            raise OSError(e, "getsockopt(%d): %s" % (opt, os.strerror(e)))
        return buf.raw[:n.value]

    def info(self, fam, table):
        buf = ctypes.create_string_buffer(table.encode().ljust(32, b"\0"), 84)
        raw = self._get(fam, SO_GET_INFO, buf)
        return raw[32:84]   # valid_hooks, hook_entry[5], underflow[5], num_entries, size

    def table(self, fam, table):
        """(info, entries) with the counters zeroed."""
        inf = self.info(fam, table)
        size = int.from_bytes(inf[48:52], "little")
        buf = ctypes.create_string_buffer(40 + size)
        buf[0:32] = table.encode().ljust(32, b"\0")
        buf[32:36] = size.to_bytes(4, "little")
        blob = bytearray(self._get(fam, SO_GET_ENTRIES, buf)[40:40 + size])
        L, off = LEGACY[fam], 0
        while off < len(blob):
            blob[off + L["counters"]:off + L["counters"] + 16] = bytes(16)
            nxt = int.from_bytes(blob[off + L["next"]:off + L["next"] + 2], "little")
            if nxt == 0:
                raise OSError(0, "legacy %s table blob: entry of size 0" % table)
            off += nxt
        return inf, bytes(blob)

    def snapshot(self, fam):
        try:
            with open(LEGACY[fam]["names"]) as f:
                names = sorted(f.read().split())
        except FileNotFoundError:
            names = []
        return {t: self.table(fam, t) for t in names}

    def replace(self, fam, table, inf, blob):
        cur = self.info(fam, table)
        num_counters = int.from_bytes(cur[44:48], "little")
        counters = ctypes.create_string_buffer(16 * max(num_counters, 1))
        hdr = bytearray(96)
        hdr[0:32] = table.encode().ljust(32, b"\0")
        hdr[32:36] = inf[0:4]            # valid_hooks
        hdr[36:40] = inf[44:48]          # num_entries
        hdr[40:44] = inf[48:52]          # size
        hdr[44:84] = inf[4:44]           # hook_entry[5], underflow[5]
        hdr[84:88] = num_counters.to_bytes(4, "little")
        hdr[88:96] = ctypes.addressof(counters).to_bytes(8, "little")
        buf = ctypes.create_string_buffer(bytes(hdr) + blob, 96 + len(blob))
        if libc.setsockopt(self.socks[fam].fileno(), LEGACY[fam]["level"], SO_SET_REPLACE, buf,
                           ctypes.c_uint(96 + len(blob))) < 0:
            e = ctypes.get_errno()
            raise OSError(e, "IPT_SO_SET_REPLACE of the IPv%d %s table: %s" % (fam, table, os.strerror(e)))

# ---------------------------------------------------------------- nf_tables


class Nft:
    def __init__(self):
        lib = ctypes.CDLL("libnftables.so.1")
        lib.nft_ctx_new.restype = ctypes.c_void_p
        for f in ("nft_ctx_get_output_buffer", "nft_ctx_get_error_buffer"):
            getattr(lib, f).restype = ctypes.c_char_p
            getattr(lib, f).argtypes = [ctypes.c_void_p]
        for f in ("nft_ctx_buffer_output", "nft_ctx_buffer_error"):
            getattr(lib, f).argtypes = [ctypes.c_void_p]
        lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.nft_ctx_output_set_debug.argtypes = [ctypes.c_void_p, ctypes.c_uint]
        self.lib = lib
        self.ctx = lib.nft_ctx_new(0)
        lib.nft_ctx_buffer_output(self.ctx)
        lib.nft_ctx_buffer_error(self.ctx)

    def run(self, cmd, debug=False):
        self.lib.nft_ctx_output_set_debug(self.ctx, 8 if debug else 0)   # NFT_DEBUG_NETLINK
        rc = self.lib.nft_run_cmd_from_buffer(self.ctx, cmd.encode())
        out = (self.lib.nft_ctx_get_output_buffer(self.ctx) or b"").decode()
        err = (self.lib.nft_ctx_get_error_buffer(self.ctx) or b"").decode()
        if rc != 0:
            raise OSError(0, "nft %r: %s" % (cmd[:200], err.strip()))
        return out, err

    def snapshot(self):
        """{ "family name": (normalised text, raw text, managed by iptables-nft) }."""
        out, err = self.run("list ruleset", debug=True)
        managed = set(re.findall(r"^# Warning: table (\S+ \S+) is managed by iptables-nft", err, re.M))
        lines = out.splitlines()
        i = next((n for n, l in enumerate(lines) if l.startswith("table ")), len(lines))
        debug = debug_groups(lines[:i])
        tables = {}
        cur = None
        for l in lines[i:]:
            if l.startswith("table "):
                cur = " ".join(l.split()[1:3])
                tables[cur] = [l]
            elif cur:
                tables[cur].append(l)
                if l == "}":
                    cur = None
        snap = {}
        for k, tl in tables.items():
            raw = "\n".join(tl) + "\n"
            dbg = "\n".join("%s\n%s" % (h, b) for h, b in sorted(debug.items()) if h.startswith(k + " "))
            snap[k] = (norm_table(tl) + "\n--- netlink\n" + dbg, raw, k in managed)
        return snap


COUNTER = re.compile(r"counter packets \d+ bytes \d+")


def debug_groups(lines):
    """nft --debug=netlink blocks grouped by chain (rule order kept) or set (elements sorted)."""
    groups, head, body = {}, None, []

    def flush():
        if head is None:
            return
        if " @" in head:
            groups.setdefault(head, []).extend(body)
        else:
            groups.setdefault(head, []).append("\n".join(body))

    for l in lines:
        if not l.strip():
            continue
        # Anonymous sets (a rule's "{ 22, 80 }") are named by the kernel in
        # the order they were made: the name goes, their elements stay.
        l = re.sub(r"\b__set\d+\b", "__set", l)
        if not l[0].isspace():
            flush()
            # "ip filter INPUT 4 [2]": the rule's handle (and position) go.
            head, body = re.sub(r"( \d+){1,2}$", "", l), []
        else:
            body.append(re.sub(r"\[ counter pkts \d+ bytes \d+ \]", "[ counter ]", l))
    flush()
    return {h: "\n".join(sorted(b)) if " @" in h else "\n\n".join(b) for h, b in groups.items()}


def norm_table(tl):
    """A table's text with counters removed, its blocks and set elements sorted."""
    blocks, cur = [], None
    for l in tl[1:-1]:
        l = COUNTER.sub("counter", l)
        if cur is None:
            if l.strip():
                cur = [l]
            continue
        cur.append(l)
        if l == "\t}":
            blocks.append(cur)
            cur = None
    if cur:
        blocks.append(cur)
    out = []
    for b in blocks:
        t = "\n".join(b)
        m = re.search(r"elements = \{(.*?)\}", t, re.S)
        if m:
            elems = sorted(e.strip() for e in m.group(1).split(",") if e.strip())
            t = t[:m.start(1)] + " " + ", ".join(elems) + " " + t[m.end(1):]
        out.append(t)
    return "\n".join([tl[0]] + sorted(out) + ["}"])

# ---------------------------------------------------------------- state directory


def state_snapshot(base):
    s = {}
    for d, _, files in os.walk(base):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                s[os.path.relpath(p, base)] = fh.read()
    return s


def state_cmp(s):
    return {k: v for k, v in s.items() if not k.endswith(".announced")}

# ---------------------------------------------------------------- the kernel, looked at and put back


def tools_text():
    """The kernel as its tools print it (for messages only)."""
    parts = []
    for t in ("iptables-legacy-save", "ip6tables-legacy-save", "iptables-nft-save", "ip6tables-nft-save"):
        r = subprocess.run([t], capture_output=True, text=True)
        txt = "".join(l + "\n" for l in r.stdout.splitlines() if not l.startswith(("# Generated", "# Completed")))
        parts.append("== %s\n%s" % (t, re.sub(r" \[\d+:\d+\]$", "", txt, flags=re.M)))
    r = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True)
    parts.append("== nft list ruleset\n" + COUNTER.sub("counter", r.stdout))
    parts.append("== ipset save\n" + "".join(l + "\n" for l in ipset_snapshot()))
    return "".join(parts)


def ipset_snapshot():
    """`ipset save`, the sets' random initval left out, sorted (a hash set lists in hash order)."""
    r = subprocess.run(["ipset", "save"], capture_output=True, text=True, check=True)
    return tuple(sorted(re.sub(r" initval 0x[0-9a-f]+", "", l) for l in r.stdout.splitlines()))


def ipset_restore(cur, want, early):
    """early (before the tables): the sets want has and cur lacks; else the rest: sets cur has
    and want lacks destroyed (once no rule uses them), members made want's."""
    sets = lambda s: {l.split()[1] for l in s if l.startswith("create ")}
    lines = lambda s, n: sorted((l for l in s if l.split()[1] == n), key=lambda l: not l.startswith("create "))
    cmds = []
    for n in sorted(sets(want) - sets(cur)) if early else []:
        cmds += lines(want, n)
    for n in [] if early else sorted(sets(cur) - sets(want)):
        cmds.append("destroy " + n)
    for n in [] if early else sorted(sets(cur) & sets(want)):
        if lines(cur, n) != lines(want, n):
            cmds += ["flush " + n] + [l for l in lines(want, n) if l.startswith("add ")]
    if cmds:
        subprocess.run(["ipset", "restore"], input="\n".join(cmds) + "\n", text=True, check=True,
                       capture_output=True)


class Kernel:
    def __init__(self, state_dir):
        self.legacy = Legacy()
        self.nft = Nft()
        self.state_dir = state_dir

    def snapshot(self, saves=False):
        """The kernel and the state directory; with saves, also what
        iptables-nft-save prints (what a restore of iptables-nft's tables
        needs)."""
        s = {"legacy4": self.legacy.snapshot(4), "legacy6": self.legacy.snapshot(6),
             "nft": self.nft.snapshot(), "state": state_snapshot(self.state_dir),
             "ipset": ipset_snapshot()}
        if saves:
            for fam, cmd in ((4, "iptables-nft-save"), (6, "ip6tables-nft-save")):
                s["nftsave%d" % fam] = subprocess.run([cmd], capture_output=True, text=True,
                                                      check=True).stdout
        return s

    def tools_of(self, cur, want):
        """want (a saves=True snapshot) as the tools print it: taken when first
        asked for (a failure's message), by going there.  Returns (text, now)."""
        if "tools" not in want:
            cur = self.restore(cur, want)
            want["tools"] = tools_text()
        return want["tools"], cur

    @staticmethod
    def kernel_of(s):
        return (s["legacy4"], s["legacy6"], {k: v[0] for k, v in s["nft"].items()}, s["ipset"])

    def same_kernel(self, a, b):
        return self.kernel_of(a) == self.kernel_of(b)

    def split_of(self, s, before, after):
        """s holds each subsystem (the tables; ipset's sets) as before or as after."""
        tables = self.kernel_of(s)[:3]
        return tables in (self.kernel_of(before)[:3], self.kernel_of(after)[:3]) and \
            s["ipset"] in (before["ipset"], after["ipset"])

    def restore(self, cur, want):
        """Put the kernel and the state directory back to `want` (a saves=True snapshot)."""
        ipset_restore(cur["ipset"], want["ipset"], True)
        for fam in (4, 6):
            c, w = cur["legacy%d" % fam], want["legacy%d" % fam]
            if set(c) != set(w):
                raise RuntimeError("legacy IPv%d tables %s, cannot go back to %s" % (fam, sorted(c), sorted(w)))
            for t in w:
                if c[t] != w[t]:
                    self.legacy.replace(fam, t, *w[t])
        c, w = cur["nft"], want["nft"]
        cmds, restore = [], set()
        for k in sorted(set(c) | set(w)):
            if c.get(k, (None,))[0] == (w[k][0] if k in w else None):
                continue
            if k in w and w[k][2]:
                restore.add(k.split()[0])
                continue
            if k in c:
                cmds.append("delete table %s" % k)
            if k in w:
                cmds.append(w[k][1])
        if cmds:
            self.nft.run("\n".join(cmds) + "\n")
        for fam in sorted(restore):
            tool, text = {"ip": ("iptables-nft-restore", want["nftsave4"]),
                          "ip6": ("ip6tables-nft-restore", want["nftsave6"])}[fam]
            subprocess.run([tool], input=text, text=True, check=True, capture_output=True)
        ipset_restore(cur["ipset"], want["ipset"], False)
        if cur["state"] != want["state"]:
            for e in os.listdir(self.state_dir):
                e = os.path.join(self.state_dir, e)
                if os.path.isdir(e) and not os.path.islink(e):
                    shutil.rmtree(e)
                else:
                    os.unlink(e)
            for rel, data in want["state"].items():
                p = os.path.join(self.state_dir, rel)
                os.makedirs(os.path.dirname(p), mode=0o700, exist_ok=True)
                fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.write(fd, data)
                os.close(fd)
        now = self.snapshot()
        if not self.same_kernel(now, want) or now["state"] != want["state"]:
            raise RuntimeError("restoring a state failed:\n" + diff(want.get("tools", ""), tools_text(), "want",
                                                                    "got"))
        return now

# ---------------------------------------------------------------- one worker


def diff(a, b, na, nb):
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), na, nb, n=1))


def baseline(kernel, env):
    """A host's firewall the jails live beside: accepts in every table, another jail."""
    # Whole tables (a restore of iptables-nft's makes its three chains).
    for t in ("iptables-legacy", "ip6tables-legacy", "iptables-nft", "ip6tables-nft"):
        subprocess.run([t + "-restore", "-w"], check=True, env=env, text=True,
                       input="*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                             "-A INPUT -i lo -j ACCEPT\nCOMMIT\n")
    kernel.nft.run("table inet host {\n chain input {\n type filter hook input priority 0;\n "
                   "iif lo accept\n }\n}\n")
    # Another jail where the iptables kinds' jail goes (the nftables kind's
    # jail is the only one of its table, so that stop removes the table).
    for be, fam, ip in (("legacy", "inet4", IP4C), ("nft", "inet6", IP6C)):
        other = ["name=other", "port=smtp", "backend=" + be, "family=" + fam]
        for op in (["start"], ["ban", "ip=" + ip]):
            subprocess.run([NFBAN, "multiport"] + op + other, check=True, env=env, stderr=subprocess.DEVNULL)


def fault_env(env, fault):
    e = dict(env)
    if fault:
        e["LD_PRELOAD"] = FAKE
        e["NFBAN_FAKE_KERNEL"] = fault
        e["ASAN_OPTIONS"] = e.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    return e


def traced(env):
    """The environment of a traced shim: LeakSanitizer (ASan build) cannot
    work under ptrace; the reruns, untraced, keep it."""
    return dict(env, ASAN_OPTIONS=env.get("ASAN_OPTIONS", "") + ":detect_leaks=0")


def strace_env(env, fault):
    """strace -E arguments: the fault reaches the shim, not strace."""
    e = traced(fault_env(env, fault))
    return [a for k in ("LD_PRELOAD", "NFBAN_FAKE_KERNEL", "ASAN_OPTIONS") if k in e
            for a in ("-E", "%s=%s" % (k, e[k]))]


def strace_kill(op, env, fault, sc, k, out):
    """The shim killed by strace at the k-th sc; None, or what went wrong."""
    p = subprocess.run(["strace", "-f", "-o", out, "-e", "trace=" + sc,
                        "-e", "inject=%s:signal=KILL:when=%d" % (sc, k)] + strace_env(env, fault)
                       + argv_of(op), env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    with open(out) as f:
        tl = [l.rstrip("\n") for l in f if l.strip()]
    calls = [l for l in tl if re.match(r"^\d+ +%s\(" % sc, l)]
    if p.returncode != -signal.SIGKILL or not tl or not tl[-1].endswith("+++ killed by SIGKILL +++") \
            or len(calls) != k or not calls[-1].endswith("= ?"):
        return "strace did not kill there (status %s, %d calls traced; last: %s)" % (
            p.returncode, len(calls), tl[-2:] if tl else p.stderr.strip())
    return None


def shim(args, env):
    return subprocess.run(argv_of(args), env=env, capture_output=True, text=True, timeout=60)


class Killer:
    """tests/tools/killat.c --serve: one process for all of a worker's kills."""

    def __init__(self):
        self.p = subprocess.Popen([KILLAT, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def kill_at(self, argv, env, nr, k):
        """(killed on entering the k-th call of nr, killat's line)."""
        env = ["%s=%s" % kv for kv in env.items()]
        req = [str(nr), str(k), str(len(env))] + env + [str(len(argv))] + argv
        self.p.stdin.write(b"".join(f.encode() + b"\0" for f in req))
        self.p.stdin.flush()
        line = self.p.stdout.readline().decode().strip()
        if not line:
            raise RuntimeError("killat --serve ended (exit %s)" % self.p.poll())
        return line == "killed at call %d" % k, line

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def trace_points(st, env, tmp):
    """The step's syscalls as (name, k-th call of that name), from one strace -f run."""
    trace = os.path.join(tmp, "trace")
    p = subprocess.run(["strace", "-f", "-o", trace] + strace_env(env, st.get("fault"))
                       + argv_of(st["args"]), env=env, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("traced %s: exit %d: %s" % (" ".join(st["args"]), p.returncode, p.stderr))
    points, pids, seen = [], set(), {}
    with open(trace) as f:
        for l in f:
            m = re.match(r"^(\d+) +([a-z_0-9]+)\(", l)
            if m:
                pids.add(m.group(1))
                n = m.group(2)
                seen[n] = seen.get(n, 0) + 1
                points.append((n, seen[n]))
    if len(pids) != 1:
        raise RuntimeError("traced %s: %d processes; the count per name needs one"
                           % (" ".join(st["args"]), len(pids)))
    # The first execve is strace's exec of the shim: tracing begins at its
    # return, so it cannot be killed at (a kill before it is a shim that
    # never ran: before, trivially).
    if points[:1] != [("execve", 1)]:
        raise RuntimeError("traced %s: does not begin with execve: %s" % (" ".join(st["args"]), points[:1]))
    return points[1:], dict(sorted(seen.items()))


def same(kernel, a, b):
    """Same kernel and the same fallback state files (announcements aside)."""
    return kernel.same_kernel(a, b) and state_cmp(a["state"]) == state_cmp(b["state"])


def worker(kind, wid, nworkers, only):
    tmp = tempfile.mkdtemp(prefix="nfban-kill.")
    state = os.path.join(tmp, "state")
    os.mkdir(state, 0o700)
    env = dict(os.environ, NFBAN_STATE_DIR=state, XTABLES_LOCKFILE=os.path.join(tmp, "xtables.lock"))
    env.pop("LD_PRELOAD", None)
    kernel = Kernel(state)
    killer = Killer()
    try:
        return run_cycle(kernel, killer, env, KINDS[kind](), wid, nworkers, only, tmp)
    finally:
        killer.close()
        shutil.rmtree(tmp, ignore_errors=True)


def run_cycle(kernel, killer, env, steps, wid, nworkers, only, tmp):
    """The kind's steps go round from the baseline back to it: each step's
    before is the state the one before it leaves, so going on from a
    verified after needs no restore (RESTORE steps restore the baseline)."""
    baseline(kernel, env)
    states = [kernel.snapshot(saves=True)]
    states[0]["tools"] = tools_text()
    cur = states[0]
    # One unkilled round: each step's after, in this namespace.
    for i, st in enumerate(steps):
        if st is RESTORE:
            cur = kernel.restore(cur, states[0])
            states.append(states[0])
            continue
        p = shim(st["args"], fault_env(env, st.get("fault")))
        if p.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(st["args"]), p.returncode, p.stderr))
        cur = kernel.snapshot(saves=True)
        if st["kill"] and kernel.same_kernel(cur, states[i]):
            raise RuntimeError("%s changes nothing in the kernel" % " ".join(st["args"]))
        states.append(cur)
    if not same(kernel, cur, states[0]):
        raise RuntimeError("the steps do not come back to the baseline:\n"
                           + diff(states[0]["tools"], tools_text(), "baseline", "after the steps"))
    # One traced round: each killed step's syscalls.
    stats = []
    for i, st in enumerate(steps):
        if st is RESTORE:
            cur = kernel.restore(cur, states[0])
            continue
        if st["kill"]:
            points, seen = trace_points(st, env, tmp)
            stats.append({"name": st["name"], "op": " ".join(st["args"]), "fault": st.get("fault"),
                          "points": len(points), "syscalls": seen, "mine": 0, "killed": 0, "strace": 0,
                          "before": 0, "after": 0, "failures": [], "harness": [], "seconds": 0.0})
            # (index in the step's syscalls, name, k); --syscalls keeps some.
            mine = [(n, sc, k) for n, (sc, k) in enumerate(points) if not only or sc in only]
            st["_points"], st["_stats"] = mine, stats[-1]
            stats[-1]["selected"] = len(mine)
            st["_cross"] = [n for n, (sc, _) in enumerate(points) if sc in CROSS][-3:]
        else:
            shim(st["args"], fault_env(env, st.get("fault")))
        cur = kernel.snapshot()
        if not same(kernel, cur, states[i + 1]):
            raise RuntimeError("%s, traced, left another state than untraced" % " ".join(st["args"]))
    # The kill rounds: round r kills each step at its r-th syscall (this
    # worker's rounds: every nworkers-th); a step with fewer syscalls, or a
    # syscall left out (--syscalls), just runs.
    rounds = max(len(st["_points"]) for st in steps if st is not RESTORE and st["kill"])
    for r in range(wid, rounds, nworkers):
        for i, st in enumerate(steps):
            if st is RESTORE:
                cur = kernel.restore(cur, states[0])
                continue
            before, after = states[i], states[i + 1]
            if r >= len(st.get("_points", [])):
                fenv = fault_env(env, st.get("fault"))
                p = shim(st["args"], fenv)
                cur = kernel.snapshot()
                if p.returncode != 0 or not same(kernel, cur, after):
                    now = tools_text()
                    raise RuntimeError("%s (not killed): exit %d, %s" % (
                        " ".join(st["args"]), p.returncode,
                        diff(kernel.tools_of(cur, after)[0], now, "after", "now") or "the state files differ"))
                continue
            t0 = time.time()
            cur = kill_point(kernel, killer, env, st, r, before, after, tmp)
            st["_stats"]["seconds"] += time.time() - t0
    for s in stats:
        s["seconds"] = round(s["seconds"], 1)
    return {"steps": stats}


def kill_point(kernel, killer, env, st, r, before, after, tmp):
    """Kill the step at its r-th syscall, from before; check; leave after."""
    points, res, args = st["_points"], st["_stats"], st["args"]
    fault = st.get("fault")
    fenv = fault_env(env, fault)
    n, sc, k = points[r]
    where = "%s #%d (syscall %d of %d)" % (sc, k, n + 1, res["points"])
    res["mine"] += 1
    bad = []
    if sc not in NR:
        res["harness"].append("%s: no syscall number for %s" % (where, sc))
        return kernel.snapshot()
    ok, how = killer.kill_at(argv_of(args), traced(fenv), NR[sc], k)
    if ok:
        res["killed"] += 1
    else:
        res["harness"].append("%s: not killed there: %s" % (where, how))
    s = kernel.snapshot()
    if n in st["_cross"]:
        # strace's own injection at the same point must leave the same kernel.
        kernel.restore(s, before)
        e = strace_kill(args, env, fault, sc, k, os.path.join(tmp, "kill"))
        s2 = kernel.snapshot()
        res["strace"] += 1
        if e or not kernel.same_kernel(s, s2):
            res["harness"].append("%s: %s" % (where, e or "strace -e inject=%s:signal=KILL:when=%d leaves "
                                              "another kernel than killat" % (sc, k)))
        s = s2
    # The tools' texts for the first failure of a step only (a few execs,
    # and going to before and after to print them costs a restore each).
    detail = len(res["failures"]) < 1
    t_killed = t_next = None
    if kernel.same_kernel(s, before):
        res["before"] += 1
    elif kernel.same_kernel(s, after):
        res["after"] += 1
    elif st.get("split") and kernel.split_of(s, before, after):
        res["after"] += 1           # half done: the rerun must finish it (below)
    else:
        t_killed = tools_text() if detail else None
        bad.append("killed at %s: the kernel is neither before nor after" % where)
    p = shim(args, fenv)
    s = kernel.snapshot()
    if p.returncode != 0:
        bad.append("killed at %s: the next %s exits %d: %s" % (where, args[1], p.returncode, p.stderr.strip()))
    if not kernel.same_kernel(s, after):
        t_next = tools_text() if detail else None
        bad.append("killed at %s: the next %s leaves another kernel than after" % (where, args[1]))
    tmps = [f for f in s["state"] if f.endswith(".tmp")]
    if tmps:
        bad.append("killed at %s: the next %s leaves %s" % (where, args[1], ", ".join(tmps)))
    elif state_cmp(s["state"]) != state_cmp(after["state"]):
        bad.append("killed at %s: the next %s leaves the fallback state %s, after has %s"
                   % (where, args[1], state_cmp(s["state"]), state_cmp(after["state"])))
    if bad:
        if t_killed or t_next:
            t_before, s = kernel.tools_of(s, before)
            t_after, s = kernel.tools_of(s, after)
            if t_killed:
                bad.append(diff(t_before, t_killed, "before", "killed") + diff(t_after, t_killed, "after", "killed"))
            if t_next:
                bad.append(diff(t_after, t_next, "after", "next"))
        res["failures"].append((n, "\n".join(bad)))
        s = kernel.restore(s, after)
    return s

# ---------------------------------------------------------------- the parent: workers, verdict


def main():
    args = sys.argv[1:]
    kind = args.pop(0)
    opts = dict(zip(args[::2], args[1::2]))
    n = int(opts.get("--workers", "2"))
    only = set(filter(None, opts.get("--syscalls", "").split(",")))
    # Gone with the test that runs us (its timeout), cleaning up.
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)   # PR_SET_PDEATHSIG
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Never the host's firewall: this process must be in a namespace of its
    # own, which (made by unshare -n) has no interface but lo.
    with open("/proc/self/net/dev") as f:
        ifaces = {l.split(":")[0].strip() for l in f.readlines()[2:]}
    if ifaces != {"lo"}:
        print("kill.py changes netfilter: run it in a network namespace (tests/ns/kill.sh)", file=sys.stderr)
        return 2
    if "--worker" in opts:
        json.dump(worker(kind, int(opts["--worker"]), n, only), sys.stdout)
        return 0
    t0 = time.time()
    procs = []
    for w in range(n):
        cmd = [sys.executable, os.path.abspath(__file__), kind, "--worker", str(w), "--workers", str(n),
               "--syscalls", ",".join(sorted(only))]
        # Worker 0 uses this namespace; the others one each of their own.
        procs.append(subprocess.Popen((["unshare", "-n"] if w else []) + cmd, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    results, errors = [], []
    for w, p in enumerate(procs):
        out, err = p.communicate()
        if p.returncode != 0:
            errors.append("worker %d: exit %d\n%s" % (w, p.returncode, err[-4000:]))
            continue
        results.append(json.loads(out))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    failed = 0
    lines = []
    total = dict(points=0, killed=0, before=0, after=0, failures=0, harness=0, strace=0)
    for i, sc in enumerate(results[0]["steps"]):
        parts = [r["steps"][i] for r in results]
        agg = {k: sum(p[k] for p in parts) for k in ("mine", "killed", "before", "after", "strace")}
        fails = [f for _, f in sorted(f for p in parts for f in p["failures"])]
        harness = [h for p in parts for h in p["harness"]]
        pts = sc["points"]
        # Each worker traced the step itself: the same kill points.  (Under
        # ASan, whose runtime's own calls vary from run to run, only the
        # calls kept by --syscalls count.)
        if any(p["selected"] != sc["selected"] for p in parts):
            harness.append("workers found %s kill points" % [p["selected"] for p in parts])
        total["points"] += agg["mine"]
        for k in ("killed", "before", "after", "strace"):
            total[k] += agg[k]
        total["failures"] += len(fails)
        total["harness"] += len(harness)
        lines.append("%s %s: %d syscalls, %d kill points%s, %d killed there (%d also by strace); "
                     "kernel before %d, after %d; %d failed, %d harness errors; %.1f s"
                     % (kind, sc["name"], pts, agg["mine"],
                        " (only %s)" % ",".join(sorted(only)) if only else "",
                        agg["killed"], agg["strace"], agg["before"], agg["after"], len(fails), len(harness),
                        max(p["seconds"] for p in parts)))
        # The first failure with the kernels' texts, the others by their line.
        if fails:
            print("FAIL: %s %s (%s%s): %d of %d kill points\n%s" % (
                kind, sc["name"], sc["op"], ", fault " + sc["fault"] if sc["fault"] else "",
                len(fails), agg["mine"], fails[0]), file=sys.stderr)
        for f in fails[1:]:
            print("FAIL: %s %s: %s" % (kind, sc["name"], f.split("\n")[0]), file=sys.stderr)
        for h in harness:
            print("HARNESS: %s %s: %s" % (kind, sc["name"], h), file=sys.stderr)
        failed += len(fails) + len(harness)
    lines.append("%s: %d kill points, %d killed there (%d also by strace), kernel before %d, after %d; "
                 "%d failed, %d harness errors; %.1f s with %d workers"
                 % (kind, total["points"], total["killed"], total["strace"], total["before"], total["after"],
                    total["failures"], total["harness"], time.time() - t0, n))
    print("\n".join(lines), file=sys.stderr)
    if "--summary" in opts:
        with open(opts["--summary"], "a") as f:
            f.write("\n".join(lines) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
