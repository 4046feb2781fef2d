// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * services.h - service names to port numbers, as nft resolves them.
 *
 * nft (its inet_service type) and iptables' udp and dccp matches ask
 * getaddrinfo(NULL, name, NULL) and take its first answer; glibc's is the
 * name's port for the first of tcp, udp, dccp, udplite and sctp that lists
 * it, whatever the protocol of the rule: `udp dport ssh` and `-p udp --dport
 * ssh` are port 22 although /etc/services lists ssh for tcp only, and a name
 * listed as 1/tcp and 2/udp is 1 in `udp dport` too.  iptables' tcp match
 * looks the name up for tcp only, which gives the same port wherever it
 * succeeds.  (iptables' multiport and sctp matches look a name up for their
 * protocol only, and refuse one not listed for it.)  nfban resolves every
 * name that way, once for all protocols, so every plugin - and a fallback
 * to another - bans the same ports.
 *
 * getservbyname() goes through NSS, and Debian's nsswitch.conf lists
 * `services: db files`: without libnss_db installed, every process probes
 * some forty library paths for it before reading /etc/services, which costs
 * each ban more than the ban itself.  So nfban reads /etc/services (the
 * `files` source) first and asks getservbyname_r() only for a name the file
 * does not have for any of those protocols (a db or NIS source).
 */
#ifndef NFBAN_VALUES_SERVICES_H
#define NFBAN_VALUES_SERVICES_H

#include <stdint.h>

#pragma GCC visibility push(hidden)

/*
 * 1 and *port (host order) when the services(5) file `path` lists name (or
 * an alias) for one of the protocols above: the first protocol in that order
 * that has it, and for that protocol the first line, as getservbyname()
 * reads the file.  0 when the file does not list it; -1 when unreadable.
 */
int value_services_lookup(const char *path, const char *name, uint16_t *port);

/* 0 and *port (host order) for a service name, from /etc/services, else
 * from NSS in the same order of protocols; -1 when no source knows it. */
int value_service_port(const char *name, uint16_t *port);

#pragma GCC visibility pop

#endif
