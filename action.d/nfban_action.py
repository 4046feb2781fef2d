# SPDX-License-Identifier: GPL-2.0-or-later
# Fail2Ban in-process actions: what nfban-multiport.py, nfban-allports.py, nfban-perport.py,
# nfban-nftables.py and nfban-nftables-allports.py share.
#
# Not an action itself (it has no `Action` class): each of those five files loads it from its
# own directory and takes its action class from ACTIONS below, by the file's name.
#
# Each action does, in Fail2ban's own process, what the .conf file of the same name makes
# Fail2ban do with one `nfban` process per operation: the same keys and defaults, the same
# kernel state, the same fallback.  It calls libnfban (include/nfban.h) through ctypes:
#   - one libnfban handle per jail, opened when Fail2ban creates the action (a bad key is an
#     error then, with libnfban's message), closed when the jail stops; two only when a
#     family-specific default makes the keys differ per family (reject_with);
#   - operations as Fail2ban's CommandAction runs the .conf commands (fail2ban/server/
#     action.py, 1.0.x): families started on demand, first IPv4 ban starts inet4, first IPv6
#     ban inet6 (both with the ban, in one kernel transaction: libnfban's start+ban; all at
#     jail start with actionstart_on_demand = false); flush then stop for
#     every started family at jail stop; unban of a family that holds no ban is a no-op;
#     after a failed operation: check, repair by stop + start of the family, one retry;
#   - while a family is started, a Watcher thread (below) puts back the jail's rules and bans
#     when another program removed them (nft flush ruleset, iptables-restore, iptables -F);
#   - the iptables plugins' bans of a started family go to a BanGrouper thread (below), which
#     bans a burst in one commit per group: ban() returns before the kernel holds the ban;
#   - errors raised with the line the `nfban` command prints ("nfban: <message>"), notices
#     logged at INFO, fallback announcements at WARNING (logger fail2ban.nfban).
# ctypes.CDLL releases the GIL during each call: a jail waiting for the xtables lock does not
# stop the others.  A ban or unban is first tried keeping the GIL (nfban_jail_try through
# ctypes.PyDLL): that call never waits - it answers "busy" where it would, and the CDLL call
# follows - and spares Fail2ban's other threads a hand-over of the GIL per ban (its database
# thread takes it at every release, and gives it back after a switch).  libnfban has a lock
# per handle and serialises the libiptc plugins across handles; this module has a lock per
# action for its own state (Fail2ban bans from the jail's thread and unbans from the client's).
#
# Where libnfban and the plugins are: the action's plugin_dir=, else $NFBAN_PLUGIN_DIR, else
# the directory `make install` writes here:
INSTALLED_PLUGIN_DIR = "@PLUGINDIR@"

import ctypes
import itertools
import logging
import os
import re
import select
import socket
import struct
import sys
import syslog
import threading
import time

import fail2ban.server.action as _f2baction
from fail2ban.helpers import getLogger
from fail2ban.server.action import ActionBase

logSys = getLogger("fail2ban.nfban")
# libnfban's fallback announcements go to syslog from this process: tagged "nfban", as the nfban
# command's are, so that `journalctl -t nfban` finds both (not "python3", the process's name).
syslog.openlog("nfban", syslog.LOG_PID, syslog.LOG_DAEMON)

FAMILIES = ("inet4", "inet6")

# ------------------------------------------------------------------ the actions' keys
# Per action (the file's name without .py): the plugin it runs, and what its .conf has of its
# own at Fail2ban's level: defaults that are tags of other keys (<reject_with>), informational
# keys (taken, not passed), and their [Init?family=inet6] values.  Every key the action passes
# to libnfban - which, in which order, with which default per family - is the plugin's:
# plugin_keys() below reads it from libnfban (nfban_plugin_keys), as the shim's usage and the
# .conf files are checked against it (tools/check_actions).
_IPT = ({"blocktype": "REJECT --reject-with <reject_with>", "reject_with": "icmp-port-unreachable"},
        {"reject_with": "icmp6-port-unreachable"})
_NFT = ({"addr_type": "ipv4_addr", "addr_set": "addr-set-<name>", "addr_family": "ip"},
        {"addr_type": "ipv6_addr", "addr_set": "addr6-set-<name>", "addr_family": "ip6"})

ACTIONS = {
	"nfban-multiport": ("multiport", _IPT),
	"nfban-allports": ("allports", _IPT),
	"nfban-perport": ("perport", _IPT),
	"nfban-nftables": ("nftables", _NFT),
	"nfban-nftables-allports": ("nftables", (dict(_NFT[0], type="allports"), _NFT[1])),
	"nfban-ipset": ("ipset", _IPT),
	"nfban-ipset-allports": ("ipset-allports", _IPT),
}

# A passed key left out when the jail sets none of the keys its default comes from: the
# plugin's own default is the same, per family (REJECT --reject-with icmp-port-unreachable,
# icmp6-port-unreachable for inet6), so both families share one handle.
_PLUGIN_DEFAULT = {"blocktype": ("blocktype", "reject_with")}
# libnfban's own keys (besides name) that the actions pass, after the plugin's, when the
# plugin gives them a value (fallback=: only a plugin with something to fall back to, as the
# .conf files pass it).
_HOST_PASSED = ("fallback", "kill_sessions")

# Keys every action takes besides its own: where libnfban is, Fail2ban's action options, and
# the .conf files' `nfban` (the command, meaningless in-process: accepted and ignored, so a
# jail can switch between .conf and .py without an error).
_COMMON = {"plugin_dir", "actionstart_on_demand", "actionrepair_on_unban", "timeout", "nfban"}

# An option Fail2ban could not resolve arrives verbatim, e.g. chain = <known/chain> from
# jail.conf's action_ macro: it means "the action's default".
_UNRESOLVED = re.compile(r"^<[^<>]*>$")
_TAG = re.compile(r"<([A-Za-z0-9_]+)>")


def _as_bool(key, v):
	if isinstance(v, bool):
		return v
	s = str(v).strip().lower()
	if s in ("1", "true", "yes", "on"):
		return True
	if s in ("0", "false", "no", "off"):
		return False
	raise ValueError("nfban: %s=%r: expected true or false" % (key, v))


# ------------------------------------------------------------------ libnfban through ctypes

NFBAN_DONE, NFBAN_FAILED, NFBAN_BAD_INPUT, NFBAN_RULES_ABSENT, NFBAN_BUSY = 0, 1, 2, 3, 4
_STATUS = {0: "done", 1: "failed", 2: "bad input", 3: "rules absent", 4: "busy"}
_TRIED = frozenset((b"ban", b"unban"))   # the operations nfban_jail_try takes
# The operations' and families' names as libnfban takes them, encoded once (a ban's call).
_ENCODED = dict((w, w.encode()) for w in ("ban", "unban", "start", "stop", "check", "flush",
                                          "start+ban", "inet4", "inet6"))


class Result(ctypes.Structure):
	"""struct nfban_result (include/nfban.h)."""
	_fields_ = [
		("status", ctypes.c_int),
		("kernel_errno", ctypes.c_int),
		("fallback", ctypes.c_int),
		("plugin", ctypes.c_char * 32),
		("message", ctypes.c_char * 512),
		("notice", ctypes.c_char * 512),
	]

	def text(self, field):
		return getattr(self, field).decode("utf-8", "replace")


NFBAN_KEYINFO_DEFAULT, NFBAN_KEYINFO_MATCH, NFBAN_KEYINFO_HOST = 1, 2, 4


class KeyInfo(ctypes.Structure):
	"""struct nfban_key_info (include/nfban.h)."""
	_fields_ = [
		("name", ctypes.c_char * 32),
		("type", ctypes.c_char * 32),
		("choices", ctypes.c_char * 128),
		("defaults", (ctypes.c_char * 128) * 2),
		("flags", ctypes.c_uint),
	]


_libs = {}
_libs_lock = threading.Lock()


def _vet(path, what):
	"""Fail2ban runs as root: load no code that anyone but root (or us) could have written.
	The same rule libnfban applies to the plugins it loads from the directory."""
	st = os.stat(path)
	if st.st_uid not in (0, os.geteuid()) or st.st_mode & 0o022:
		raise RuntimeError("nfban: %s %s is writable by others than root: refused" % (what, path))


