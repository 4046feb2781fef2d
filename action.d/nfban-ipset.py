# SPDX-License-Identifier: GPL-2.0-or-later
# Fail2Ban action, in-process: nfban ipset
#
# The same kernel state, keys, defaults and fallback as action.d/nfban-ipset.conf, without a
# process per operation: Fail2ban loads this file, which runs nfban's plugin through libnfban
# in Fail2ban's own process (one handle per jail; see nfban_action.py, next to this file).
#
# Use it in jail.local (the file name with .py):
#   [DEFAULT]
#   banaction = nfban-ipset.py
# or in a jail:
#   action = nfban-ipset.py[port="ssh,2222", ipsettime=3600]
#
# Keys, defaults and meanings: those of nfban-ipset.conf: chain, name, port, protocol,
# blocktype, returntype, ipsettime, default-ipsettime, maxelem, fallback;
# besides them:
#   plugin_dir             where libnfban.so and the plugins are (else $NFBAN_PLUGIN_DIR, else
#                          the directory make install wrote into nfban_action.py)
#   actionstart_on_demand  false: start both families with the jail (default true: the first
#                          IPv4 ban starts inet4, the first IPv6 ban inet6)
# name defaults to the jail's name, as for the .conf; a value Fail2ban left unresolved, such as
# chain=<known/chain> from jail.conf's action_, means the default.

import importlib.util as _util, os as _os, sys as _sys


def _common():
	"""nfban_action.py of this directory, loaded once per process."""
	path = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "nfban_action.py")
	mod = _sys.modules.get("nfban_action")
	if mod is None or getattr(mod, "__file__", None) != path:
		spec = _util.spec_from_file_location("nfban_action", path)
		mod = _util.module_from_spec(spec)
		spec.loader.exec_module(mod)
		_sys.modules["nfban_action"] = mod
	return mod


Action = _common().action_class("nfban-ipset")
