# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/ns/py_groups.py - the .py actions' BanGrouper (tests/ns/ipt_grouped.sh).

  py_groups.py PLUGIN_DIR BACKEND REFUSED

nfban-multiport.py with backend=BACKEND (BACKEND nftables: nfban-nftables.py, ipset:
nfban-ipset.py, which group the same way, each group one message of its elements; ipset's
without the refused group and the rules absent: the fault injector refuses no ipset message, and
an ipset ban touches the set alone, as stock's) on port 22, against this namespace's kernel: the
family's first ban is start+ban, in the kernel when ban() returns; later bans are handed to the
grouper, which bans every address handed since its last commit in one nfban_jail_ban_many call
(the test holds the grouper's condition while it bans, so that all of them are pending at
once: groups of 256 and the rest); an unban of an address still pending takes it back; a group
holding REFUSED (which the fault injector makes the kernel refuse) is banned one by one, every
other address banned and REFUSED's failure logged; a flush drops what is pending; a group that
meets the rules absent (the jump deleted) is banned one by one, the first repaired.  Prints TAP,
then "order A B C ..." (the bans in the kernel, in the order they were made), and waits for
"go" on stdin (the caller compares the kernel with stock meanwhile); then the flush, and
"flushed".  The jail is left started.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["NFBAN_ROOT"], "action.d"))
sys.path.insert(0, os.path.join(os.environ["NFBAN_ROOT"], "tests", "lib"))
import nfban_action  # noqa: E402
from pytap import failed, kept, tap  # noqa: E402


def settle(act, what):
	end = time.monotonic() + 30
	while time.monotonic() < end and not act._grouper.idle():
		time.sleep(0.01)
	tap(act._grouper.idle(), "the grouper is idle after " + what)


def order_then_flush(act, order):
	"""The bans in the order they were made, printed; the caller's "go" waited for (it compares
	the kernel meanwhile); then a flush, which drops what is pending (and leaves the chain with
	its return rule)."""
	print("order " + " ".join(order))
	sys.stdout.flush()
	if failed[0] or sys.stdin.readline().strip() != "go":
		os._exit(1)
	with act._lock, act._grouper._cv:
		act.ban({"ip": "10.9.7.1", "family": "inet4"})
		act.flush()
	settle(act, "a flush")
	tap(act._grouper.idle(), "nothing pending after the flush")


def flushed():
	print("flushed")
	sys.stdout.flush()
	os._exit(1 if failed[0] else 0)


def main():
	plugin_dir, backend, refused = sys.argv[1], sys.argv[2], sys.argv[3]
	logged = kept(nfban_action.logSys)
	groups, singles = [], []
	orig_many, orig_run = nfban_action.Handle.ban_many, nfban_action.Handle.run

	def many(self, family, ips):
		groups.append(len(ips))
		return orig_many(self, family, ips)

	def run(self, operation, family, ip=None):
		if operation == "ban":
			singles.append(ip)
		return orig_run(self, operation, family, ip)
	nfban_action.Handle.ban_many, nfban_action.Handle.run = many, run

	class Jail:
		name = "grp"
	if backend in ("nftables", "ipset"):
		act = nfban_action.action_class("nfban-" + backend)(Jail(), "nfban", port="22",
		                                                   plugin_dir=plugin_dir)
	else:
		act = nfban_action.action_class("nfban-multiport")(Jail(), "nfban", port="22",
		                                                  backend=backend, plugin_dir=plugin_dir)
	order = []

	def ban(ip):
		act.ban({"ip": ip, "family": "inet4"})
		order.append(ip)

	ban("10.9.0.1")
	tap(act._grouper is None and groups == [], "the family's first ban: start+ban, no grouper",
	    "%r %r" % (act._grouper, groups))
	ban("10.9.0.2")
	tap(act._grouper is not None, "the second ban goes to the grouper")
	settle(act, "one ban")
	tap(groups == [1], "one ban, one group of one", groups)

	ips = ["10.9.%d.%d" % (1 + i // 250, 1 + i % 250) for i in range(300)]
	del groups[:]
	# The grouper's thread waits while this holds its condition: everything pending at once.
	# (The action's lock first, as the action takes the two.)
	with act._lock, act._grouper._cv:
		for ip in ips:
			ban(ip)
		act.ban({"ip": "10.9.9.9", "family": "inet4"})
		act.unban({"ip": "10.9.9.9", "family": "inet4"})
	settle(act, "300 bans and an unban of one still pending")
	tap(groups == [256, 44] and singles == [], "300 bans: groups of 256 and 44, no ban alone",
	    "groups %r, alone %r" % (groups, singles))
	tap(act._bans["inet4"] == set(order), "the action knows every ban, not the one taken back",
	    sorted(act._bans["inet4"] ^ set(order)))

	if backend == "ipset":
		order_then_flush(act, order)
		flushed()

	del groups[:]
	with act._lock, act._grouper._cv:
		for ip in ("10.9.8.1", refused, "10.9.8.3"):
			act.ban({"ip": ip, "family": "inet4"})
	settle(act, "a group the kernel refuses")
	order += ["10.9.8.1", "10.9.8.3"]
	tap(groups == [3] and singles == ["10.9.8.1", refused, refused, "10.9.8.3"],
	    "a refused group: its bans one by one (the refused one with its check and one retry)",
	    "groups %r, alone %r" % (groups, singles))
	errors = [m for m in logged if "ban %s:" % refused in m]
	tap(len(errors) == 1, "the refused ban is logged once", "\n".join(logged))
	tap(refused not in act._bans["inet4"], "the refused ban is not the action's")

	order_then_flush(act, order)
	# Another program deletes the jump: the group meets the rules absent, and its bans go one
	# by one, the first with Fail2ban's check and repair (the family stopped and started).
	# (The watcher ended first: it would put the jump back itself, before or after the group.)
	act._watch_end()
	if backend == "nftables":     # (the rule looking the set up)
		subprocess.run(["nft", "flush", "chain", "inet", "f2b-table", "f2b-chain"], check=True)
	else:
		subprocess.run(["iptables", "-w", "-D", "INPUT", "-p", "tcp", "-m", "multiport",
		                "--dports", "22", "-j", "f2b-grp"], check=True)
	del groups[:], singles[:]
	again = ["10.9.6.1", "10.9.6.2", "10.9.6.3"]
	with act._lock, act._grouper._cv:
		for ip in again:
			act.ban({"ip": ip, "family": "inet4"})
	settle(act, "a group that met the rules absent")
	tap(groups == [3] and singles == [again[0]] + again, "the rules absent: the group's bans one "
	    "by one, the first again after the repair", "groups %r, alone %r" % (groups, singles))
	tap(act._bans["inet4"] == set(again) and act._started["inet4"] & 3 == 3,
	    "the action knows the three bans, and the family holds bans",
	    "%r %r" % (act._bans.get("inet4"), act._started))
	if backend == "nftables":
		out = subprocess.run(["nft", "list", "table", "inet", "f2b-table"], capture_output=True,
		                     text=True).stdout
		held = all(ip in out for ip in again) and "ip saddr @addr-set-grp reject" in out
	else:
		out = subprocess.run(["iptables-save", "-t", "filter"], capture_output=True,
		                     text=True).stdout
		held = all("-A f2b-grp -s %s/32 " % ip in out for ip in again) and \
			"-A INPUT -p tcp -m multiport --dports 22 -j f2b-grp" in out
	tap(held, "the kernel holds the jump (the rule) and the three bans", out)
	act.flush()
	flushed()


main()