def _libnfban(plugin_dir):
	"""libnfban.so of plugin_dir, loaded once per process."""
	path = os.path.realpath(os.path.join(plugin_dir, "libnfban.so"))
	with _libs_lock:
		lib = _libs.get(path)
		if lib is not None:
			return lib
		if not os.path.exists(path):
			raise RuntimeError("nfban: %s/libnfban.so does not exist (plugin_dir=, $NFBAN_PLUGIN_DIR)"
			                   % plugin_dir)
		_vet(os.path.dirname(path), "directory")
		_vet(path, "library")
		lib = ctypes.CDLL(path)   # CDLL: the GIL is released during every call
		lib.nfban_version.restype = ctypes.c_char_p
		lib.nfban_version.argtypes = []
		version = lib.nfban_version().decode()
		v = tuple(int(x) for x in re.findall(r"\d+", version)[:2])
		if not (0, 2) <= v < (1, 0):   # result.fallback and this layout came with 0.2
			raise RuntimeError("nfban: %s is version %s, this action needs 0.2 or later 0.x"
			                   % (path, version))
		lib.nfban_jail_open.restype = ctypes.c_void_p
		lib.nfban_jail_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
		                                ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(Result)]
		lib.nfban_jail_run.restype = ctypes.c_int
		lib.nfban_jail_run.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
		                               ctypes.c_char_p, ctypes.POINTER(Result)]
		lib.nfban_jail_close.restype = None
		lib.nfban_jail_close.argtypes = [ctypes.c_void_p]
		if not hasattr(lib, "nfban_plugin_keys"):
			raise RuntimeError("nfban: %s is version %s without nfban_plugin_keys: install the "
			                   "libnfban these actions came with" % (path, version))
		lib.nfban_plugin_keys.restype = ctypes.c_int
		lib.nfban_plugin_keys.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(KeyInfo),
		                                  ctypes.c_int, ctypes.POINTER(Result)]
		# 0.3's nfban_jail_end_sessions: the live bans' sessions ended apart (SessionEnder).
		lib.end_sessions = getattr(lib, "nfban_jail_end_sessions", None)
		if lib.end_sessions is not None:
			lib.end_sessions.restype = ctypes.c_int
			lib.end_sessions.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
			                             ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(Result)]
		# nfban_jail_ban_many: a burst of bans, a kernel transaction per group (BanGrouper).
		lib.ban_many = getattr(lib, "nfban_jail_ban_many", None)
		if lib.ban_many is not None:
			lib.ban_many.restype = ctypes.c_int
			lib.ban_many.argtypes = lib.end_sessions.argtypes
		# PyDLL: the GIL kept during the call, for the one that never waits (0.2 without it:
		# every call through CDLL).
		try:
			lib.try_keeping_gil = ctypes.PyDLL(path).nfban_jail_try
		except AttributeError:
			lib.try_keeping_gil = None
		else:
			lib.try_keeping_gil.restype = ctypes.c_int
			lib.try_keeping_gil.argtypes = lib.nfban_jail_run.argtypes
		_libs[path] = lib
		return lib


# The jail operations reach libnfban through library() and Handle (a test may put recorders in
# their place); the key tables always come from libnfban itself (_libnfban).
library = _libnfban


class Key(object):
	"""One key of a plugin: name, type, libnfban's own (host), default per family or None."""

	def __init__(self, name, type, host, default):
		self.name, self.type, self.host, self.default = name, type, host, default

	@classmethod
	def of(cls, info):
		"""From a struct nfban_key_info."""
		has = info.flags & NFBAN_KEYINFO_DEFAULT
		return cls(info.name.decode(), info.type.decode(), bool(info.flags & NFBAN_KEYINFO_HOST),
		           {f: info.defaults[i].value.decode() if has else None for i, f in enumerate(FAMILIES)})


_tables = {}


def plugin_keys(plugin_dir, plugin):
	"""The keys libnfban takes with plugin, in order (nfban_plugin_keys), read once per
	process and plugin directory."""
	with _libs_lock:
		keys = _tables.get((plugin_dir, plugin))
	if keys is not None:
		return keys
	lib, res = _libnfban(plugin_dir), Result()
	n = lib.nfban_plugin_keys(_b(plugin_dir), _b(plugin), None, 0, ctypes.byref(res))
	if n >= 0:
		arr = (KeyInfo * n)()
		n = lib.nfban_plugin_keys(_b(plugin_dir), _b(plugin), arr, n, ctypes.byref(res))
	if n < 0:
		raise Failed(res)
	keys = tuple(Key.of(arr[i]) for i in range(n))
	with _libs_lock:
		_tables[(plugin_dir, plugin)] = keys
	return keys


def _b(s):
	if s is None:
		return None
	if "\0" in s:
		raise ValueError("nfban: %r: NUL in a value" % s)
	return s.encode("utf-8")


class Failed(RuntimeError):
	"""An operation libnfban refused; str() is the line the nfban command prints."""

	def __init__(self, res):
		RuntimeError.__init__(self, "nfban: " + res.text("message"))
		self.status = res.status


class Handle(object):
	"""One libnfban jail handle (nfban_jail_open .. nfban_jail_close)."""

	def __init__(self, lib, plugin_dir, plugin, keys):
		self._lib = lib
		self._try = getattr(lib, "try_keeping_gil", None)
		res = Result()
		words = [_b(k) for k in keys]
		arr = (ctypes.c_char_p * len(words))(*words)
		self._h = lib.nfban_jail_open(_b(plugin_dir), _b(plugin), len(words), arr, ctypes.byref(res))
		if not self._h:
			raise Failed(res)
		self.opened_keys = tuple(keys)

	def run(self, operation, family, ip=None):
		res = Result()
		h = self._h
		if not h:
			raise RuntimeError("nfban: %s on a closed handle" % operation)
		# (ctypes passes res by reference: argtypes say POINTER(Result))
		op, fam, addr = _ENCODED.get(operation) or _b(operation), \
			_ENCODED.get(family) or _b(family), _b(ip)
		if self._try is not None and op in _TRIED and self._try(h, op, fam, addr, res) != NFBAN_BUSY:
			return res
		self._lib.nfban_jail_run(h, op, fam, addr, res)
		return res

	def _on_many(self, call, family, ips):
		"""libnfban's call (lib.end_sessions, lib.ban_many) on ips, one family."""
		res = Result()
		if not self._h:
			raise RuntimeError("nfban: a call on %d addresses on a closed handle" % len(ips))
		arr = (ctypes.c_char_p * len(ips))(*[_b(ip) for ip in ips])
		call(self._h, _b(family), len(ips), arr, ctypes.byref(res))
		return res

	def end_sessions(self, family, ips):
		"""nfban_jail_end_sessions of ips (at most NFBAN_SESSIONS_MAX), one family."""
		return self._on_many(self._lib.end_sessions, family, ips)

	def ban_many(self, family, ips):
		"""nfban_jail_ban_many of ips (at most NFBAN_BANS_MAX), one family."""
		return self._on_many(self._lib.ban_many, family, ips)

	def close(self):
		h, self._h = self._h, None
		if h:
			self._lib.nfban_jail_close(h)

	__del__ = close


NFBAN_SESSIONS_MAX = 256
_KILL_JAIL = "kill_sessions=jail"


def _keeping_sessions(keys):
	"""keys with kill_sessions=none: for the handles whose bans end no sessions themselves."""
	return tuple("kill_sessions=none" if k.startswith("kill_sessions=") else k for k in keys)


