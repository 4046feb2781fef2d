// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_watch.c - src/nfnl/watch.c without root: the monitor reads
 * nf_tables notifications built here and written into a datagram socket
 * pair, as the kernel queues them (one datagram per skb), and must vouch
 * for a cache exactly when nobody else changed what it watches.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nfnl/watch.h"

#define SELF 4242u
#define OTHER 77u

struct pair {
	struct nft_mon m;
	int in;                         /* where the "kernel" writes */
	struct nft_watch set, chains;   /* the nftables plugin's and an iptables cache's */
};

static void open_pair(struct pair *p)
{
	int sv[2];
	static const char *const ipt[] = { "f2b-sshd", "INPUT", NULL };

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	nft_mon_init(&p->m);
	assert_int_equal(nft_mon_attach(&p->m, sv[0]), 0);
	p->in = sv[1];
	memset(&p->set, 0, sizeof(p->set));
	memset(&p->chains, 0, sizeof(p->chains));
	nft_watch_set(&p->set, NFPROTO_INET, "f2b-table", NULL);
	nft_watch_set(&p->chains, NFPROTO_IPV4, "filter", ipt);
	assert_true(p->set.on && p->chains.on);
	assert_true(nft_mon_add(&p->m, &p->set));
	assert_true(nft_mon_add(&p->m, &p->chains));
}

static void close_pair(struct pair *p)
{
	close(p->in);
	nft_mon_close(&p->m);
}

/* One notification in one datagram: type, family, table, chain (or NULL), by port id pid. */
static void note(struct pair *p, uint16_t type, uint8_t fam, const char *table, const char *chain,
		 uint32_t pid)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	nlh->nlmsg_pid = pid;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = fam;
	if (table)
		mnl_attr_put_strz(nlh, 1, table);
	if (chain)
		mnl_attr_put_strz(nlh, type == NFT_MSG_NEWRULE || type == NFT_MSG_DELRULE ?
				  NFTA_RULE_CHAIN : NFTA_CHAIN_NAME, chain);
	assert_int_equal(send(p->in, buf, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
}

static void gen(struct pair *p, uint32_t id, uint32_t pid)
{
	char buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
	nlh->nlmsg_pid = pid;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(id));
	assert_int_equal(send(p->in, buf, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
}

static uint32_t unchanged(struct pair *p, const struct nft_watch *w, uint32_t since)
{
	return nft_mon_unchanged(&p->m, SELF, w, since);
}

/* Our own commits, and others' set elements and other tables, leave a cache current. */
static void test_what_does_not_count(void **state)
{
	struct pair p;

	(void)state;
	open_pair(&p);
	assert_int_equal(unchanged(&p, &p.set, 10), 0);          /* nothing seen yet */
	note(&p, NFT_MSG_NEWRULE, NFPROTO_INET, "f2b-table", "f2b-chain", SELF);
	gen(&p, 10, SELF);                                         /* our start: the cache's gen */
	assert_int_equal(unchanged(&p, &p.set, 10), 10);
	note(&p, NFT_MSG_NEWSETELEM, NFPROTO_INET, "f2b-table", NULL, OTHER);
	gen(&p, 11, OTHER);                                        /* another jail's ban */
	note(&p, NFT_MSG_NEWRULE, NFPROTO_IPV4, "nat", "POSTROUTING", OTHER);
	gen(&p, 12, OTHER);                                        /* another table */
	note(&p, NFT_MSG_NEWRULE, NFPROTO_IPV4, "f2b-table", "f2b-chain", OTHER);
	gen(&p, 13, OTHER);                                        /* same name, other family */
	note(&p, NFT_MSG_NEWRULE, NFPROTO_IPV4, "filter", "FORWARD", OTHER);
	gen(&p, 14, OTHER);                                        /* a chain iptables' cache does not hold */
	assert_int_equal(unchanged(&p, &p.set, 10), 14);
	assert_int_equal(unchanged(&p, &p.chains, 10), 14);
	assert_int_equal(unchanged(&p, &p.set, 15), 0);           /* beyond what was seen */
	{
		struct nft_watch stray;                            /* not one of the monitor's */

		memset(&stray, 0, sizeof(stray));
		nft_watch_set(&stray, NFPROTO_INET, "f2b-table", NULL);
		assert_int_equal(unchanged(&p, &stray, 10), 0);
	}
	close_pair(&p);
}

/* Others' rules, chains, sets, tables in what a cache watches make it stale from then on. */
static void test_what_counts(void **state)
{
	struct pair p;

	(void)state;
	open_pair(&p);
	gen(&p, 20, SELF);
	note(&p, NFT_MSG_DELRULE, NFPROTO_INET, "f2b-table", "f2b-chain", OTHER);
	gen(&p, 21, OTHER);                                        /* nft flush chain */
	assert_int_equal(unchanged(&p, &p.set, 20), 0);
	assert_int_equal(unchanged(&p, &p.set, 21), 21);          /* a cache read at 21 is current */
	assert_int_equal(unchanged(&p, &p.chains, 20), 21);       /* not iptables' table */
	note(&p, NFT_MSG_NEWRULE, NFPROTO_IPV4, "filter", "f2b-sshd", OTHER);
	gen(&p, 22, OTHER);                                        /* iptables -I f2b-sshd */
	assert_int_equal(unchanged(&p, &p.chains, 21), 0);
	note(&p, NFT_MSG_DELTABLE, NFPROTO_IPV4, "filter", NULL, OTHER);
	gen(&p, 23, OTHER);                                        /* a reload */
	assert_int_equal(unchanged(&p, &p.chains, 22), 0);
	note(&p, NFT_MSG_DELSET, NFPROTO_INET, "f2b-table", NULL, OTHER);
	gen(&p, 24, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 23), 0);
	note(&p, NFT_MSG_NEWRULE, NFPROTO_INET, NULL, NULL, OTHER);
	gen(&p, 25, OTHER);                                        /* no table named: the worst */
	assert_int_equal(unchanged(&p, &p.set, 24), 0);
	assert_int_equal(unchanged(&p, &p.chains, 24), 0);
	/* Half a commit read (its generation still to come): nothing is vouched for. */
	note(&p, NFT_MSG_DELRULE, NFPROTO_INET, "f2b-table", "f2b-chain", OTHER);
	assert_int_equal(unchanged(&p, &p.set, 25), 0);
	gen(&p, 26, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 25), 0);
	assert_int_equal(unchanged(&p, &p.set, 26), 26);
	close_pair(&p);
}

