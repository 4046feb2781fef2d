# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/f2b.py - the Fail2ban side of `make bench` (run with Debian's /usr/bin/python3).

  f2b.py render BASEDIR ACTION KEY=VALUE...
      The commands Fail2ban itself would run for actionstart, actionban,
      actionunban and actionstop of ACTION (BASEDIR/action.d/ACTION.conf), as
      shell assignments START= BAN= UNBAN= STOP= (the address is @IP@), plus
      ARGV= (BAN as a plain argv, when it is one simple command).  Rendered by
      Fail2ban's own ActionReader and CommandAction, with executeCmd replaced
      by a recorder: no command runs.

  f2b.py exec N FIRST OUT LABEL CMD [LABEL CMD]...
      Times Fail2ban's own Utils.executeCmd (Popen with shell=True, setsid,
      stdout/stderr piped, its poll loop) on each CMD, interleaved like
      bench/inproc: call i of method m uses address index FIRST + i*M + m.
      A command that fails stops the run.

  f2b.py report RESULTS_DIR
      Median / p90 per row and the ratio stock/this, from RESULTS_DIR/rows;
      with rows base-LABEL (bench/run's BENCH_BASE), a column new/base per
      row, and RESULTS_DIR/vsbase: the rows above 1.05.

  f2b.py banip CONFDIR JAIL N KIND [restore]
      Through a real Fail2ban (run inside a throw-away network namespace by
      bench/run): starts fail2ban-server on CONFDIR (one jail JAIL), sends
      `set JAIL banip` with N distinct addresses (10.a.b.c, in commands of
      1000, over one client connection, as fail2ban-client would), and waits
      until the kernel holds them all (KIND: ipt = rules -s ADDR in chain
      f2b-JAIL of the legacy tables, iptnft = the same on nf_tables, nft =
      elements of set addr-set-JAIL, ips = members of ipset f2b-JAIL, none =
      Fail2ban's status only: the no-op action; each polled by the presence
      of the address banned last, one netlink question where the kernel has
      one, then counted once: a full listing every 10 ms would take the CPU
      Fail2ban needs).  Prints SECONDS (from the first command to the kernel
      holding N bans), IDLE (to the server idle again: its database written)
      and CPU (the server's, its waited-for children's included, over IDLE),
      then stops the server and checks it left no ban.  With `restore`, the
      server then starts again on the same database (CONFDIR's dbfile) and
      restores the N bans: its SECONDS, IDLE and CPU (from the server's start)
      follow on the same line, and it is stopped and checked again.

  f2b.py report-f2b FILE
      The through-Fail2ban tables from FILE (lines LABEL <tab> KIND <tab>
      BURST IDLE CPU [RESTORE IDLE CPU], tab-separated seconds).

  f2b.py report-scale [--count] FILE
      The "one more ban" table from FILE (lines PLUGIN <tab> BACKEND <tab>
      HELD <tab> LABEL <tab> NANOSECONDS, one per call; with --count, a
      count per line instead: instructions per call).
"""
import os
import shlex
import sys
import time


def ip_of(idx):
    return "10.%d.%d.%d" % ((idx >> 16) & 255, (idx >> 8) & 255, idx & 255)


def render(basedir, action, kv):
    from fail2ban.client.actionreader import ActionReader
    from fail2ban.server.action import CommandAction

    sentinel = "192.0.2.77"
    phase = ["none"]
    seen = {}

    def record(realCmd, timeout=60, **_kw):
        seen.setdefault(phase[0], []).append(realCmd)
        return True

    CommandAction.executeCmd = staticmethod(record)

    class Jail:
        name = "sshd"

        class actions:
            actionInfo = {"bench": 1}

    init = dict(x.split("=", 1) for x in kv)
    reader = ActionReader(action, "sshd", init, basedir=basedir)
    if not reader.read():
        sys.exit("f2b.py: cannot read %s/action.d/%s.conf" % (basedir, action))
    reader.getOptions({})
    act = CommandAction(Jail(), action)
    for cmd in reader.convert():
        if cmd[0] == "multi-set":
            for k, v in cmd[4]:
                setattr(act, k, v)
        elif cmd[0] == "set" and len(cmd) == 6 and cmd[2] == "action":
            setattr(act, cmd[4], cmd[5])
    ainfo = {"ip": sentinel, "family": "inet4"}
    for phase[0], call in (("start", act.start), ("ban", lambda: act.ban(ainfo)),
                           ("unban", lambda: act.unban(ainfo)), ("stop", act.stop)):
        call()
    ban = seen.get("ban", [])
    if not ban:
        sys.exit("f2b.py: %s: no actionban was run" % action)
    # An action started on demand (per family) runs actionstart within the first ban.
    start = seen.get("start", []) + ban[:-1]
    out = {
        "START": "\n".join(start),
        "BAN": ban[-1],
        "UNBAN": "\n".join(seen.get("unban", [])),
        "STOP": "\n".join(seen.get("stop", [])),
    }
    for k in out:
        out[k] = out[k].replace(sentinel, "@IP@")
    # The same ban as a plain argv, if it is one simple command.
    argv = ""
    if "\n" not in out["BAN"] and not any(c in out["BAN"] for c in "$`;&|<>(){}\\"):
        argv = " ".join(shlex.quote(w) for w in shlex.split(out["BAN"]))
    out["ARGV"] = argv
    for k, v in out.items():
        print("%s=%s" % (k, shlex.quote(v)))


def execute(n, first, out, pairs):
    from fail2ban.server.utils import Utils

    methods = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    times = {label: [] for label, _ in methods}
    m_count = len(methods)
    for i in range(n):
        for m, (label, cmd) in enumerate(methods):
            real = cmd.replace("@IP@", ip_of(first + i * m_count + m))
            t0 = time.perf_counter_ns()
            ok = Utils.executeCmd(real, timeout=60)
            t1 = time.perf_counter_ns()
            if not ok:
                sys.exit("f2b.py: %s failed: %s" % (label, real))
            times[label].append(t1 - t0)
    with open(out, "w") as f:
        for label, _ in methods:
            for i, t in enumerate(times[label]):
                f.write("%s\t%d\t%d\n" % (label, i, t))


def quantile(sorted_v, q):
    # nearest rank
    k = max(0, min(len(sorted_v) - 1, int(round(q * len(sorted_v) + 0.5)) - 1))
    return sorted_v[k]


def report(resdir):
    """rows: one line per table row, tab separated: GROUP TITLE FILE LABEL HOW SHORT,
       or '#' and a note.  The first row of a group is its stock row."""
    data = {}

    def load(path):
        if path not in data:
            d = {}
            with open(os.path.join(resdir, path)) as f:
                for line in f:
                    label, _i, ns = line.rstrip("\n").split("\t")
                    d.setdefault(label, []).append(int(ns) / 1000.0)
            data[path] = d
        return data[path]

    stock_med = {}
    summary = {}
    with open(os.path.join(resdir, "rows")) as f:
        rows = [r.rstrip("\n").split("\t") for r in f if r.strip()]
    w1 = max([len(r[1]) for r in rows if r[0] != "#"] + [4])
    w2 = max([len(r[4]) for r in rows if r[0] != "#"] + [3])
    has_base = any(r[3].startswith("base-") for r in rows if r[0] != "#")
    hdr = "%-*s  %-*s %10s %10s %11s" % (w1, "what", w2, "how", "median us", "p90 us", "stock/this")
    hdr += " %9s" % "new/base" if has_base else ""
    slower = []
    print(hdr)
    print("-" * len(hdr))
    last_group = None
    for r in rows:
        if r[0] == "#":
            print(r[1])
            continue
        group, title, path, label, how, short = r
        v = sorted(load(path)[label])
        med = quantile(v, 0.5)
        p90 = quantile(v, 0.9)
        is_stock = label.startswith("stock") or label == "f2b-stock"
        if is_stock:
            stock_med[group] = med
        ratio = stock_med.get(group)
        if group != last_group and last_group is not None:
            print()
        last_group = group
        line = "%-*s  %-*s %10.0f %10.0f %11s" % (w1, title, w2, how, med, p90,
                                                  "%.2fx" % (ratio / med) if ratio else "-")
        # new/base: this tree's median over the base's of the same method (bench/run BENCH_BASE).
        base = load(path).get("base-" + label)
        if base:
            nb = med / quantile(sorted(base), 0.5)
            line += " %9.3f" % nb
            if nb > 1.05:
                slower.append("%s, %s: %.0f us, base %.0f us: %.3f" % (
                    group, how, med, quantile(sorted(base), 0.5), nb))
        elif has_base:
            line += " %9s" % "-"
        print(line)
        if ratio and not is_stock and not label.startswith("base-"):
            summary.setdefault(group.split()[0], {}).setdefault(short, []).append(
                "%.2f" % (ratio / med) if ratio / med < 10 else "%.0f" % (ratio / med))
    if has_base:
        with open(os.path.join(resdir, "vsbase"), "w") as f:
            f.write("".join(x + "\n" for x in slower) or "none\n")
    with open(os.path.join(resdir, "summary"), "w") as f:
        for backend, groups in summary.items():
            f.write("%s: %s\n" % (backend, "; ".join(
                "%s %sx" % (short, " / ".join(v)) for short, v in groups.items())))


def kernel_count(kind, jail):
    import subprocess
    if kind in ("ipt", "iptnft"):
        save = "iptables-legacy-save" if kind == "ipt" else "iptables-nft-save"
        out = subprocess.run([save, "-t", "filter"], capture_output=True,
                             text=True, check=True).stdout
        return sum(1 for l in out.splitlines() if l.startswith("-A f2b-%s -s " % jail))
    if kind == "ips":
        r = subprocess.run(["ipset", "save", "f2b-" + jail], capture_output=True, text=True)
        return 0 if r.returncode else sum(1 for l in r.stdout.splitlines() if l.startswith("add "))
    if kind == "nft":
        r = subprocess.run(["nft", "list", "set", "inet", "f2b-table", "addr-set-" + jail],
                           capture_output=True, text=True)
        if r.returncode:
            return 0
        body = r.stdout.split("elements = {", 1)
        return body[1].count(".") // 3 if len(body) > 1 else 0
    return None


def server(confdir):
    import subprocess
    sock = os.path.join(confdir, "f2b.sock")
    return sock, subprocess.Popen(["fail2ban-server", "-f", "-x", "-c", confdir, "-s", sock,
                                   "-p", os.path.join(confdir, "f2b.pid")],
                                  stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(confdir, "server.err"), "a"))


def wait_jail(confdir, sock, srv, jail):
    import subprocess
    # Waited for as fail2ban-client waits (a bare client connecting while the server
    # reads its configuration can make it shut down).
    deadline = time.time() + 60
    while True:
        r = subprocess.run(["fail2ban-client", "-c", confdir, "-s", sock, "status"],
                           capture_output=True, text=True)
        if r.returncode == 0 and jail in r.stdout:
            return
        if time.time() > deadline or srv.poll() is not None:
            sys.exit("f2b.py: Fail2ban did not start jail %s (see %s/server.err)" % (jail, confdir))
        time.sleep(0.2)


def nla(kind, payload):
    import struct
    return struct.pack("=HH", 4 + len(payload), kind) + payload + b"\0" * (-len(payload) % 4)


def nl_ask(msg):
    """One request on a NETLINK_NETFILTER socket: its first reply, (type, error) where it is
       an NLMSG_ERROR."""
    import socket
    import struct
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12) as s:
        s.send(msg)
        reply = s.recv(65536)
    mtype, = struct.unpack_from("=H", reply, 4)
    return mtype, struct.unpack_from("=i", reply, 16)[0] if mtype == 2 else None


def nft_has(table, set_, addr):
    """Set SET_ of nf_tables table TABLE (family inet) holds IPv4 ADDR: one NFT_MSG_GETSETELEM
       for that element, which the kernel looks up in the set (`nft get element` lists the
       whole set first: 45 ms at 20,000 elements)."""
    import socket
    import struct
    key = nla(0x8000 | 1, nla(1, socket.inet_aton(addr)))   # NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }
    body = struct.pack("=BBH", 1, 0, 0) + nla(1, table.encode() + b"\0") + \
        nla(2, set_.encode() + b"\0") + nla(0x8000 | 3, nla(0x8000 | 1, key))
    # NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETSETELEM, NLM_F_REQUEST
    mtype, err = nl_ask(struct.pack("=IHHII", 16 + len(body), 10 << 8 | 13, 1, 1, 0) + body)
    if err not in (None, -2):                                  # ENOENT: not (yet) there
        sys.exit("f2b.py: GETSETELEM %s %s: %s" % (set_, addr, os.strerror(-err)))
    return err is None


def ipset_has(set_, addr):
    """ipset SET_ holds IPv4 ADDR: one IPSET_CMD_TEST, as `ipset test` sends, without the
       process (1.2 ms)."""
    import socket
    import struct
    ip = nla(0x8000 | 1, nla(0x4000 | 1, socket.inet_aton(addr)))  # IPSET_ATTR_IP { IPV4, net order }
    body = struct.pack("=BBH", 2, 0, 0) + nla(1, b"\6") + nla(2, set_.encode() + b"\0") + \
        nla(0x8000 | 7, ip)                                    # PROTOCOL, SETNAME, DATA
    # NFNL_SUBSYS_IPSET << 8 | IPSET_CMD_TEST, NLM_F_REQUEST | NLM_F_ACK
    _, err = nl_ask(struct.pack("=IHHII", 16 + len(body), 6 << 8 | 11, 5, 1, 0) + body)
    # IPSET_ERR_EXIST: not in the set; ENOENT: no such set (yet)
    if err not in (0, -4103, -2):
        sys.exit("f2b.py: IPSET_CMD_TEST %s %s: %s" % (set_, addr, os.strerror(-err)))
    return err == 0


def kernel_has(cli, kind, jail, addr):
    """The kernel (the floor: Fail2ban) holds the ban of ADDR, asked in O(1) where the kernel
       allows; None where only a full count tells."""
    if kind == "nft":
        return nft_has("f2b-table", "addr-set-" + jail, addr)
    if kind == "ips":
        return ipset_has("f2b-" + jail, addr)
    if kind == "none":
        return cli.send(["get", jail, "banned", addr])[1] == 1
    return None


def wait_kernel(cli, kind, jail, n, t0, last):
    """Until the kernel holds N bans, LAST the one Fail2ban bans last (it bans in the order it
       was given them; a restore in its database's order): (the count, the time it was so).
       Polled by the presence of LAST where that is cheap, then counted in full: a poll of the
       whole set or ban list every 10 ms would take the CPU (at 20,000 bans, `nft list set` 69 ms,
       `ipset save` 19 ms; the floor's full `get banned` Fail2ban's own lock) that the measured
       Fail2ban needs.  A full count (rule lists) sleeps as long as it took: at most half a core.
       The time is when LAST was seen (one ban at a time, each acknowledged by the kernel before
       the next: every earlier ban was there then), once the count confirms all N; the count's
       own time is not the action's (70 ms for an nft set of 20,000, 22 ms for an ipset, before
       this was so); where only the count tells (rule lists), when the count ended."""
    while True:
        pause = 0.01
        has = kernel_has(cli, kind, jail, last)
        if has is not False:
            seen = time.perf_counter()
            got = kernel_count(kind, jail)
            if got is None:
                got = len(cli.send(["get", jail, "banned"])[1])
            if got >= n:
                return got, seen if has else time.perf_counter()
            pause = max(pause, time.perf_counter() - seen)
        if time.perf_counter() - t0 > 3600:
            sys.exit("f2b.py: the kernel holds %d of %d bans after an hour" % (kernel_count(kind, jail) or 0, n))
        time.sleep(pause)


def server_cpu(pid):
    """CPU seconds of process pid and of its children it waited for (a stock action's shells
       and commands): utime + stime + cutime + cstime."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def settled(pid, t0, cpu0):
    """Once the kernel holds the bans: until the server is idle again (at most one clock tick
       of CPU in 0.2 s), as (seconds from t0 to the start of those 0.2 s, CPU seconds from
       cpu0 to it).  Fail2ban writes each ban to its database in a thread of its
       own (the observer), and that thread gets the interpreter's lock when the banning
       thread lets go of it: an action that holds it throughout (the no-op floor) leaves that
       work for after the kernel holds the bans, one that lets go per call (ctypes.CDLL, a
       command's wait) has it done in between.  This counts both the same way."""
    tick = 1.0 / os.sysconf("SC_CLK_TCK")
    t, cpu = time.perf_counter(), server_cpu(pid)
    while True:
        time.sleep(0.2)
        t2, cpu2 = time.perf_counter(), server_cpu(pid)
        if cpu2 - cpu <= tick * 1.5 or t2 - t0 > 3600:
            return t - t0, cpu - cpu0
        t, cpu = t2, cpu2


def stop_checked(cli, srv, kind, jail):
    cli.send(["stop"])
    cli.close()
    srv.wait(600)
    left = kernel_count(kind, jail)
    if left:
        sys.exit("f2b.py: %d bans left in the kernel after the stop" % left)


def restore(confdir, jail, n, kind):
    """The server started again on the database the burst filled: seconds until the kernel
       holds the N bans again (the no-op action: until Fail2ban lists them), then seconds
       from the start until the server is idle and its CPU seconds (settled)."""
    from fail2ban.client.csocket import CSocket

    t0 = time.perf_counter()
    sock, srv = server(confdir)
    try:
        wait_jail(confdir, sock, srv, jail)
        cli = CSocket(sock)
        # Fail2ban restores in its database's order: ORDER BY ip, a text column.
        last = max(ip_of(i + 1) for i in range(n))
        got, t1 = wait_kernel(cli, kind, jail, n, t0, last)
        if got != n:
            sys.exit("f2b.py: restore: the kernel holds %d bans, expected %d" % (got, n))
        idle, cpu = settled(srv.pid, t0, 0.0)
        stop_checked(cli, srv, kind, jail)
        return t1 - t0, idle, cpu
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()


def banip(confdir, jail, n, kind, with_restore=False):
    from fail2ban.client.csocket import CSocket

    sock, srv = server(confdir)
    try:
        wait_jail(confdir, sock, srv, jail)
        cli = CSocket(sock)
        ips = [ip_of(i + 1) for i in range(n)]
        cpu0 = server_cpu(srv.pid)
        t0 = time.perf_counter()
        for i in range(0, n, 1000):
            r = cli.send(["set", jail, "banip"] + ips[i:i + 1000])
            if r[0] != 0:
                sys.exit("f2b.py: banip failed: %r" % (r,))
        got, t1 = wait_kernel(cli, kind, jail, n, t0, ips[-1])
        if got != n:
            sys.exit("f2b.py: the kernel holds %d bans, expected %d" % (got, n))
        idle, cpu = settled(srv.pid, t0, cpu0)
        banned = cli.send(["get", jail, "banned"])[1]
        if len(banned) != n:
            sys.exit("f2b.py: Fail2ban lists %d bans, expected %d" % (len(banned), n))
        stop_checked(cli, srv, kind, jail)
        out = (t1 - t0, idle, cpu) + (restore(confdir, jail, n, kind) if with_restore else ())
        print("\t".join("%.3f" % x for x in out))
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()


FLOOR = "no-op Python action (Fail2ban's floor)"
# The stock action of the same kernel interface as a row's KIND.
STOCK_OF = {"ipt": "stock iptables-multiport (legacy)", "iptnft": "stock iptables-multiport (iptables-nft)",
            "nft": "stock nftables-multiport", "ips": "stock iptables-ipset-proto6 (legacy)"}


def report_f2b(path):
    rows = {}
    order = []
    with open(path) as f:
        for line in f:
            label, kind, *secs = line.rstrip("\n").split("\t")
            if label not in rows:
                order.append(label)
                rows[label] = (kind, [[] for _ in range(6)])
            for i, v in enumerate(secs[:6]):
                rows[label][1][i].append(float(v))

    def median(v):
        return sorted(v)[(len(v) - 1) // 2] if v else None

    med = {l: [median(v) for v in cols] for l, (_k, cols) in rows.items()}
    floor = med.get(FLOOR, [None] * 6)
    w = max(len(l) for l in order)

    def cells(i, l, kind, stock=True):
        v = med[l][i]
        st = med.get(STOCK_OF.get(kind), [None] * 6)[i]
        if v is None:
            return ("-", "-", "-")[:3 if stock else 2]
        out = ("%.2f" % v, "%.2fx" % (v / floor[i]) if floor[i] else "-")
        if stock:
            out += ("%.1fx" % (st / v) if st and not l.startswith("stock") and l != FLOOR else "-",)
        return out
    print("%-*s %5s %9s %8s %10s %9s %8s %10s" % (w, "action", "runs", "burst s", "x floor", "stock/this",
                                               "restore s", "x floor", "stock/this"))
    for l in order:
        print("%-*s %5d %9s %8s %10s %9s %8s %10s" % ((w, l, len(rows[l][1][0])) + cells(0, l, rows[l][0]) +
                                                    cells(3, l, rows[l][0])))
    print()
    print("the same runs until Fail2ban is idle again (its database written: its observer thread's work,")
    print("which the floor's action leaves for after the kernel holds the bans), and the server's CPU seconds:")
    print("%-*s %9s %8s %9s %8s %9s %8s %9s %8s" % (w, "action", "burst", "x floor", "CPU s", "x floor",
                                                  "restore", "x floor", "CPU s", "x floor"))
    for l in order:
        kind = rows[l][0]
        print("%-*s %9s %8s %9s %8s %9s %8s %9s %8s" % ((w, l) + cells(1, l, kind, False) + cells(2, l, kind, False) +
                                                      cells(4, l, kind, False) + cells(5, l, kind, False)))


def report_scale(path, count=False):
    """Medians per plugin, backend, label, held; the ratio of the largest held over the smallest.
    Values are nanoseconds (shown as us), or with count, plain counts (instructions)."""
    d = {}
    with open(path) as f:
        for line in f:
            plugin, backend, held, label, v = line.rstrip("\n").split("\t")
            d.setdefault((plugin, backend, label), {}).setdefault(int(held), []).append(
                int(v) if count else int(v) / 1000.0)
    helds = sorted({h for v in d.values() for h in v})
    w = max(len(label) for _p, _b, label in d)
    hdr = "%-16s %-7s %-*s" % ("plugin", "backend", w, "call") + "".join(
        " %11s" % ("@%d" % h if count else "@%d us" % h) for h in helds) + " %10s" % (
        "%d/%d" % (helds[-1], helds[0]))
    print(hdr)
    print("-" * len(hdr))
    for (plugin, backend, label), v in d.items():
        m = [quantile(sorted(v[h]), 0.5) if h in v else None for h in helds]
        ratio = "%.2fx" % (m[-1] / m[0]) if m[0] and m[-1] else "-"
        print("%-16s %-7s %-*s" % (plugin, backend, w, label) + "".join(
            " %11s" % ("%.0f" % x if x is not None else "-") for x in m) + " %10s" % ratio)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "render" and len(sys.argv) >= 4:
        render(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "exec" and len(sys.argv) >= 7 and len(sys.argv) % 2 == 1:
        execute(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5:])
    elif cmd == "report" and len(sys.argv) == 3:
        report(sys.argv[2])
    elif cmd == "banip" and len(sys.argv) in (6, 7):
        banip(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
              len(sys.argv) == 7 and sys.argv[6] == "restore")
    elif cmd == "report-f2b" and len(sys.argv) == 3:
        report_f2b(sys.argv[2])
    elif cmd == "report-scale" and len(sys.argv) == 3:
        report_scale(sys.argv[2])
    elif cmd == "report-scale" and len(sys.argv) == 4 and sys.argv[2] == "--count":
        report_scale(sys.argv[3], count=True)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
