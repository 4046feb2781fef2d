#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sessions.py - the echo server and the session-holding client of tests/ns/sessions.sh.

  sessions.py serve PORT...
      Echo every line back, on every PORT, IPv4 (0.0.0.0) and IPv6 (::), until killed.
      Prints "ready" once listening.

  sessions.py pyban PLUGIN_DIR ACTION IP... -- KEY=VALUE...
      The .py action ACTION (nfban-nftables, ...) with those options, in this process: each
      IP banned (live bans, as Fail2ban's), then a wait (up to 20 s) until the action's
      SessionEnder has ended their sessions.  Prints "walks N" (the end_sessions calls it
      made) and each line the action logged, and leaves the jail as it is.

  sessions.py end PLUGIN_DIR PLUGIN FAMILY IP... -- KEY=VALUE...
      nfban_jail_end_sessions of the IPs on a handle of PLUGIN opened with those keys
      (ctypes, libnfban of PLUGIN_DIR): prints "STATUS MESSAGE|NOTICE".

  sessions.py hold SRC DST PORT
      One TCP connection from SRC to DST:PORT, held open: every 0.1 s a line is sent and its
      echo awaited for up to 0.3 s.  Prints one line per round: "echo" (the echo came back),
      "stall" (it did not), or "dead <why>" and exits (the connection failed).  Each ACK is
      sent at once (TCP_QUICKACK): no delayed ACK is left for a ban to drop, which would make
      the server retransmit and so recreate a connection tracking entry from its side.

Nothing but the standard library (and tests/e2e/tcp.py's listening sockets).
"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from tcp import accept_all, listeners  # noqa: E402  (the e2e tests' listening sockets)


def serve(ports):
    socks = listeners(ports)
    print("ready", flush=True)

    def echo(c):
        with c:
            while True:
                try:
                    data = c.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                try:
                    c.sendall(data)
                except OSError:
                    return

    accept_all(socks, lambda c: threading.Thread(target=echo, args=(c,), daemon=True).start())


def hold(src, dst, port):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        s.bind((src, 0))
        s.settimeout(5)
        s.connect((dst, int(port)))
    except OSError as e:
        print("dead connect: %s" % e, flush=True)
        return
    s.settimeout(0.3)
    n = 0
    while True:
        n += 1
        line = ("%d\n" % n).encode()
        try:
            s.sendall(line)
            got = b""
            end = time.monotonic() + 0.3
            while not got.endswith(line) and time.monotonic() < end:
                chunk = s.recv(4096)
                if not chunk:
                    print("dead closed", flush=True)
                    return
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                got += chunk
            print("echo" if got.endswith(line) else "stall", flush=True)
        except socket.timeout:
            print("stall", flush=True)
        except OSError as e:
            print("dead %s" % e, flush=True)
            return
        time.sleep(0.1)


def pyban(plugin_dir, action, ips, opts):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "action.d"))
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import nfban_action
    from pytap import kept
    logged = kept(nfban_action.logSys)

    class Jail:
        name = "t"
    kw = dict(o.split("=", 1) for o in opts)
    kw["plugin_dir"] = plugin_dir
    act = nfban_action.action_class(action)(Jail(), "nfban", **kw)
    walks = [0]
    orig = nfban_action.Handle.end_sessions

    def counted(self, family, addrs):
        walks[0] += 1
        return orig(self, family, addrs)
    nfban_action.Handle.end_sessions = counted
    for ip in ips:
        act.ban({"ip": ip, "family": "inet6" if ":" in ip else "inet4"})
    end = time.monotonic() + 20
    while time.monotonic() < end and ((act._grouper is not None and not act._grouper.idle()) or
                                      act._ender is None or not act._ender.idle()):
        time.sleep(0.02)
    print("walks %d" % walks[0])
    for line in logged:
        print(line)
    sys.stdout.flush()
    if act._ender is not None:
        act._ender.stop()
    os._exit(0)     # the jail stays as it is: the caller looks, then stops it


def end(plugin_dir, plugin, family, ips, keys):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "action.d"))
    import nfban_action
    lib = nfban_action.library(plugin_dir)
    h = nfban_action.Handle(lib, plugin_dir, plugin, keys)
    res = h.end_sessions(family, ips)
    print("%d %s|%s" % (res.status, res.text("message"), res.text("notice")))
    h.close()


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "end" and "--" in sys.argv:
        i = sys.argv.index("--")
        end(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:i], sys.argv[i + 1:])
        sys.exit(0)
    if len(sys.argv) >= 5 and sys.argv[1] == "pyban" and "--" in sys.argv:
        i = sys.argv.index("--")
        pyban(sys.argv[2], sys.argv[3], sys.argv[4:i], sys.argv[i + 1:])
        sys.exit(0)
    elif len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "hold":
        hold(*sys.argv[2:])
    else:
        sys.exit(__doc__)
