// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setmatch.c - `-m set --match-set <set> src` (see setmatch.h).
 *
 * libxt_set fills struct xt_set_info_match_v4 so: the set's index (asked of
 * the kernel by name with SO_IP_SET / IP_SET_OP_GET_FNAME, which also says
 * the set's family), dim 1, flags IPSET_DIM_ONE_SRC for `src`, both counter
 * matches IPSET_COUNTER_NONE, no match flags.  Revision 4 is the one
 * iptables 1.8.9 and 1.8.11 pick on Debian 12's and 13's kernels (both
 * backends: `nft --debug=netlink` shows `match name set rev 4`).  An index
 * stays its set's across `ipset swap` (the kernel swaps the sets' slots and
 * names together), so a jump outlives a set grown by swapping.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/xt_set.h>

#include "setmatch.h"

#define SET_MATCH_REVISION 4

int ipt_set_index(const char *name, uint16_t *index, unsigned *family)
{
	struct ip_set_req_get_set_family req;
	socklen_t len = sizeof(req);
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	int rc = 0;

	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.op = IP_SET_OP_GET_FNAME;
	req.version = IPSET_PROTOCOL;
	snprintf(req.set.name, sizeof(req.set.name), "%s", name);
	if (getsockopt(fd, SOL_IP, SO_IP_SET, &req, &len) < 0)
		rc = -errno;
	else if (req.set.index == IPSET_INVALID_ID)
		rc = -ENOENT;
	close(fd);
	*index = req.set.index;
	*family = req.family;
	return rc;
}

int ipt_match_set(struct ipt_ext *m, const char *name, enum nfban_family fam, char *why, size_t n)
{
	unsigned want = fam == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4, family;
	struct xt_set_info_match_v4 info;
	ip_set_id_t index;
	int rc = ipt_set_index(name, &index, &family);

	if (rc < 0) {
		snprintf(why, n, "looking up ipset %s", name);
		return rc;
	}
	if (family != want) {
		snprintf(why, n, "ipset %s is not of family %s", name, fam == NFBAN_INET6 ? "inet6" : "inet4");
		return -EINVAL;
	}
	memset(&info, 0, sizeof(info));
	info.match_set.index = index;
	info.match_set.dim = IPSET_DIM_ONE;
	info.match_set.flags = IPSET_DIM_ONE_SRC;
	info.packets.op = IPSET_COUNTER_NONE;
	info.bytes.op = IPSET_COUNTER_NONE;
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "set");
	m->revision = SET_MATCH_REVISION;
	m->size = sizeof(info);
	memcpy(m->data, &info, sizeof(info));
	return 0;
}
