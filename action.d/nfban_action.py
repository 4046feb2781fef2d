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
#   - errors raised with the line the `nfban` command prints ("nfban: <message>"), notices
#     logged at INFO, fallback announcements at WARNING (logger fail2ban.nfban).
# ctypes.CDLL releases the GIL during each call: a jail waiting for the xtables lock does not
# stop the others.  libnfban has a lock per handle and serialises the libiptc plugins across
# handles; this module has a lock per action for its own state (Fail2ban bans from the jail's
# thread and unbans from the client's).
#
# Where libnfban and the plugins are: the action's plugin_dir=, else $NFBAN_PLUGIN_DIR, else
# the directory `make install` writes here:
INSTALLED_PLUGIN_DIR = "@PLUGINDIR@"

import ctypes
import logging
import os
import re
import syslog
import threading

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
_HOST_PASSED = ("fallback",)

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

NFBAN_DONE, NFBAN_FAILED, NFBAN_BAD_INPUT, NFBAN_RULES_ABSENT = 0, 1, 2, 3
_STATUS = {0: "done", 1: "failed", 2: "bad input", 3: "rules absent"}


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
		res = Result()
		words = [_b(k) for k in keys]
		arr = (ctypes.c_char_p * len(words))(*words)
		self._h = lib.nfban_jail_open(_b(plugin_dir), _b(plugin), len(words), arr, ctypes.byref(res))
		if not self._h:
			raise Failed(res)

	def run(self, operation, family, ip=None):
		res = Result()
		if not self._h:
			raise RuntimeError("nfban: %s on a closed handle" % operation)
		self._lib.nfban_jail_run(self._h, _b(operation), _b(family), _b(ip), ctypes.byref(res))
		return res

	def close(self):
		h, self._h = self._h, None
		if h:
			self._lib.nfban_jail_close(h)

	__del__ = close


def passed_keys(table):
	"""The keys of a plugin's table (plugin_keys) an action passes to libnfban, in order, as
	its .conf passes them to the shim: name, the plugin's own (but those it takes and does not
	use), then libnfban's of _HOST_PASSED that the plugin gives a value."""
	return [k for k in table if k.type != "unused" and (not k.host or k.name == "name" or
	        (k.name in _HOST_PASSED and k.default["inet4"]))]


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
		self._handles = {}    # family: Handle
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

	def _open(self, cfg):
		"""One handle for both families, or one each when their keys differ."""
		lib = library(cfg["plugin_dir"])
		by_keys, handles = {}, {}
		for fam in FAMILIES:
			keys = cfg["keys"][fam]
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

	def _close_handles(self):
		for h in set(self._handles.values()):
			h.close()
		self._handles = {}

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
		res = self._handles[family].run(operation, family, ip)
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
		if fam not in FAMILIES:
			fam = "inet6" if ":" in str(ip) else "inet4"
		return str(ip), fam

	def _start(self, family, forceStart=False):
		# CommandAction._start(family): on demand, only a forced start runs.
		if self._on_demand and not forceStart:
			return True
		self._must("start", family)
		self._started[family] = 1
		return True

	def _stop(self, family):
		# CommandAction._stop(family)
		if family not in self._started:
			return True
		self._started[family] = 0
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
		ip, family = self._family_of(aInfo)
		with self._lock:
			if self._on_demand and not self._started.get(family):
				# A family's first ban: start and ban in one kernel transaction (libnfban's
				# start+ban), so that nothing (Fail2ban killed in between, a refused ban)
				# can leave the family started and the address unbanned.  When it fails,
				# nothing of it was applied: CommandAction's way then, start and the ban
				# with its check and repair, which say what is wrong.
				if self._run("start+ban", family, ip).status == NFBAN_DONE:
					self._started[family] = self._started.get(family, 0) | 3
					return True
				self._start(family, forceStart=True)
			self._process("ban", family, ip)
			self._started[family] = self._started.get(family, 0) | 3
		return True

	def reban(self, aInfo):
		return self.ban(aInfo)

	def unban(self, aInfo):
		ip, family = self._family_of(aInfo)
		with self._lock:
			# A family that holds no ban (never started, or flushed) has nothing to unban.
			if self._started.get(family, 0) & 2:
				self._process("unban", family, ip)
		return True

	def flush(self):
		"""Every ban of every family that holds some, at once (Fail2ban runs it at jail stop,
		before stop(), instead of one unban per ban)."""
		with self._lock:
			errors = []
			for fam in [f for f, v in self._started.items() if v & 3 == 3]:
				try:
					self._must("flush", fam)
					self._started[fam] &= ~2
				except Failed as e:
					errors.append(str(e))
			if errors:
				raise RuntimeError("; ".join(errors))
			return True

	def stop(self):
		"""Jail stop: for every started family, flush (if it still holds bans) then stop;
		then the handles are closed."""
		with self._lock:
			errors = []
			started, self._started = self._started, {}
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
