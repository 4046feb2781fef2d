# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/ns/py_nowait.py - the .py actions' ban keeps the GIL only when it cannot wait
(tests/ns/py_nowait.sh).

  py_nowait.py PLUGIN_DIR HOLDLOCK

One nfban_action.Handle on the nftables plugin: a ban while nobody else writes is one call of
nfban_jail_try (ctypes.PyDLL: the GIL kept), nothing else; a ban while another writer holds
nfban's writer lock (HOLDLOCK, tests/tools/holdlock.c) is a try that answers busy, then the
waiting call (ctypes.CDLL), during which this process's other threads run; once the lock is
let go, the ban is in the kernel.  TAP output.
"""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ["NFBAN_ROOT"], "action.d"))
sys.path.insert(0, os.path.join(os.environ["NFBAN_ROOT"], "tests", "lib"))
import nfban_action  # noqa: E402
from pytap import failed, n_test, tap  # noqa: E402


def elements():
	out = subprocess.run(["nft", "list", "set", "inet", "f2b-table", "addr-set-t"],
	                     capture_output=True, text=True, check=True).stdout
	return sorted(w.strip(",{}") for w in out.split() if w.count(".") == 3)


def main():
	plugin_dir, holdlock = sys.argv[1], sys.argv[2]
	lib = nfban_action.library(plugin_dir)
	h = nfban_action.Handle(lib, plugin_dir, "nftables", ["name=t", "port=22"])
	tries = []
	orig = h._try
	tap(orig is not None, "libnfban has nfban_jail_try, called through ctypes.PyDLL",
	    "lib.try_keeping_gil is None")

	def spy(*a):
		st = orig(*a)
		tries.append(st)
		return st
	h._try = spy
	res = h.run("start", "inet4")
	tap(res.status == 0 and tries == [], "start: the waiting call, no try", "%s %r" % (res.text("message"), tries))
	res = h.run("ban", "inet4", "192.0.2.1")
	tap(res.status == 0 and tries == [0], "a ban while nobody else writes: one try, done",
	    "%s %r" % (res.text("message"), tries))
	tap(elements() == ["192.0.2.1"], "the kernel holds the ban", elements())

	hold = subprocess.Popen([holdlock], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
	tap(hold.stdout.readline().strip() == "held", "another writer holds nfban's writer lock")
	del tries[:]
	out = {}
	t = threading.Thread(target=lambda: out.setdefault("res", h.run("ban", "inet4", "192.0.2.2")))
	t.start()
	ticks, t0 = 0, time.monotonic()
	while time.monotonic() - t0 < 0.5:      # the GIL, were the ban keeping it, would stop this
		ticks += 1
	waiting = t.is_alive()
	tap(waiting and tries == [nfban_action.NFBAN_BUSY] and ticks > 10000,
	    "while the lock is held: the try said busy, the ban waits, and other threads run",
	    "alive %s, tries %r, %d loop turns in 0.5 s" % (waiting, tries, ticks))
	tap(elements() == ["192.0.2.1"], "nothing banned while it waits", elements())
	hold.stdin.close()
	hold.wait()
	t.join(30)
	res = out.get("res")
	tap(res is not None and res.status == 0, "the waiting ban is done once the lock is let go",
	    res.text("message") if res else "no result")
	tap(elements() == ["192.0.2.1", "192.0.2.2"], "the kernel holds both bans", elements())
	del tries[:]
	res = h.run("unban", "inet4", "192.0.2.1")
	tap(res.status == 0 and tries == [0], "an unban: one try, done", "%s %r" % (res.text("message"), tries))
	res = h.run("stop", "inet4")
	tap(res.status == 0, "stop", res.text("message"))
	h.close()
	print("1..%d" % n_test[0])
	return 1 if failed[0] else 0


if __name__ == "__main__":
	sys.exit(main())