class _AddressThread(object):
	"""A thread of an action that takes the addresses handed to it (add) in batches of one
	family, the oldest first, at most MAX a batch: the SessionEnder's walks, the BanGrouper's
	commits.  The thread is woken only where it waits (a busy thread finds what was handed
	meanwhile when it looks again): a wakeup takes the interpreter's lock from the thread
	that hands, ban() in Fail2ban's burst.  With LINGER, a batch waits for more until MAX
	addresses of one family are pending or LINGER seconds have passed since the thread saw
	the first.  A subclass sets its own state before this __init__ (the thread starts in it),
	and says what a batch is (_next, with _wait and _take; _work)."""

	MAX = 256
	LINGER = 0.0
	WHAT = ""
	_IDLE, _WANTS_ANY, _WANTS_MAX = 0, 1, 2   # _waiting: what wakes the waiting thread

	def __init__(self, action):
		self._action = action
		self._cv = threading.Condition()
		# family: {ip: (order, data)}, in the order handed (a handed again goes last)
		self._pending = dict((f, {}) for f in FAMILIES)
		self._seq = 0
		self._waiting = self._IDLE
		self._stopping = False
		self._thread = threading.Thread(target=self._loop, name="f2b/nfban-%s-%s" %
		                                (self.WHAT, action._jail_name()))
		self._thread.daemon = True
		self._thread.start()

	def add(self, family, ip, data=None):
		with self._cv:
			if self._stopping:
				return
			pend = self._pending[family]
			pend.pop(ip, None)
			self._seq += 1
			pend[ip] = (self._seq, data)
			if self._waiting == self._WANTS_ANY or \
					(self._waiting == self._WANTS_MAX and len(pend) >= self.MAX):
				self._cv.notify_all()

	def _wait(self, more=lambda: False):
		"""Under the condition: until something is pending (or more()), then LINGER; False to
		end."""
		while True:
			self._waiting = self._WANTS_ANY
			while not self._stopping and not any(self._pending.values()) and not more():
				self._cv.wait()
			end = time.monotonic() + self.LINGER
			self._waiting = self._WANTS_MAX
			while self.LINGER and not self._stopping and not more() and \
					max(len(p) for p in self._pending.values()) < self.MAX:
				left = end - time.monotonic()
				if left <= 0:
					break
				self._cv.wait(left)
			self._waiting = self._IDLE
			if self._stopping or any(self._pending.values()) or more():
				return not self._stopping

	def _take(self):
		"""Under the condition, something pending: (family, [(ip, data)]) of the next batch,
		taken from what is pending: of the family whose oldest was handed first."""
		fam = min((f for f in FAMILIES if self._pending[f]),
		          key=lambda f: next(iter(self._pending[f].values()))[0])
		pend = self._pending[fam]
		taken = [(ip, v[1]) for ip, v in itertools.islice(pend.items(), self.MAX)]
		for ip, _ in taken:
			del pend[ip]
		return fam, taken

	def _end_thread(self):
		"""Stopping: what is pending dropped, the thread told and (10 s at most) ended."""
		with self._cv:
			self._stopping = True
			self._pending = dict((f, {}) for f in FAMILIES)
			self._cv.notify_all()
		if self._thread is not threading.current_thread():
			self._thread.join(10)

	def _loop(self):
		while True:
			job = self._next()
			if job is None:
				return
			self._work(job)


class SessionEnder(_AddressThread):
	"""kill_sessions=jail for an action's live bans, in a thread of its own.  Ending a ban's
	sessions walks the whole connection tracking table (the kernel visits every hash bucket:
	milliseconds with the default 262,144, whatever the table holds), so a burst of N bans
	that each ended their own would pay N walks: the bans run on handles opened with
	kill_sessions=none, each banned address is handed here, and the thread ends the sessions
	of every address handed since its last walk in one walk (nfban_jail_end_sessions, on
	handles with the jail's own kill_sessions=jail).  A walk waits for MAX addresses, LINGER
	at most: it costs the same whatever it ends, and a thread that walked as soon as it could
	would walk every few bans of a burst and take the interpreter's lock from ban() each time
	(measured through Fail2ban, 20,000 bans: 3,060 walks of 6.5 addresses, the burst 1.87x
	Fail2ban's floor, 1.36x without the walks).  A ban's sessions end within LINGER and a walk
	after the ban is in the kernel (the BanGrouper hands a group's addresses here once its commit
	is done; a ban not grouped is in the kernel when ban() returns).  An unban takes its
	address back; a flush or stop, every address of the family."""

	MAX = NFBAN_SESSIONS_MAX
	LINGER = 0.05
	WHAT = "sessions"

	def __init__(self, action, keys):
		self._keys = keys                     # family: the jail's keys (kill_sessions=jail)
		self._handles = {}                    # family: Handle, opened at its first address
		self._busy = False                    # a walk taken from _pending and not yet done
		_AddressThread.__init__(self, action)

	def discard(self, family, ip):
		with self._cv:
			self._pending[family].pop(ip, None)

	def clear(self, family):
		with self._cv:
			self._pending[family] = {}

	def idle(self):
		"""Nothing handed and not yet ended (for tests)."""
		with self._cv:
			return not any(self._pending.values()) and not self._busy

	def stop(self):
		"""The thread ended (what is pending is dropped: the bans go with the jail), then the
		handles closed; a walk still running after 10 s keeps its handle (never closed under
		it)."""
		self._end_thread()
		if not self._thread.is_alive():
			for h in set(self._handles.values()):
				h.close()
			self._handles = {}

	def _next(self):
		"""The family and addresses of the next walk, or None to end."""
		with self._cv:
			if not self._wait():
				return None
			fam, taken = self._take()
			self._busy = True
			return fam, [ip for ip, _ in taken]

	def _work(self, job):
		name = self._action._jail_name()
		fam, ips = job
		try:
			h = self._handles.get(fam)
			if h is None:
				h = self._handles[fam] = Handle(self._action._lib, self._action._plugin_dir,
				                                self._action._plugin, self._keys[fam])
			res = h.end_sessions(fam, ips)
			if res.status != NFBAN_DONE:
				logSys.error("[%s] nfban: %s", name, res.text("message"))
			elif res.notice:
				logSys.info("[%s] nfban: %s", name, res.text("notice"))
		except Exception as e:    # the thread must go on: say it, and take the next walk
			logSys.error("[%s] nfban: ending the sessions of %d banned addresses: %s",
			             name, len(ips), e)
		finally:
			with self._cv:
				self._busy = False


NFBAN_BANS_MAX = 256


