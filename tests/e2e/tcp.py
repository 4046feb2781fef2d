#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp.py - the tiny TCP server and client of the end-to-end tests and the demo.

  tcp.py listen PORT...
      Listen on every PORT on 0.0.0.0 and on :: (IPv6 only), answer each connection with
      one banner line and close it.  Runs until killed.

  tcp.py probe [--timeout SECONDS] SRC,DST,PORT...
      Connect from source address SRC to DST:PORT, all probes at once, and print one line
      per probe, in the order given:  SRC DST PORT RESULT
      RESULT is `ok` (connected and read the banner), `refused` (RST or ICMP unreachable:
      a REJECT), `timeout` (no answer: a DROP) or `error:<what>`.  Exit 0.

Nothing but the standard library, so it runs wherever python3 does.
"""
import errno
import select
import socket
import sys
import threading

BANNER = b"SSH-2.0-nfban-e2e\r\n"


def listeners(ports):
    """A listening socket per PORT on 0.0.0.0 and on :: (IPv6 only)."""
    socks = []
    for port in ports:
        for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, int(port)))
            s.listen(64)
            socks.append(s)
    return socks


def accept_all(socks, handle):
    """Forever: handle(connection) for every connection accepted on socks."""
    while True:
        ready, _, _ = select.select(socks, [], [])
        for s in ready:
            try:
                c, _ = s.accept()
            except OSError:
                continue
            handle(c)


def banner(c):
    try:
        c.sendall(BANNER)
    except OSError:
        pass
    c.close()


def listen(ports):
    socks = listeners(ports)
    print("listening on " + " ".join(ports), flush=True)
    accept_all(socks, banner)


def probe_one(src, dst, port, timeout):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.bind((src, 0))
        s.connect((dst, int(port)))
        # Connected: the kernel answered, so no ban drops this flow.  The banner comes when
        # the listener gets the CPU, which on a loaded machine may take longer than a SYN's
        # answer: give it its own, longer time.
        s.settimeout(max(timeout, 30.0))
        data = s.recv(64)
        return "ok" if data.startswith(b"SSH-") else "error:banner %r" % data
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM):
            return "refused"
        return "error:" + (errno.errorcode.get(e.errno, str(e.errno)) if e.errno else str(e))
    finally:
        s.close()


def probe(args):
    timeout = 1.5
    if args and args[0] == "--timeout":
        timeout = float(args[1])
        args = args[2:]
    specs = [a.split(",") for a in args]
    results = [None] * len(specs)

    def run(i, src, dst, port):
        results[i] = probe_one(src, dst, port, timeout)

    threads = [threading.Thread(target=run, args=(i, *spec)) for i, spec in enumerate(specs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for spec, res in zip(specs, results):
        print(" ".join(spec + [res]))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "listen":
        listen(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "probe":
        probe(sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
