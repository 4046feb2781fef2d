/*
 * services.h - port names from /etc/services, read directly.
 *
 * getservbyname() goes through NSS, and Debian's nsswitch.conf lists
 * `services: db files`: without libnss_db installed, every process probes
 * some forty library paths for it before reading /etc/services, which costs
 * each ban more than the ban itself.  So nfban reads /etc/services (the
 * `files` source) first and asks getservbyname() only for a name the file
 * does not have (a db or NIS source).
 */
#ifndef NFBAN_VALUES_SERVICES_H
#define NFBAN_VALUES_SERVICES_H

#include <stdint.h>

#pragma GCC visibility push(hidden)

/* 1 and *port (host order) when `path` maps name (or an alias) for proto (NULL:
 * the first entry of any protocol); 0 when not; -1 when unreadable. */
int value_services_lookup(const char *path, const char *name, const char *proto, uint16_t *port);

#pragma GCC visibility pop

#endif