class BanGrouper(_AddressThread):
	"""The live and restored bans of a started family, in a thread of their own, a kernel call per
	group.  Each iptables commit costs what the table holds (libiptc replaces the whole table;
	nf_tables validates every rule a base chain reaches: milliseconds at 20,000 bans), so a
	burst of N bans that each committed alone would pay N times a cost that grows with N; in a
	set (nftables, ipset) a ban costs the same at any size, but its call and message (4 us) are
	most of what ban() costs, in the thread Fail2ban bans in.  ban() hands its address here and
	returns; the thread bans every address handed since its last commit in one call
	(nfban_jail_ban_many, on the action's own handle): while a commit runs, the next group
	gathers.  A set's commit (one message) is over too soon for that: a group waits
	SET_LINGER for more (a thread that committed every few bans of a burst would take the
	interpreter's lock from ban() each time, as the SessionEnder's walks did).  A group the
	plain path refuses (an error, the rules absent, a fallback) changed nothing: its addresses
	are banned one by one then, as ban() would, under the action's lock, with its check and
	repair, and a failure logged (ban() has returned).  A ban is in the kernel within a commit
	after ban() returns.  An unban takes its address back first (waiting for a commit that holds
	it); a flush, every address of the family; a stop, every address.  add()'s data: whether the
	ban's sessions are handed to the SessionEnder once it is in the kernel."""

	MAX = NFBAN_BANS_MAX
	WHAT = "bans"
	SET_LINGER = 0.005        # the plugins of a set: all but the iptables rule plugins

	def __init__(self, action):
		self._flight = None       # (family, ips) of the commit running now
		self._retry = []          # [(family, ip, ends sessions)] of a refused group
		self._alone = False       # one of them taken from _retry and not yet banned
		self.LINGER = 0.0 if action._plugin in _IPT_PLUGINS else self.SET_LINGER
		_AddressThread.__init__(self, action)

	def _wait_flight(self, family, ip=None):
		while self._flight is not None and self._flight[0] == family and \
				(ip is None or ip in self._flight[1]):
			self._cv.wait()

	def take_back(self, family, ip):
		"""Before an unban: ip neither pending nor in a commit."""
		with self._cv:
			self._wait_flight(family, ip)     # (a refused one puts it into _retry)
			self._pending[family].pop(ip, None)
			self._retry = [r for r in self._retry if r[:2] != (family, ip)]

	def clear(self, family):
		"""Before a flush: nothing of family pending nor in a commit."""
		with self._cv:
			self._wait_flight(family)
			self._pending[family] = {}
			self._retry = [r for r in self._retry if r[0] != family]

	def holds(self, family, ip):
		"""Is ip handed and not yet banned (or refused)?"""
		with self._cv:
			return ip in self._pending[family] or any(r[:2] == (family, ip) for r in self._retry) \
				or (self._flight is not None and self._flight[0] == family and ip in self._flight[1])

	def idle(self):
		"""Nothing handed and not yet banned (for tests)."""
		with self._cv:
			return not any(self._pending.values()) and self._flight is None and not self._retry \
				and not self._alone

	def stop(self):
		"""What is pending dropped (the bans go with the jail), the commit running let end, the
		thread ended."""
		with self._cv:
			self._retry = []
		self._end_thread()
		with self._cv:
			while self._flight is not None:
				self._cv.wait()

	def _next(self):
		"""The next commit, (family, ips, those whose sessions end after), or "retry" (a refused
		group's bans), or None to end."""
		with self._cv:
			if not self._wait(lambda: self._retry):
				return None
			if self._retry:
				return "retry"
			fam, taken = self._take()
			self._flight = (fam, frozenset(ip for ip, _ in taken))
			return fam, [ip for ip, _ in taken], [ip for ip, ends in taken if ends]

	def _work(self, job):
		if job == "retry":
			self._one_by_one()
			return
		name = self._action._jail_name()
		fam, ips, ends = job
		res = None
		try:
			res = self._action._handles[fam].ban_many(fam, ips)
		except Exception as e:    # the thread must go on: its bans one by one then
			logSys.error("[%s] nfban: banning %d addresses at once: %s", name, len(ips), e)
		done = res is not None and res.status == NFBAN_DONE
		if done:
			if res.notice:
				logSys.info("[%s] nfban: %s", name, res.text("notice"))
			# (handed before the commit is over: nothing is between the two threads then)
			ender = self._action._ender
			if ender is not None:
				for ip in ends:
					ender.add(fam, ip)
		with self._cv:
			self._flight = None
			if not done:
				self._retry.extend((fam, ip, ip in ends) for ip in ips)
			self._cv.notify_all()

	def _one_by_one(self):
		"""A refused group's bans, each as ban() runs it, under the action's lock (given up
		when the grouper stops)."""
		a = self._action
		while not a._lock.acquire(timeout=0.05):
			with self._cv:
				if self._stopping:
					return
		try:
			while True:
				with self._cv:
					self._alone = False
					if self._stopping or not self._retry:
						return
					fam, ip, ends = self._retry.pop(0)
					self._alone = True
				if not a._started.get(fam, 0) & 1:
					continue          # stopped meanwhile: the ban went with the jail
				try:
					a._process("ban", fam, ip)
					a._banned(fam, ip)    # (again: a repair on the way stopped the family)
					if ends and a._ender is not None:
						a._ender.add(fam, ip)
				except Exception as e:
					a._bans.get(fam, set()).discard(ip)
					logSys.error("[%s] nfban: ban %s: %s", a._jail_name(), ip, e)
		finally:
			a._lock.release()


def passed_keys(table):
	"""The keys of a plugin's table (plugin_keys) an action passes to libnfban, in order, as
	its .conf passes them to the shim: name, the plugin's own (but those it takes and does not
	use), then libnfban's of _HOST_PASSED that the plugin gives a value."""
	return [k for k in table if k.type != "unused" and (not k.host or k.name == "name" or
	        (k.name in _HOST_PASSED and k.default["inet4"]))]


# ------------------------------------------------------------------ restore (the watcher)
# While a jail runs, another program may remove its rules: `nft flush ruleset`, `nft -f` of a
# file that begins with `flush ruleset` (systemctl reload nftables), iptables-restore of a
# ruleset saved without the jail (netfilter-persistent), `iptables -F`.  Fail2ban notices none
# of it (it checks only after a failed operation).  A Watcher, one thread per action, notices
# within a second and puts back the rules and every ban the action holds:
#   - nf_tables: a netlink socket in the ruleset's notification group (NFNLGRP_NFTABLES): a
#     deletion anywhere (table, chain, rule, set, element) is followed, once the burst of
#     notifications has settled, by the action's `check` of every started family; a socket
#     filter leaves the notifications of bans (this action's own: two per ban) in the kernel;
#   - the legacy iptables tables send no notifications: while they exist in the namespace, an
#     iptables action looks four times a second at the size of each filter table (one
#     getsockopt, IPT_SO_GET_INFO: no copy of the rules) and checks when it changed;
#   - check sees the jail's table, chain, set and jumps; for the iptables plugins, bans gone
#     from an intact chain (`iptables -F f2b-<name>`) are found by a probe (one ban banned
#     again: "already banned" while it is there), run when more of the chain's rules were
#     deleted (nf_tables) or the table shrank more (legacy) than this process unbanned;
#   - a family whose check finds its rules absent is started again and every ban of it banned
#     again: start+ban of the first (one transaction), then one ban each (the plugin ABI has
#     no multi-ban operation), all under the action's lock, so Fail2ban's own calls wait;
#   - logged once per restore, at WARNING; a removal repeated more than BURST times within
#     WINDOW seconds backs off (doubling, up to MAX_BACKOFF) and says so;
#   - it never fights a deliberate stop: the action's stop() ends the watcher (and joins it)
#     before it removes anything, and only started families are ever checked.
# The watcher asks libnfban's `check`, which every plugin has: it covers any action.

NETLINK_NETFILTER = 12
NFNLGRP_NFTABLES = 7
NFNL_SUBSYS_NFTABLES = 10
# NFT_MSG_DELTABLE, DELCHAIN, DELRULE, DELSET, DELSETELEM (linux/netfilter/nf_tables.h)
_NFT_DELETIONS = frozenset((2, 5, 8, 11, 14))
_SO_ATTACH_FILTER = 26
_IPT_PLUGINS = frozenset(("multiport", "allports", "perport"))


def _attach_deletions_filter(sock):
	"""A socket filter on the notification socket: the kernel drops each notification that is
	one message and no deletion (a ban's NEWSETELEM or NEWRULE, every commit's NEWGEN), so
	that this process's own bans do not wake the watcher (a Python thread: the GIL, a select
	and three recv per ban); a buffer of several messages (nf_tables sends a transaction's
	notifications together) passes whole, for _drain to read.  False when it cannot be
	attached: then every notification is read, as before."""
	le = sys.byteorder == "little"
	ld_b, ld_w, ld_len, tax = 0x30, 0x20, 0x80, 0x07         # BPF_LD|BPF_B|ABS, W|ABS, W|LEN; TAX
	lsh, orx, jeq_k, jeq_x, ret = 0x64, 0x4c, 0x15, 0x1d, 0x06
	# X = nlmsg_len of the first message (host order; BPF_ABS loads are big-endian)
	prog = [(ld_b, 0, 0, 3), (lsh, 0, 0, 24), (tax, 0, 0, 0), (ld_b, 0, 0, 2), (lsh, 0, 0, 16),
	        (orx, 0, 0, 0), (tax, 0, 0, 0), (ld_b, 0, 0, 1), (lsh, 0, 0, 8), (orx, 0, 0, 0),
	        (tax, 0, 0, 0), (ld_b, 0, 0, 0), (orx, 0, 0, 0), (tax, 0, 0, 0)] if le else \
	       [(ld_w, 0, 0, 0), (tax, 0, 0, 0)]
	dels = sorted(_NFT_DELETIONS)
	n = len(dels)
	# accept is the last instruction; jump offsets count from the next one
	prog += [(ld_len, 0, 0, 0), (jeq_x, 0, n + 4, 0),            # several messages: accept
	         (ld_b, 0, 0, 5 if le else 4), (jeq_k, 0, n + 2, NFNL_SUBSYS_NFTABLES),
	         (ld_b, 0, 0, 4 if le else 5)]
	prog += [(jeq_k, n - i, 0, d) for i, d in enumerate(dels)]
	prog += [(ret, 0, 0, 0), (ret, 0, 0, 0xffffffff)]
	code = b"".join(struct.pack("=HBBI", *i) for i in prog)
	buf = ctypes.create_string_buffer(code, len(code))
	try:
		sock.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_FILTER,
		                struct.pack("@HP", len(prog), ctypes.addressof(buf)))
	except OSError:
		return False
	return True


