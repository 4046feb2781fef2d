#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sessions.py - the echo server and the session-holding client of tests/ns/sessions.sh.

  sessions.py serve PORT...
      Echo every line back, on every PORT, IPv4 (0.0.0.0) and IPv6 (::), until killed.
      Prints "ready" once listening.

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


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "hold":
        hold(*sys.argv[2:])
    else:
        sys.exit(__doc__)
