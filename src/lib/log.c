// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - see log.h. */
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

void log_announce(const char *jail, enum nfban_family fam, const char *line)
{
	/* No openlog(): the identity is the host's (the nfban command's is
	 * "nfban"); in another host the line says whose it is. */
	const char *who = strcmp(program_invocation_short_name, "nfban") == 0 ? "" : "nfban: ";

	syslog(LOG_DAEMON | LOG_WARNING, "%s%s", who, line);
	if (access("/dev/log", F_OK) != 0)
		state_note(jail, fam, line);
}