_IPT_SO_GET_INFO = 64          # IPT_SO_GET_INFO and IP6T_SO_GET_INFO (linux/netfilter_ipv4/ip_tables.h)
_libc = ctypes.CDLL(None, use_errno=True)
_all_unbans = [0]              # every successful unban of this process (legacy: a table shrinks)


class _IptGetinfo(ctypes.Structure):
	"""struct ipt_getinfo / ip6t_getinfo."""
	_fields_ = [("name", ctypes.c_char * 32), ("valid_hooks", ctypes.c_uint),
	            ("hook_entry", ctypes.c_uint * 5), ("underflow", ctypes.c_uint * 5),
	            ("num_entries", ctypes.c_uint), ("size", ctypes.c_uint)]


class _LegacyTables(object):
	"""The size of the legacy filter tables that exist (reading never creates one)."""

	FAMILIES = ((4, "/proc/net/ip_tables_names", socket.AF_INET, socket.IPPROTO_IP),
	            (6, "/proc/net/ip6_tables_names", socket.AF_INET6, socket.IPPROTO_IPV6))

	def __init__(self):
		self._socks = {}

	def present(self):
		for _, names, _, _ in self.FAMILIES:
			try:
				with open(names) as f:
					if f.read().strip():
						return True
			except OSError:
				pass
		return False

	def sizes(self):
		"""{4|6: (rules, bytes)}; {} when no legacy filter table exists."""
		out = {}
		for fam, names, af, level in self.FAMILIES:
			try:
				with open(names) as f:
					if "filter" not in f.read().split():
						continue
				s = self._socks.get(fam)
				if s is None:
					s = self._socks[fam] = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_RAW)
			except OSError:
				continue
			info = _IptGetinfo(name=b"filter")
			size = ctypes.c_uint(ctypes.sizeof(info))
			if _libc.getsockopt(s.fileno(), level, _IPT_SO_GET_INFO, ctypes.byref(info),
			                    ctypes.byref(size)) == 0:
				out[fam] = (info.num_entries, info.size)
		return out

	def close(self):
		for s in self._socks.values():
			s.close()
		self._socks = {}


class Watcher(object):
	"""Restores an action's rules and bans when another program removed them (above)."""

	QUIET = 0.05          # a burst of notifications has settled after this much silence...
	SETTLE = 0.25         # ...or this long after its first
	POLL = 0.25           # legacy tables: look at their size this often
	# ... and check the jail this often whatever their size says: a removal of everything the
	# jail added (its jumps, bans and chain) leaves a table of the size it had before the jail,
	# which a look at sizes alone cannot tell from no change at all.
	LEGACY_CHECK = 1.0
	BURST, WINDOW = 3, 2.0  # a fourth restore within 2 s: removed again and again
	MAX_BACKOFF = 60.0

	def __init__(self, action):
		self._action = action
		self._stop = threading.Event()
		self._sock = None
		self._thread = None
		self._restores = []        # monotonic times of the restores within WINDOW
		self._backoff = 0.0
		self._not_before = 0.0
		self._pending = False      # a removal seen during a backoff: check when it ends
		self._due = False          # a backoff ended: restore, whatever the count
		self._ipt = action._plugin in _IPT_PLUGINS
		self._chain = ("f2b-%s" % action._handle_name()).encode()
		self._chain_deletions = 0  # rules deleted from f2b-<name> since the last check
		self._unbans = action._unbans
		self._legacy = _LegacyTables() if self._ipt else None
		self._sizes, self._all_unbans = None, _all_unbans[0]
		self._checked = time.monotonic()  # the last check (legacy tables: LEGACY_CHECK)

	def start(self):
		try:
			s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
			                  NETLINK_NETFILTER)
			_attach_deletions_filter(s)
			s.bind((0, 1 << (NFNLGRP_NFTABLES - 1)))
			s.setblocking(False)
			self._sock = s
		except OSError as e:
			logSys.info("[%s] nfban: no nf_tables notifications (%s): nf_tables removals "
			            "are not noticed", self._action._jail_name(), e)
		self._thread = threading.Thread(target=self._loop, name="nfban-watch-%s" %
		                                self._action._jail_name())
		self._thread.daemon = True
		self._thread.start()

	def stop(self):
		self._stop.set()
		t = self._thread
		if t is not None and t is not threading.current_thread():
			t.join(10)
		if self._sock is not None:
			self._sock.close()
			self._sock = None
		if self._legacy is not None:
			self._legacy.close()

	# ---------------------------------------------------------------- waiting

	def _rule_chain(self, data, off, length):
		"""NFTA_RULE_CHAIN of the DELRULE message at off."""
		a, end = off + 20, off + length         # nlmsghdr, nfgenmsg
		while a + 4 <= end:
			alen = int.from_bytes(data[a:a + 2], "little")
			if alen < 4:
				break
			if int.from_bytes(data[a + 2:a + 4], "little") & 0x3fff == 2:   # NFTA_RULE_CHAIN
				return data[a + 4:a + alen].rstrip(b"\0")
			a += (alen + 3) & ~3
		return None

	def _drain(self):
		"""Read every notification queued: True when one is a deletion (or some were lost)."""
		seen = False
		while True:
			try:
				data = self._sock.recv(65536)
			except BlockingIOError:
				return seen
			except OSError:          # ENOBUFS: notifications were lost; anything may be gone
				seen = True
				self._chain_deletions += 1 << 20
				continue
			off = 0
			while off + 16 <= len(data):
				length = int.from_bytes(data[off:off + 4], "little")
				mtype = int.from_bytes(data[off + 4:off + 6], "little")
				if length < 16:
					break
				if mtype >> 8 == NFNL_SUBSYS_NFTABLES and mtype & 0xff in _NFT_DELETIONS:
					seen = True
					if mtype & 0xff == 8 and self._ipt and \
							self._rule_chain(data, off, length) == self._chain:
						self._chain_deletions += 1
				off += (length + 3) & ~3

	def _wait(self, timeout):
		"""Until a deletion was notified and its burst settled (True) or timeout (False)."""
		if self._sock is None:
			self._stop.wait(timeout)
			return False
		end = time.monotonic() + timeout
		while not self._stop.is_set():
			left = end - time.monotonic()
			if left <= 0:
				return False
			r, _, _ = select.select([self._sock], [], [], min(left, 1.0))
			if r and self._drain():
				first = time.monotonic()
				while time.monotonic() - first < self.SETTLE:
					r, _, _ = select.select([self._sock], [], [], self.QUIET)
					if not r:
						break
					self._drain()
				return True
		return False

	def _legacy_changed(self):
		"""(changed, shrunk): a legacy filter table changed since the last look; it lost more
		rules than this process unbanned meanwhile."""
		sizes, unbans = self._legacy.sizes(), _all_unbans[0]
		old, self._sizes = self._sizes, sizes
		ours, self._all_unbans = unbans - self._all_unbans, unbans
		if old is None or sizes == old:       # the first look is the baseline
			return False, False
		return True, any(f in old and n[0] < old[f][0] - ours for f, n in sizes.items())

	def _loop(self):
		try:
			while not self._stop.is_set():
				legacy = self._legacy is not None and self._legacy.present()
				timeout = self.POLL if legacy else 5.0
				if self._pending:
					timeout = max(0.0, min(timeout, self._not_before - time.monotonic()))
				removed = self._wait(timeout)
				if self._stop.is_set():
					break
				changed, shrunk = self._legacy_changed() if legacy else (False, False)
				if legacy and time.monotonic() - self._checked >= self.LEGACY_CHECK:
					changed = True
				if removed or changed or self._pending:
					self._checked = time.monotonic()
					self._check(shrunk or self._chain_probe())
		except Exception as e:   # never take Fail2ban down; say why the watching ended
			logSys.error("[%s] nfban: the watcher of the jail's rules ended: %s",
			             self._action._jail_name(), e)

	def _chain_probe(self):
		"""More rules left f2b-<name> than this action unbanned since the last check."""
		unbans = self._action._unbans
		ours, self._unbans = unbans - self._unbans, unbans
		n, self._chain_deletions = self._chain_deletions, 0
		return n > ours

	# ---------------------------------------------------------------- checking and restoring

	def _locked(self):
		"""The action's lock, unless the watcher is stopped meanwhile (stop() may hold the
		lock while it joins this thread: reload)."""
		lock = self._action._lock
		while not self._stop.is_set():
			if lock.acquire(timeout=0.1):
				if self._stop.is_set():
					lock.release()
					return False
				return True
		return False

	def _check(self, probe):
		now = time.monotonic()
		if now < self._not_before:
			self._pending = True
			return
		self._pending = False
		if not self._locked():
			return
		try:
			absent = self._action._absent_families(probe or self._due)
			if not absent:
				return
			self._restores = [t for t in self._restores if now - t < self.WINDOW]
			if len(self._restores) >= self.BURST and not self._due:
				self._backoff = min(max(2.0, 2 * self._backoff), self.MAX_BACKOFF)
				self._not_before = now + self._backoff
				self._pending = self._due = True
				logSys.warning("[%s] nfban: the jail's rules were removed again (%d times within "
				               "%d s): backing off, restoring in %d s", self._action._jail_name(),
				               len(self._restores) + 1, self.WINDOW, self._backoff)
				return
			if not self._restores:
				self._backoff = 0.0
			self._due = False
			self._restores.append(now)
			self._action._restore(absent)
			# The restore changed the tables: the next look is a baseline, and the check after
			# the next wait sees whatever changed meanwhile.
			self._sizes, self._pending = None, True
		finally:
			self._action._lock.release()