/* A missing generation, or a datagram cut short, is a hole: only what comes after counts. */
static void test_holes(void **state)
{
	struct pair p;
	char big[NFT_MON_SLOT + 512];
	struct nlmsghdr *nlh = (struct nlmsghdr *)big;

	(void)state;
	open_pair(&p);
	gen(&p, 30, SELF);
	gen(&p, 32, OTHER);                                        /* 31 never came */
	assert_int_equal(unchanged(&p, &p.set, 30), 0);
	assert_int_equal(unchanged(&p, &p.set, 32), 32);
	memset(big, 0, sizeof(big));
	nlh->nlmsg_len = sizeof(big);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE;
	assert_int_equal(send(p.in, big, sizeof(big), 0), (ssize_t)sizeof(big));
	gen(&p, 33, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 32), 0);
	assert_int_equal(unchanged(&p, &p.set, 33), 33);
	/* Generations wrap: 0 is skipped. */
	close_pair(&p);
	open_pair(&p);
	gen(&p, UINT32_MAX, SELF);
	gen(&p, 1, OTHER);
	assert_int_equal(unchanged(&p, &p.set, UINT32_MAX), 1);
	close_pair(&p);
}

/* More queued datagrams than one recvmmsg takes (8) are all read (an AF_UNIX
 * pair queues at most net.unix.max_dgram_qlen, 10 by default: 9 here). */
static void test_many_queued(void **state)
{
	struct pair p;
	uint32_t g = 100;

	(void)state;
	open_pair(&p);
	gen(&p, g, SELF);
	for (int i = 0; i < 4; i++) {
		note(&p, NFT_MSG_NEWSETELEM, NFPROTO_INET, "f2b-table", NULL, OTHER);
		gen(&p, ++g, OTHER);
	}
	assert_int_equal(unchanged(&p, &p.set, 100), g);
	note(&p, NFT_MSG_NEWCHAIN, NFPROTO_IPV4, "filter", "INPUT", OTHER);
	gen(&p, ++g, OTHER);
	assert_int_equal(unchanged(&p, &p.chains, 100), 0);
	assert_int_equal(unchanged(&p, &p.set, 100), g);
	close_pair(&p);
}

/* With our own notifications dropped by the socket's filter, our accepted commits move the
 * stream on (nft_mon_committed), from the first one on when none was seen yet. */
static void test_own_filtered(void **state)
{
	struct pair p;
	char buf[64];

	(void)state;
	open_pair(&p);
	nft_mon_filter(&p.m, SELF);
	assert_int_equal(p.m.own, SELF);
	note(&p, NFT_MSG_NEWSETELEM, NFPROTO_INET, "f2b-table", NULL, SELF);
	gen(&p, 50, SELF);
	assert_int_equal(recv(p.m.fd, buf, sizeof(buf), MSG_DONTWAIT), -1);  /* dropped */
	assert_int_equal(unchanged(&p, &p.set, 50), 0);                    /* nothing seen */
	nft_mon_committed(&p.m, 50);
	assert_int_equal(unchanged(&p, &p.set, 51), 51);
	nft_mon_committed(&p.m, 51);
	assert_int_equal(unchanged(&p, &p.set, 52), 52);
	/* Others' elements: still current; others' rules in the table: not. */
	note(&p, NFT_MSG_NEWSETELEM, NFPROTO_INET, "f2b-table", NULL, OTHER);
	gen(&p, 53, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 52), 53);
	note(&p, NFT_MSG_NEWRULE, NFPROTO_INET, "f2b-table", "f2b-chain", OTHER);
	gen(&p, 54, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 53), 0);
	assert_int_equal(unchanged(&p, &p.set, 54), 54);
	/* A commit stamped with a generation the stream is not at moves nothing: the next
	 * NEWGEN seen is not one on, a hole. */
	nft_mon_committed(&p.m, 60);
	assert_int_equal(unchanged(&p, &p.set, 61), 0);
	gen(&p, 62, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 61), 0);
	assert_int_equal(unchanged(&p, &p.set, 62), 62);
	close_pair(&p);
	/* Without the filter, committed changes nothing: our own NEWGEN says it. */
	open_pair(&p);
	gen(&p, 70, SELF);
	nft_mon_committed(&p.m, 70);
	assert_int_equal(unchanged(&p, &p.set, 71), 0);
	gen(&p, 71, SELF);
	assert_int_equal(unchanged(&p, &p.set, 71), 71);
	close_pair(&p);
}

