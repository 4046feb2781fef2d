// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.h - which plugin a jail fell back to, per network namespace, jail and
 * family: $NFBAN_STATE_DIR (default /run/nfban)/<netns>/<jail>.<family>,
 * holding one plugin name.  <netns> is state_ns_key(): cookie-<N>, the
 * namespace's cookie, which the kernel never gives another namespace until
 * reboot (a namespace's inode is reused once it is gone, and a new namespace
 * would then find a dead one's state).
 *
 * It only remembers a fallback: no file means the jail runs on the plugin
 * Fail2ban named.  The file is never trusted blindly: the shim checks the
 * kernel holds the jail on that plugin before relying on it (fallback.c).
 * /run is emptied at boot, exactly when the kernel's tables are.
 */
#ifndef NFBAN_LIB_STATE_H
#define NFBAN_LIB_STATE_H

#include <stddef.h>
#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

/*
 * This network namespace's directory name: "cookie-<N>" from getsockopt
 * SO_NETNS_COOKIE (Linux 5.14), unique until reboot; on older kernels
 * "inode-<N>", the inode of /proc/self/ns/net.  0, or -1 (errno).  The
 * doctor reads the state under the same name.
 */
#define STATE_NS_KEY_MAX 32
int state_ns_key(char *buf, size_t n);
/* The base directory: $NFBAN_STATE_DIR, else /run/nfban (for messages). */
const char *state_base(void);
/* The state of namespace ns (state_ns_key's; NULL: the caller's now):
 * 1 and the plugin name in buf; 0 when there is no state (no file at its path: then the
 * directories are not looked at); -1 on error (errno: EPERM for a directory someone else
 * could write, EINVAL for a file not ours). */
int state_get(const char *ns, const char *jail, enum nfban_family fam, char *buf, size_t n);
int state_set(const char *jail, enum nfban_family fam, const char *plugin);
int state_clear(const char *jail, enum nfban_family fam);
/* Keep a fallback's announcement beside the jail's state (<state>.announced,
 * the latest one; state_clear removes it): where it goes when there is no
 * syslog socket.  nfban doctor shows it. */
int state_note(const char *jail, enum nfban_family fam, const char *line);

#pragma GCC visibility pop

#endif
