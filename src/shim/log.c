/* log.c - see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"

__attribute__((format(printf, 1, 0)))
static void vsay(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "nfban: %s\n", line);
}

void shim_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void shim_announce(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	openlog("nfban", LOG_PID, LOG_DAEMON);
	vsyslog(LOG_WARNING, fmt, ap);
	closelog();
	va_end(ap);
}