/* n messages of the given types in one datagram, by port id pid (a NEWRULE names f2b-table's
 * f2b-chain, others the table only); len_of, when not 0, is written as message `bad`'s length. */
static void datagram(struct pair *p, unsigned n, const uint16_t *types, uint32_t pid, int bad,
		     uint32_t len_of)
{
	static char buf[4096];
	size_t off = 0;

	memset(buf, 0, sizeof(buf));
	for (unsigned i = 0; i < n; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + off);
		struct nfgenmsg *g;

		nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | types[i];
		nlh->nlmsg_pid = pid;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->nfgen_family = NFPROTO_INET;
		mnl_attr_put_strz(nlh, 1, "f2b-table");
		if (types[i] == NFT_MSG_NEWRULE)
			mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "f2b-chain");
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if ((int)i == bad)
			nlh->nlmsg_len = len_of;
	}
	assert_int_equal(send(p->in, buf, off, 0), (ssize_t)off);
}

/* Whether the filter let the last datagram through (read and thrown away here). */
static bool queued(struct pair *p)
{
	char buf[4096];

	return recv(p->m.fd, buf, sizeof(buf), MSG_DONTWAIT) > 0;
}

/* The filter also drops others' datagrams of set elements only (their NEWGEN still comes);
 * anything else, more than 8 messages, or lengths that do not add up are queued whole. */
static void test_others_elements_filtered(void **state)
{
	uint16_t t[12];
	struct pair p;

	(void)state;
	for (unsigned i = 0; i < 12; i++)
		t[i] = i % 2 ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM;
	open_pair(&p);
	nft_mon_filter(&p.m, SELF);
	assert_int_equal(p.m.own, SELF);
	for (unsigned n = 1; n <= 8; n++) {
		datagram(&p, n, t, OTHER, -1, 0);
		assert_false(queued(&p));
	}
	datagram(&p, 9, t, OTHER, -1, 0);               /* beyond the walk: queued */
	assert_true(queued(&p));
	gen(&p, 5, OTHER);                              /* generations always come */
	assert_true(queued(&p));
	note(&p, NFT_MSG_NEWSET, NFPROTO_INET, "f2b-table", NULL, OTHER);
	assert_true(queued(&p));
	/* Elements, then something else: queued, and it counts. */
	t[3] = NFT_MSG_NEWRULE;
	datagram(&p, 4, t, OTHER, -1, 0);
	assert_true(queued(&p));
	t[3] = NFT_MSG_DELTABLE;
	datagram(&p, 4, t, OTHER, -1, 0);
	assert_true(queued(&p));
	t[3] = NFT_MSG_NEWSETELEM;
	/* Lengths that do not add up: queued whole, never dropped unread. */
	datagram(&p, 3, t, OTHER, 1, 8);                /* shorter than a header */
	assert_true(queued(&p));
	datagram(&p, 3, t, OTHER, 2, 4000);             /* past the datagram's end */
	assert_true(queued(&p));
	datagram(&p, 2, t, OTHER, 0, 0x10000 + 36);    /* a length over 64 KiB */
	assert_true(queued(&p));
	/* Through the monitor: a cache current at 10 stays so across others' bans, and a
	 * NEWRULE after elements in one datagram makes it stale. */
	gen(&p, 10, SELF);
	assert_int_equal(unchanged(&p, &p.set, 10), 0);         /* our own: dropped */
	nft_mon_committed(&p.m, 10);
	datagram(&p, 2, t, OTHER, -1, 0);
	gen(&p, 12, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 11), 12);
	t[1] = NFT_MSG_NEWRULE;
	datagram(&p, 2, t, OTHER, -1, 0);
	gen(&p, 13, OTHER);
	assert_int_equal(unchanged(&p, &p.set, 12), 0);
	assert_int_equal(unchanged(&p, &p.set, 13), 13);
	close_pair(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_what_does_not_count),
		cmocka_unit_test(test_what_counts),
		cmocka_unit_test(test_holes),
		cmocka_unit_test(test_many_queued),
		cmocka_unit_test(test_own_filtered),
		cmocka_unit_test(test_others_elements_filtered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