# ------------------------------------------------------------------ the action

def plugin_dir_of(given):
	"""plugin_dir=, else $NFBAN_PLUGIN_DIR, else the installed directory."""
	for d in (given, os.environ.get("NFBAN_PLUGIN_DIR"), INSTALLED_PLUGIN_DIR):
		if d and not d.startswith("@"):
			return d
	raise RuntimeError("nfban: where is libnfban? give plugin_dir= or set NFBAN_PLUGIN_DIR "
	                   "(this action file was not installed by make install)")


class NfbanAction(ActionBase):
	"""A Fail2ban action running an nfban plugin in-process; subclassed per action file
	(ACTION: its name, which selects the plugin and the action's own keys in ACTIONS)."""

	ACTION = None

	def __init__(self, jail, actname, **kwargs):
		# Fail2ban calls Action(jail, name, **options): the second argument is the action's
		# name, so a `name` option (the .conf files' key, e.g. name=%(__name__)s-tcp in
		# jail.conf) arrives in kwargs.  Without one, the jail's name, as ActionReader gives.
		ActionBase.__init__(self, jail, actname)
		self._logSys = logSys
		self._lock = threading.RLock()
		self._started = {}    # family: 1 started, |2 holds bans (CommandAction's __started)
		self._bans = {}       # family: the addresses this action banned and did not unban
		self._watcher = None  # Watcher while a family is started
		self._unbans = 0      # successful unbans (the watcher tells its own deletions apart)
		self._rebans, self._reban = {}, False   # re-bans' handles (_rebanning)
		self._handles = {}    # family: Handle
		self._ender = None    # SessionEnder, from the first live ban that ends sessions apart
		self._grouper = None  # BanGrouper, from the first ban of a started iptables family
		self._broken = None   # why the options cannot work: raised by every operation
		self._cfg, self._keys, self._on_demand, self._repair_on_unban = None, {}, True, False
		try:
			self._configure(kwargs)
		except (RuntimeError, ValueError) as e:
			# An exception here would make Fail2ban refuse its whole configuration and exit,
			# every other jail with it; the .conf files fail that jail's operations only.
			# So do the same: say it now, and fail each operation with it.
			self._broken = e
			logSys.error("[%s] %s.py: %s", self._jail_name(), self.ACTION, e)

	# ---------------------------------------------------------------- configuration

	def _configure(self, kwargs):
		self._apply(self._parse(kwargs), None)

	def _parse(self, kwargs):
		"""The configuration that the action's options make; nothing opened yet."""
		plugin, (own, own6) = ACTIONS[self.ACTION]
		pd = kwargs.get("plugin_dir")
		plugin_dir = plugin_dir_of(None if pd is None or _UNRESOLVED.match(str(pd)) else str(pd))
		table = plugin_keys(plugin_dir, plugin)
		passed = passed_keys(table)
		known = {k.name for k in passed} | {k.name for k in table if k.type == "unused"}
		known |= set(own) | set(own6) | _COMMON
		opts = {}
		for k, v in kwargs.items():
			if v is None or _UNRESOLVED.match(str(v)):
				continue              # e.g. chain=<known/chain>: the default
			if k not in known:
				# The .conf files take any key silently (Fail2ban keeps it as an unused
				# property); say it at least.
				logSys.warning("[%s] %s.py: option %s=%r is not a key of this action: ignored",
				               self._jail_name(), self.ACTION, k, v)
				continue
			opts[k] = v if isinstance(v, bool) else str(v)
		opts.setdefault("name", self._jail_name())
		cfg = {
			"plugin": plugin,
			"plugin_dir": plugin_dir,
			"on_demand": _as_bool("actionstart_on_demand", opts.get("actionstart_on_demand", True)),
			"repair_on_unban": _as_bool("actionrepair_on_unban",
			                            opts.get("actionrepair_on_unban", False)),
			"keys": {},
		}
		# The keys per family: the jail's options over the action's own defaults over the
		# plugin's; [Init?family=inet6] values win over all for inet6 (as Fail2ban reads the
		# .conf); <key> replaced.
		for fam in FAMILIES:
			vals = {k.name: k.default[fam] for k in passed if k.default[fam] is not None}
			vals.update(own)
			vals.update((k, v) for k, v in opts.items() if k not in _COMMON)
			if fam == "inet6":
				vals.update(own6)
			cfg["keys"][fam] = tuple("%s=%s" % (k.name, self._subst(vals, vals[k.name]))
			                         for k in passed if k.name in vals and
			                         not (k.name in _PLUGIN_DEFAULT and
			                              not set(_PLUGIN_DEFAULT[k.name]) & set(opts)))
		return cfg

	def _apply(self, cfg, handles):
		"""Take cfg, with its handles (opened now when None)."""
		self._cfg = cfg
		self._plugin, self._plugin_dir = cfg["plugin"], cfg["plugin_dir"]
		self._on_demand, self._repair_on_unban = cfg["on_demand"], cfg["repair_on_unban"]
		self._keys = cfg["keys"]
		self._lib = library(self._plugin_dir)
		self._handles = handles if handles is not None else self._open(cfg)

	@staticmethod
	def _ends_apart(lib, keys):
		"""Are the sessions of live bans on keys ended apart (SessionEnder)?  Where libnfban
		has nfban_jail_end_sessions and the jail ends sessions (kill_sessions=jail)."""
		return getattr(lib, "end_sessions", None) is not None and _KILL_JAIL in keys

	def _open(self, cfg):
		"""One handle for both families, or one each when their keys differ; with
		kill_sessions=none where the live bans' sessions are ended apart (SessionEnder)."""
		lib = library(cfg["plugin_dir"])
		by_keys, handles = {}, {}
		for fam in FAMILIES:
			keys = cfg["keys"][fam]
			if self._ends_apart(lib, keys):
				keys = _keeping_sessions(keys)
			if keys not in by_keys:
				by_keys[keys] = Handle(lib, cfg["plugin_dir"], cfg["plugin"], keys)
			handles[fam] = by_keys[keys]
		return handles

	@staticmethod
	def _subst(vals, v, depth=0):
		if depth > 10 or "<" not in v:
			return v
		return _TAG.sub(lambda m: NfbanAction._subst(vals, vals[m.group(1)], depth + 1)
		                if m.group(1) in vals else m.group(0), v)

	def _stop_grouper(self):
		grouper, self._grouper = self._grouper, None
		if grouper is not None:
			grouper.stop()

	def _close_handles(self):
		self._stop_grouper()      # before the handles it bans on are closed
		ender, self._ender = self._ender, None
		if ender is not None:
			ender.stop()
		for h in set(self._handles.values()) | set(self._rebans.values()):
			h.close()
		self._handles, self._rebans = {}, {}

	def _ends_sessions(self, family):
		"""Does a ban now end its sessions apart (a live ban, SessionEnder)?  The SessionEnder
		is there once it does."""
		if self._reban or not self._ends_apart(self._lib, self._keys.get(family, ())):
			return False
		if self._ender is None:
			self._ender = SessionEnder(self, self._keys)
		return True

	def _sessions_after_ban(self, family, ip):
		"""A live ban done: its sessions handed to the SessionEnder, where they are ended apart."""
		if self._ends_sessions(family):
			self._ender.add(family, ip)

	def _bans_in_groups(self):
		"""Does this action ban a burst in groups (libnfban with nfban_jail_ban_many; every
		plugin of nfban's takes a group, NFBAN_PLUGIN_BANS, and libnfban answers busy for one
		that would not: its bans then go one by one)?"""
		return getattr(self._lib, "ban_many", None) is not None

	def _grouped(self, family, ip):
		"""Under the lock: the ban of ip handed to the BanGrouper, where bans are grouped (the
		family started)?"""
		if not self._bans_in_groups() or not self._started.get(family, 0) & 1 or \
				self._broken is not None:
			return False
		if not self._handles:
			self._handles = self._open(self._cfg)
		if self._grouper is None:
			self._grouper = BanGrouper(self)
		self._grouper.add(family, ip, self._ends_sessions(family))
		return True

	def _rebanning(self, on):
		"""Bans from now on (under the lock) are re-bans: the watcher's restores and the bans
		Fail2ban restores from its database at start.  They run on handles opened with
		kill_sessions=none: ending sessions costs a walk of the whole conntrack table per ban
		(every hash bucket: 14 ms with 262,144 here), which a restore of thousands of bans
		cannot pay, and the live bans of these addresses ended their sessions already."""
		self._reban = on
		if not on or self._rebans or self._broken is not None:
			return
		if not self._handles:
			self._handles = self._open(self._cfg)
		opened = {}
		for fam in FAMILIES:
			keys = _keeping_sessions(self._keys[fam])
			if keys == self._keys[fam] or keys == getattr(self._handles[fam], "opened_keys", None):
				self._rebans[fam] = self._handles[fam]
				continue
			if keys not in opened:
				opened[keys] = Handle(self._lib, self._plugin_dir, self._plugin, keys)
			self._rebans[fam] = opened[keys]

	def _jail_name(self):
		return getattr(self._jail, "name", None) or "default"

	def keys(self, family):
		"""The key=value texts the handle of family was opened with (for tests)."""
		return self._keys[family]

	# ---------------------------------------------------------------- one operation

	def _run(self, operation, family, ip=None):
		"""One libnfban call; its notice logged (fallback at WARNING); the result."""
		if self._broken is not None:
			raise self._broken
		if not self._handles:
			self._handles = self._open(self._cfg)    # used again after stop()
		h = self._rebans[family] if self._reban and operation in ("ban", "start+ban") else \
			self._handles[family]
		res = h.run(operation, family, ip)
		if logSys.isEnabledFor(logging.DEBUG):
			logSys.debug("[%s] %s.py: %s %s%s: %s (%s)", self._jail_name(), self.ACTION, operation,
			             family, " " + ip if ip else "", _STATUS.get(res.status, res.status),
			             res.text("plugin"))
		if res.notice:
			if res.fallback:
				logSys.warning("[%s] nfban: %s", self._jail_name(), res.text("notice"))
			else:
				logSys.info("[%s] nfban: %s", self._jail_name(), res.text("notice"))
		return res

	def _must(self, operation, family, ip=None):
		res = self._run(operation, family, ip)
		if res.status != NFBAN_DONE:
			raise Failed(res)

	# ---------------------------------------------------------------- restore (Watcher)

	def _banned(self, family, ip):
		"""A ban done (or handed to the BanGrouper): the family started and holding bans
		(CommandAction's __started |3), the address the action's, the watcher running."""
		self._started[family] = self._started.get(family, 0) | 3
		self._bans.setdefault(family, set()).add(ip)
		self._watch_begin()

	def _handle_name(self):
		"""The name= the handles were opened with (the chain is f2b-<name>)."""
		for kv in self._keys.get("inet4", ()):
			if kv.startswith("name="):
				return kv[5:]
		return self._jail_name()

	def _watch_begin(self):
		if self._watcher is None and self._broken is None:
			self._watcher = Watcher(self)
			self._watcher.start()

	def _watch_end(self):
		"""Before a stop: the watcher ended, so that nothing is restored behind it.  Called
		without the lock (the watcher may be waiting for it), or with it held (reload): the
		watcher gives up waiting once told to stop."""
		w, self._watcher = self._watcher, None
		if w is not None:
			w.stop()

	def _absent_families(self, probe):
		"""{family: why} for the started families whose rules are absent (check), or, for the
		iptables plugins, whose bans are: a probe bans one of them again, which they answer
		with "already banned" while it is there (`iptables -F f2b-<name>` leaves the chain
		and its jumps, which is all check looks at).  nftables answers an element already in
		the set with silence: its bans are not probed."""
		absent = {}
		for fam, v in list(self._started.items()):
			if not v & 1:
				continue
			res = self._run("check", fam)
			if res.status == NFBAN_RULES_ABSENT:
				absent[fam] = res.text("message")
				continue
			# (Not one the BanGrouper holds: it may not be in the kernel yet.)
			g = self._grouper
			ip = next((a for a in self._bans.get(fam, ()) if g is None or not g.holds(fam, a)), None)
			if not probe or res.status != NFBAN_DONE or ip is None or self._plugin not in _IPT_PLUGINS:
				continue
			res = self._handles[fam].run("ban", fam, ip)
			# (A jail taken over by a fallback answers as that plugin.)
			if res.status == NFBAN_DONE and res.text("plugin") in _IPT_PLUGINS and \
					"already banned" not in res.text("notice"):
				absent[fam] = "jail %s (%s): the ban of %s was gone" % (self._jail_name(), fam, ip)
		return absent

	def _restore(self, absent):
		"""Start each family of absent again and ban its bans again; one WARNING."""
		self._rebanning(True)
		try:
			self._restore_families(absent)
		finally:
			self._rebanning(False)

	def _restore_families(self, absent):
		t0 = time.monotonic()
		n, errors = 0, []
		for fam in sorted(absent):
			bans = sorted(self._bans.get(fam, ()))
			res = self._run("start+ban", fam, bans[0]) if bans else self._run("start", fam)
			if res.status != NFBAN_DONE:
				errors.append("%s: %s" % (fam, res.text("message")))
				continue
			n += 1 if bans else 0
			rest = bans[1:]
			# The iptables plugins: the rest in groups, a commit each (one by one if refused).
			while rest and self._bans_in_groups():
				group = rest[:NFBAN_BANS_MAX]
				if self._rebans[fam].ban_many(fam, group).status != NFBAN_DONE:
					break
				n += len(group)
				rest = rest[len(group):]
			for ip in rest:
				res = self._run("ban", fam, ip)
				if res.status == NFBAN_DONE:
					n += 1
				else:
					errors.append("%s: %s" % (fam, res.text("message")))
		ms = (time.monotonic() - t0) * 1000
		why = "; ".join(absent[f] for f in sorted(absent))
		logSys.warning("[%s] nfban: the jail's rules were removed by another program (nft flush "
		               "ruleset, iptables -F, a firewall reload?): %s; %d bans restored in %.0f ms%s",
		               self._jail_name(), why, n, ms,
		               "; not restored: " + "; ".join(errors) if errors else "")

	# ---------------------------------------------------------------- Fail2ban's semantics
	# Everything below follows CommandAction (fail2ban/server/action.py, 1.0.2) for an action
	# whose commands depend on the family, as the .conf files' do.

	@staticmethod
	def _family_of(aInfo):
		ip = aInfo["ip"]
		fam = getattr(ip, "familyStr", None)     # Fail2ban's IPAddr
		if fam is None:
			try:
				fam = aInfo.get("family")
			except Exception:
				fam = None
		# Fail2ban's IPAddr: str() is ntoa, which str() computes twice (1 us a ban).
		text = getattr(ip, "ntoa", None)
		if not isinstance(text, str):
			text = str(ip)
		if fam not in FAMILIES:
			fam = "inet6" if ":" in text else "inet4"
		return text, fam

	def _start(self, family, forceStart=False):
		# CommandAction._start(family): on demand, only a forced start runs.
		if self._on_demand and not forceStart:
			return True
		self._must("start", family)
		self._started[family] = 1
		self._watch_begin()
		return True

	def _stop(self, family):
		# CommandAction._stop(family)
		if family not in self._started:
			return True
		self._started[family] = 0
		self._bans.pop(family, None)
		self._must("stop", family)
		return True

	def start(self):
		"""Jail start: nothing when started on demand; else inet4 and (when Fail2ban allows
		IPv6) inet6."""
		if self._on_demand:
			return True
		with self._lock:
			errors = []
			for fam in ("inet4", "inet6") if _f2baction.allowed_ipv6() else ("inet4",):
				try:
					self._start(fam, forceStart=True)
				except Failed as e:
					errors.append(str(e))
			if errors:
				raise RuntimeError("; ".join(errors))
			return True

	def ban(self, aInfo):
		try:
			restored = bool(aInfo["restored"])
		except (KeyError, TypeError):
			restored = False
		if restored:
			with self._lock:
				self._rebanning(True)
				try:
					return self._ban(aInfo)
				finally:
					self._rebanning(False)
		return self._ban(aInfo)

	def _ban(self, aInfo):
		ip, family = self._family_of(aInfo)
		with self._lock:
			if self._on_demand and not self._started.get(family):
				# A family's first ban: start and ban in one kernel transaction (libnfban's
				# start+ban), so that nothing (Fail2ban killed in between, a refused ban)
				# can leave the family started and the address unbanned.  When it fails,
				# nothing of it was applied: CommandAction's way then, start and the ban
				# with its check and repair, which say what is wrong.
				if self._run("start+ban", family, ip).status == NFBAN_DONE:
					self._banned(family, ip)
					self._sessions_after_ban(family, ip)
					return True
				self._start(family, forceStart=True)
			elif self._grouped(family, ip):
				self._banned(family, ip)
				return True
			self._process("ban", family, ip)
			self._banned(family, ip)
			self._sessions_after_ban(family, ip)
		return True

	def reban(self, aInfo):
		return self.ban(aInfo)

	def unban(self, aInfo):
		ip, family = self._family_of(aInfo)
		with self._lock:
			# A family that holds no ban (never started, or flushed) has nothing to unban.
			if self._ender is not None:
				self._ender.discard(family, ip)
			if self._grouper is not None:
				self._grouper.take_back(family, ip)
			if self._started.get(family, 0) & 2:
				self._process("unban", family, ip)
				self._unbans += 1
				_all_unbans[0] += 1
			self._bans.get(family, set()).discard(ip)
		return True

	def flush(self):
		"""Every ban of every family that holds some, at once (Fail2ban runs it at jail stop,
		before stop(), instead of one unban per ban)."""
		with self._lock:
			errors = []
			for fam in [f for f, v in self._started.items() if v & 3 == 3]:
				try:
					if self._ender is not None:
						self._ender.clear(fam)
					if self._grouper is not None:
						self._grouper.clear(fam)
					self._must("flush", fam)
					self._started[fam] &= ~2
					self._bans.pop(fam, None)
				except Failed as e:
					errors.append(str(e))
			if errors:
				raise RuntimeError("; ".join(errors))
			return True

	def stop(self):
		"""Jail stop: for every started family, flush (if it still holds bans) then stop;
		then the handles are closed.  The watcher ends first: a stopped jail is not restored."""
		self._watch_end()
		with self._lock:
			self._watch_end()     # one a concurrent ban started meanwhile
			self._stop_grouper()  # its pending bans go with the jail
			errors = []
			started, self._started = self._started, {}
			self._bans = {}
			for fam, v in started.items():
				if not v:
					continue
				try:
					if v & 2:
						self._must("flush", fam)
					self._must("stop", fam)
				except Failed as e:
					errors.append(str(e))
			self._close_handles()
			if errors:
				raise RuntimeError("; ".join(errors))
			return True

	def reload(self, **kwargs):
		"""`fail2ban-client reload`: the same options keep everything.  Other options: the new
		handles are opened first (options that cannot work are logged and leave the action as
		it was), the started families are stopped as the old options say, and the jail's
		current bans are banned again as the new ones say."""
		with self._lock:
			try:
				cfg = self._parse(kwargs)
				old = self._cfg
				if old is not None and all(cfg[k] == old[k] for k in
				                           ("plugin", "plugin_dir", "on_demand", "keys")):
					self._cfg, self._repair_on_unban = cfg, cfg["repair_on_unban"]
					return
				handles = self._open(cfg)
			except (RuntimeError, ValueError) as e:
				logSys.error("[%s] %s.py: reload: %s (the action keeps its options)",
				             self._jail_name(), self.ACTION, e)
				return
			if old is not None:
				try:
					self.stop()
				except RuntimeError as e:
					logSys.error("[%s] reload: %s", self._jail_name(), e)
			self._apply(cfg, handles)
			self._broken = None
			self.start()
			try:
				bans = list(self._jail.actions.banManager.getBanList())
			except AttributeError:
				bans = []
			for ip in bans:
				try:
					self.ban({"ip": ip})
				except RuntimeError as e:
					logSys.error("[%s] reload: ban %s: %s", self._jail_name(), ip, e)

	def clearAllParams(self):
		"""Fail2ban keeps an action across a reload only if it has this (and reload)."""

	# Fail2ban's repair (CommandAction._processCmd, _invariantCheck, consistencyCheck): after
	# a failed operation, run actioncheck for the family; if it finds the rules missing, stop
	# and start the family (the bans of that family are gone then, as with the .conf files and
	# stock: Fail2ban re-bans an address when it shows up again, through the ban epoch), check
	# again, and retry the operation once.

	def _process(self, operation, family, ip):
		res = self._run(operation, family, ip)
		if res.status == NFBAN_DONE:
			return
		if res.status == NFBAN_BAD_INPUT:
			# Bad input (a network for an nft set, ...): the kernel was not touched, and
			# CommandAction's check and identical retry would fail the same way.
			raise Failed(res)
		before = self._unban_before_repair if operation == "unban" else None
		if self._invariant_check(family, before, forceStart=(operation != "unban")) != 1:
			raise Failed(res)
		res2 = self._run(operation, family, ip)
		if res2.status != NFBAN_DONE:
			raise Failed(res2)

	def _unban_before_repair(self):
		if not self._repair_on_unban:
			self._logSys.error("Invariant check failed. Unban is impossible.")
			return False
		return True

	def _invariant_check(self, family, beforeRepair=None, forceStart=True):
		if not forceStart and family not in self._started:
			return 1
		if self._run("check", family).status == NFBAN_DONE:
			return 1
		if beforeRepair and not beforeRepair():
			return -1
		self._logSys.error("Invariant check failed. Trying to restore a sane environment")
		self.invalidateBanEpoch()
		try:
			self._stop(family)
		except RuntimeError:
			pass
		self._start(family, forceStart=forceStart or not self._on_demand)
		if self._started.get(family) and self._run("check", family).status != NFBAN_DONE:
			self._logSys.critical("Unable to restore environment")
			return 0
		return 1

	def consistencyCheck(self, beforeRepair=None):
		"""Fail2ban runs it when an address shows up again long after its ban, or a flush
		failed: check (and repair) every started family."""
		ret = True
		with self._lock:
			for family, started in list(self._started.items()):
				if started and not self._invariant_check(family, beforeRepair):
					self._started[family] = 0
					ret = False
		return ret

	@property
	def banEpoch(self):
		return getattr(self, "_banEpoch", 0)

	def invalidateBanEpoch(self):
		"""After a repair: tickets banned before it are banned again when they show up."""
		if self._jail is not None and hasattr(getattr(self._jail, "actions", None), "banEpoch"):
			self._banEpoch = self._jail.actions.banEpoch = self._jail.actions.banEpoch + 1
		else:
			self._banEpoch = self.banEpoch + 1


def action_class(action):
	"""The Action class of an action file (nfban-multiport, ...)."""
	if action not in ACTIONS:
		raise RuntimeError("nfban: no in-process action %r (known: %s)"
		                   % (action, ", ".join(sorted(ACTIONS))))
	return type("NfbanAction_" + action.replace("-", "_"), (NfbanAction,), {"ACTION": action})
