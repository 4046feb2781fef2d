# SPDX-License-Identifier: GPL-2.0-or-later
# Fail2Ban action, in-process: the nfban action of this file's name.
#
# nfban-multiport.py is this file; nfban-allports.py, nfban-perport.py, nfban-nftables.py,
# nfban-nftables-allports.py, nfban-ipset.py and nfban-ipset-allports.py are links to it in the
# source tree (make install and the package write each as a file of its own): each leaves in the kernel what the .conf file of its name does - the same keys, defaults and
# fallback - without a process per operation: Fail2ban loads it, and it runs nfban's plugin
# through libnfban in Fail2ban's own process (one handle per jail; nfban_action.py, next to
# this file, does the work).
#
# Use it in jail.local (the file name with .py):
#   [DEFAULT]
#   banaction = nfban-multiport.py
# or in a jail:
#   action = nfban-multiport.py[port="ssh,2222", protocol=tcp, blocktype=DROP]
#
# Keys, defaults and meanings: those of the .conf file of the same name (the plugin's, as
# `nfban --help` and nfban(8) list them); besides them:
#   plugin_dir             where libnfban.so and the plugins are (else $NFBAN_PLUGIN_DIR, else
#                          the directory make install wrote into nfban_action.py)
#   actionstart_on_demand  false: start both families with the jail (default true: the first
#                          IPv4 ban starts inet4, the first IPv6 ban inet6)
# name defaults to the jail's name, as for the .conf; a value Fail2ban left unresolved, such as
# chain=<known/chain> from jail.conf's action_, means the default.

import importlib.util as _util, os as _os, sys as _sys


def _common(name="nfban_action"):
	"""nfban_action.py of this directory, loaded once per process."""
	path = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), name + ".py")
	mod = _sys.modules.get(name)
	if getattr(mod, "__file__", None) != path:
		spec = _util.spec_from_file_location(name, path)
		mod = _util.module_from_spec(spec)
		spec.loader.exec_module(mod)
		_sys.modules[name] = mod
	return mod


# Fail2ban loads the file by its path (__file__): its name says which action it is.
Action = _common().action_class(_os.path.splitext(_os.path.basename(__file__))[0])
