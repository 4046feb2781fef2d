# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/e2e/py_parity.py - the .py actions against the .conf files of the same name (run with
/usr/bin/python3; no root, no kernel: nothing runs).

  py_parity.py CONFDIR

CONFDIR/action.d holds the action files as installed (.conf with @SBINDIR@, .py with
@PLUGINDIR@ replaced).  For every action and a set of jail options, as Fail2ban 1.0.2 gives
them (a .conf through its ActionReader and CommandAction, a .py as `addaction` does: the
options of the jail's action line as keyword arguments, unresolved tags verbatim):
  keys   the key=value texts the .py opens its libnfban handle with, per family, equal the
         keys the .conf's commands pass to the shim (blocktype may be left out where the
         .conf passes the plugin's own default for the family);
  ops    driven through the same jail life (ban starting a family on demand, unban, ban of
         the other family, unban of a family never started, check, flush, stop; with
         actionstart_on_demand = false, start at jail start), the .py calls libnfban with the
         same operations, families and addresses, in the same order, as the .conf runs commands
         (the .py's start+ban, a family's first ban in one kernel transaction, counts as the
         .conf's start and ban when it succeeds, and as nothing when it fails: nothing of it
         was applied);
  repair the same when an operation fails once: with the rules missing (check fails: stop,
         start, check, retry), with the rules present (check passes: retry), for ban and for
         unban (no repair on unban).
libnfban's operations are replaced by a recorder (nfban_action.Handle); Fail2ban's executeCmd by
another.  The key tables the .py actions pass keys from are the build's (nfban_plugin_keys).
TAP output.
"""
import shlex
import sys

CONFDIR = sys.argv[1]
sys.path.insert(0, CONFDIR + "/action.d")

import fail2ban.server.action as f2baction                    # noqa: E402
from fail2ban.client.actionreader import ActionReader         # noqa: E402
from fail2ban.server.action import CommandAction              # noqa: E402
from fail2ban.server.ipdns import IPAddr                      # noqa: E402
from fail2ban.server.utils import Utils                       # noqa: E402

f2baction.allowed_ipv6 = lambda: True
import nfban_action                                            # noqa: E402
ORIG = (nfban_action.Handle, nfban_action.library)

PLUGIN_DEFAULT_BLOCKTYPE = {
	("ipt", "inet4"): "REJECT --reject-with icmp-port-unreachable",
	("ipt", "inet6"): "REJECT --reject-with icmp6-port-unreachable",
	("nft", "inet4"): "reject",
	("nft", "inet6"): "reject",
}

n_test = [0]
failed = [0]


def tap(ok, name, diag=""):
	n_test[0] += 1
	print("%s %d - %s" % ("ok" if ok else "not ok", n_test[0], name))
	if not ok:
		failed[0] += 1
		for line in diag.splitlines():
			print("# " + line)


class Jail:
	name = "sshd"

	class actions:
		actionInfo = {"ip": ""}
		banEpoch = 0


# A failure plan: {(op, family): [status, ...]} consumed per call (missing: success).
class Plan:
	def __init__(self, fails=None):
		self.fails = {k: list(v) for k, v in (fails or {}).items()}
		self.calls = []

	def answer(self, op, family):
		q = self.fails.get((op, family))
		return q.pop(0) if q else 0

	def peek(self, op, family):
		q = self.fails.get((op, family))
		return q[0] if q else 0

	def answer_start_ban(self, family):
		# One transaction: it fails when the start or the ban would, and then nothing of it
		# happened (the failures stay for the operations that follow); else both happened.
		st = self.peek("start", family) or self.peek("ban", family)
		if st == 0:
			self.answer("start", family)
			self.answer("ban", family)
		return st


def conf_life(action, opts, plan, life):
	"""The (family, op, ip) sequence and per-family keys of the .conf under `life`."""
	calls = []
	keys = {}

	def record(realCmd, timeout=60, **_kw):
		w = shlex.split(realCmd)
		i = next(j for j, x in enumerate(w) if x.endswith("/nfban"))
		plugin, op, args = w[i + 1], w[i + 2], w[i + 3:]
		kv = [a for a in args if not a.startswith(("family=", "ip="))]
		fam = next(a[7:] for a in args if a.startswith("family="))
		ip = next((a[3:] for a in args if a.startswith("ip=")), None)
		keys.setdefault(fam, (plugin, tuple(kv)))
		calls.append((fam, op, ip))
		return plan.answer(op, fam) == 0

	CommandAction.executeCmd = staticmethod(record)
	reader = ActionReader(action, "sshd", dict(opts), basedir=CONFDIR)
	if not reader.read():
		raise RuntimeError("cannot read %s" % action)
	reader.getOptions({})
	act = CommandAction(Jail(), action)
	for cmd in reader.convert():
		if cmd[0] == "multi-set":
			for k, v in cmd[4]:
				setattr(act, k, v)
		elif cmd[0] == "set" and len(cmd) == 6 and cmd[2] == "action":
			setattr(act, cmd[4], cmd[5])
	errors = life(act)
	return calls, keys, errors


def py_life(action, opts, plan, life):
	import nfban_action

	calls = []

	class FakeResult:
		def __init__(self, status, plugin):
			self.status, self.notice, self.fallback = status, b"", 0
			self.message, self.plugin = b"failed", plugin.encode()

		def text(self, f):
			return getattr(self, f).decode()

	class FakeHandle:
		def __init__(self, lib, plugin_dir, plugin, keys):
			self.plugin, self.keys = plugin, keys

		def run(self, op, family, ip=None):
			if op == "start+ban":
				st = plan.answer_start_ban(family)
				if st == 0:
					calls.extend([(family, "start", None), (family, "ban", ip)])
				return FakeResult(st, self.plugin)
			calls.append((family, op, ip))
			return FakeResult(plan.answer(op, family), self.plugin)

		def close(self):
			pass

	class NoWatcher:
		"""The watcher (restore after another program's removal, tests/e2e/reload.sh) checks on
		its own schedule: its calls are no part of CommandAction's sequence compared here."""
		def __init__(self, action):
			pass

		def start(self):
			pass

		def stop(self):
			pass

	nfban_action.Handle = FakeHandle
	nfban_action.Watcher = NoWatcher
	nfban_action.library = lambda d: None
	mod = Utils.load_python_module("%s/action.d/%s.py" % (CONFDIR, action))
	# As Fail2ban's addaction: Action(jail, name, **options of the action line).
	py_opts = dict(opts)
	act = mod.Action(Jail(), action, **py_opts)
	plugin = act._plugin
	keys = {f: (plugin, act.keys(f)) for f in ("inet4", "inet6")}
	errors = life(act)
	return calls, keys, errors


def norm_keys(kind, conf_keys, py_keys):
	"""py keys, with the plugin-default blocktype filled in where the .py leaves it out."""
	out = {}
	for fam, (plugin, kv) in py_keys.items():
		kv = list(kv)
		if not any(k.startswith("blocktype=") for k in kv):
			ck = [k for k in conf_keys.get(fam, ("", ()))[1] if k.startswith("blocktype=")]
			if ck and ck[0] == "blocktype=" + PLUGIN_DEFAULT_BLOCKTYPE[(kind, fam)]:
				kv.insert([k.split("=")[0] for k in conf_keys[fam][1]].index("blocktype"), ck[0])
		out[fam] = (plugin, tuple(kv))
	return out


def life_full(act):
	"""A jail's life, as f2b_render.py drives it; errors raised are collected."""
	errors = []

	def do(f, *a):
		try:
			f(*a)
		except Exception as e:
			errors.append("%s: %s" % (getattr(f, "__name__", f), e))

	do(act.start)
	do(act.unban, {"ip": IPAddr("2001:db8::9"), "family": "inet6"})   # family never started
	for fam, ips in (("inet4", ("192.0.2.1", "192.0.2.2")), ("inet6", ("2001:db8::1", "2001:db8::2"))):
		a1 = {"ip": IPAddr(ips[0]), "family": fam}
		a2 = {"ip": IPAddr(ips[1]), "family": fam}
		do(act.ban, a1)
		do(act.unban, a1)
		do(act.ban, a2)
	do(act.consistencyCheck)
	do(act.flush)
	do(act.unban, {"ip": IPAddr("192.0.2.2"), "family": "inet4"})     # after the flush: no-op
	do(act.stop)
	return errors


IPT = ("nfban-multiport", "nfban-allports", "nfban-perport", "nfban-ipset", "nfban-ipset-allports")
NFT = ("nfban-nftables", "nfban-nftables-allports")
OPTION_SETS = [
	{},
	{"port": "ssh,2200", "protocol": "tcp", "chain": "<known/chain>"},    # jail.conf's action_
	{"name": "sshd-tcp", "port": "ssh,2222", "protocol": "tcp,udp", "blocktype": "DROP"},
	{"actionstart_on_demand": "false"},
]
IPT_SETS = [
	{"reject_with": "icmp-host-prohibited"},
	{"ipsettime": "3600", "default-ipsettime": "600", "maxelem": "100000"},
	{"chain": "FORWARD", "returntype": "ACCEPT", "fallback": ""},
]
NFT_SETS = [
	{"table": "t2", "table_family": "ip", "chain_priority": "filter+1", "blocktype": "drop",
	 "addr_set": "zzz"},
	{"type": "allports", "chain_hook": "forward"},
]


def compare(action, opts, plan_spec=None, life=life_full, what="", keys_too=True):
	kind = "ipt" if action in IPT else "nft"
	label = "%s%s%s" % (action, opts and " %s" % opts or " (defaults)", what)
	try:
		cc, ck, ce = conf_life(action, opts, Plan(plan_spec), life)
		pc, pk, pe = py_life(action, opts, Plan(plan_spec), life)
	except Exception:
		import traceback
		tap(False, label, traceback.format_exc())
		return
	if keys_too:
		npk = norm_keys(kind, ck, pk)
		diag = ""
		for fam in ck:
			if ck[fam] != npk.get(fam):
				diag += "%s: .conf passes %s\n      .py opens %s\n" % (fam, ck[fam], pk.get(fam))
		tap(not diag, label + ": same plugin and keys per family", diag)
	diag = ""
	if cc != pc:
		diag = ".conf: %s\n.py:   %s" % (cc, pc)
	if bool(ce) != bool(pe):
		diag += "\nerrors .conf: %s\nerrors .py: %s" % (ce, pe)
	tap(not diag, label + ": same operations, families, addresses, in order", diag)


def extra():
	"""What only the .py has: options that cannot work, and Fail2ban's reload."""
	import nfban_action
	real_handle, real_library = ORIG
	# 1. A key libnfban refuses: the action is created (an exception would make Fail2ban drop
	#    its whole configuration), logs it, and every operation raises libnfban's line.
	nfban_action.Handle, nfban_action.library = real_handle, real_library
	mod = Utils.load_python_module("%s/action.d/nfban-multiport.py" % CONFDIR)
	try:
		act = mod.Action(Jail(), "nfban-multiport", port="nope")
		act.start()
		try:
			act.ban({"ip": IPAddr("192.0.2.1")})
			got = "no error"
		except RuntimeError as e:
			got = str(e)
		want = "nfban: port='nope': unknown service 'nope' (not in /etc/services)"
		tap(got == want, "port=nope: the action is created; a ban raises %r" % want, "got %r" % got)
		act.stop()
	except Exception:
		import traceback
		tap(False, "port=nope: the action is created", traceback.format_exc())

	# 2. reload: the same options keep the handles; other options stop the started families
	#    as the old ones say and ban the jail's bans again as the new ones say.
	calls = []

	class H:
		def __init__(self, lib, pd, plugin, keys):
			self.keys = keys

		def run(self, op, family, ip=None):
			calls.append((op, family, ip, [k for k in self.keys if k.startswith("port=")][0]))

			class R:
				status, notice, fallback = 0, b"", 0

				def text(self, f):
					return ""
			return R()

		def close(self):
			pass

	nfban_action.Handle, nfban_action.library = H, lambda d: None

	class BM:
		def getBanList(self):
			return [IPAddr("192.0.2.1"), IPAddr("2001:db8::1")]

	class J2(Jail):
		class actions(Jail.actions):
			banManager = BM()

	act = mod.Action(J2(), "nfban-multiport", port="ssh")
	act.ban({"ip": IPAddr("192.0.2.1")})
	act.ban({"ip": IPAddr("2001:db8::1")})
	h = dict(act._handles)
	del calls[:]
	act.clearAllParams()
	act.reload(port="ssh")
	tap(not calls and act._handles == h, "reload with the same options: nothing runs, the handles stay",
	    "calls %s" % calls)
	act.reload(port="2222")
	want = [("flush", "inet4", None, "port=ssh"), ("stop", "inet4", None, "port=ssh"),
	        ("flush", "inet6", None, "port=ssh"), ("stop", "inet6", None, "port=ssh"),
	        ("start+ban", "inet4", "192.0.2.1", "port=2222"),
	        ("start+ban", "inet6", "2001:db8::1", "port=2222")]
	tap(calls == want, "reload with port=2222: old families flushed and stopped, the bans banned again with the new port",
	    "got  %s\nwant %s" % (calls, want))
	del calls[:]
	act.reload(port="2200", actionstart_on_demand="maybe")
	tap(not calls and act._cfg["keys"]["inet4"][2] == "port=2222",
	    "reload with options that cannot work (actionstart_on_demand=maybe): logged, the action keeps its options")


def main():
	for action in IPT + NFT:
		for opts in OPTION_SETS + (IPT_SETS if action in IPT else NFT_SETS):
			compare(action, opts)
	# Repair: a ban fails once; the check finds the rules missing (stop, start, check, retry)
	# or present (retry); an unban fails once (check, no repair, error).
	for action in ("nfban-multiport", "nfban-nftables"):
		compare(action, {}, {("ban", "inet4"): [0, 1], ("check", "inet4"): [3]},
		        what=", a ban fails once, rules missing: repaired", keys_too=False)
		compare(action, {}, {("ban", "inet6"): [1]},
		        what=", a ban fails once, rules present: retried", keys_too=False)
		compare(action, {}, {("unban", "inet4"): [1], ("check", "inet4"): [3]},
		        what=", an unban fails, rules missing: no repair", keys_too=False)
		compare(action, {"actionstart_on_demand": "false"},
		        {("ban", "inet4"): [1, 1], ("check", "inet4"): [3]},
		        what=", a ban fails twice: repaired, still failing", keys_too=False)
	extra()
	print("1..%d" % n_test[0])
	return 1 if failed[0] else 0


if __name__ == "__main__":
	sys.exit(main())
