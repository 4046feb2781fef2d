/*
 * log.h - the shim's only way to speak: one line on stderr, prefixed "nfban: ",
 * and, for events an administrator must learn of even when Fail2ban's log is
 * not read (a fallback), the same line to syslog.
 */
#ifndef NFBAN_SHIM_LOG_H
#define NFBAN_SHIM_LOG_H

void shim_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void shim_announce(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
