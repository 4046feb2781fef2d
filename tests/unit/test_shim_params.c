/*
 * test_shim_params.c - every key the shim takes, good and bad values.
 * No root, no kernel: parsing alone.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "../../src/shim/params.h"

static const struct shim_dialect xt_ports = { NFBAN_DIALECT_XT, NFBAN_USES_PORTS, "perport,nftables" };
static const struct shim_dialect xt_noports = { NFBAN_DIALECT_XT, 0, "nftables" };
static const struct shim_dialect nft = { NFBAN_DIALECT_NFT, NFBAN_USES_PORTS, "" };

static struct shim_request req;
static char err[SHIM_ERR_MAX];

/* Parse a NULL-terminated list of arguments. */
static int parse(const struct shim_dialect *d, enum shim_op op, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, op);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	err[0] = '\0';
	return shim_parse(d, op, argc, argv, &req, err, sizeof(err));
}

/* The error is one line and names the key and the value. */
static void assert_error(const char *key_value)
{
	assert_non_null(strstr(err, key_value));
	assert_null(strchr(err, '\n'));
}

static void test_defaults_xt(void **state)
{
	const struct nfban_params *p = &req.params;

	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, NULL), 0);
	assert_string_equal(p->name, "default");
	assert_int_equal(p->family, NFBAN_INET4);
	assert_int_equal(p->n_protos, 1);
	assert_int_equal(p->protos[0].number, IPPROTO_TCP);
	assert_string_equal(p->protos[0].name, "tcp");
	assert_int_equal(p->protos[0].n_ports, 1);
	assert_int_equal(p->protos[0].ports[0].first, 22);
	assert_int_equal(p->protos[0].ports[0].last, 22);
	assert_string_equal(p->xt.chain, "INPUT");
	assert_int_equal(p->xt.block.kind, NFBAN_XT_REJECT);
	assert_int_equal(p->xt.block.reject_with, IPT_ICMP_PORT_UNREACHABLE);
	assert_int_equal(p->xt.ret.kind, NFBAN_XT_RETURN);
	assert_false(p->has_addr);
	assert_int_equal(req.n_fallback, 2);
	assert_string_equal(req.fallback[0], "perport");
	assert_string_equal(req.fallback[1], "nftables");
}

static void test_defaults_inet6_blocktype(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "family=inet6", NULL), 0);
	assert_int_equal(req.params.family, NFBAN_INET6);
	assert_int_equal(req.params.xt.block.reject_with, IP6T_ICMP6_PORT_UNREACH);
}

static void test_defaults_nft(void **state)
{
	const struct nfban_nft_params *t = &req.params.nft;

	(void)state;
	assert_int_equal(parse(&nft, SHIM_OP_START, NULL), 0);
	assert_int_equal(t->type, NFBAN_NFT_MULTIPORT);
	assert_string_equal(t->table, "f2b-table");
	assert_int_equal(t->table_family, NFPROTO_INET);
	assert_string_equal(t->chain, "f2b-chain");
	assert_string_equal(t->chain_type, "filter");
	assert_int_equal(t->chain_hook, NF_INET_LOCAL_IN);
	assert_int_equal(t->chain_priority, -1);
	assert_int_equal(t->block.kind, NFBAN_NFT_REJECT);
	assert_int_equal(t->block.reject_type, NFBAN_NFT_REJECT_DEFAULT);
	assert_int_equal(req.n_fallback, 0);
}

static void test_name(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "name=nginx-http_auth.2", NULL), 0);
	assert_string_equal(req.params.name, "nginx-http_auth.2");
	/* f2b- plus 24 characters is iptables' 28. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "name=abcdefghijklmnopqrstuvwx", NULL), 0);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "name=abcdefghijklmnopqrstuvwxy", NULL), -1);
	assert_error("name='abcdefghijklmnopqrstuvwxy'");
	/* nftables set names have room for it. */
	assert_int_equal(parse(&nft, SHIM_OP_START, "name=abcdefghijklmnopqrstuvwxy", NULL), 0);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "name=", NULL), -1);
	assert_error("name=''");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "name=a b", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "name=x;rm", NULL), -1);
	assert_error("name='x;rm'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "name=a/b", NULL), -1);
}

static void test_ports(void **state)
{
	const struct nfban_proto *pr = &req.params.protos[0];

	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=ssh,http, https ,8000:8080,0,65535", NULL), 0);
	assert_int_equal(pr->n_ports, 6);
	assert_int_equal(pr->ports[0].first, 22);
	assert_int_equal(pr->ports[1].first, 80);
	assert_int_equal(pr->ports[2].first, 443);
	assert_int_equal(pr->ports[3].first, 8000);
	assert_int_equal(pr->ports[3].last, 8080);
	assert_int_equal(pr->ports[4].first, 0);
	assert_int_equal(pr->ports[5].last, 65535);
	/* Ranges from names, and iptables' open-ended shorthands. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=ftp-data:ftp,:100,1000:", NULL), 0);
	assert_int_equal(pr->ports[0].first, 20);
	assert_int_equal(pr->ports[0].last, 21);
	assert_int_equal(pr->ports[1].first, 0);
	assert_int_equal(pr->ports[1].last, 100);
	assert_int_equal(pr->ports[2].first, 1000);
	assert_int_equal(pr->ports[2].last, 65535);

	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=65536", NULL), -1);
	assert_error("port='65536'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=90:80", NULL), -1);
	assert_error("runs backwards");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=nosuchservice", NULL), -1);
	assert_error("port='nosuchservice'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=22,,23", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=1:2:3", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=-1", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=22a", NULL), -1);
}

static void test_ports_per_protocol(void **state)
{
	(void)state;
	/* domain is 53 for both; names resolve per protocol. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=domain", "protocol=tcp,udp", NULL), 0);
	assert_int_equal(req.params.n_protos, 2);
	assert_int_equal(req.params.protos[1].number, IPPROTO_UDP);
	assert_int_equal(req.params.protos[1].ports[0].first, 53);
	/* ssh exists for tcp only in /etc/services: iptables refuses it for udp too. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=ssh", "protocol=tcp,udp", NULL), -1);
	assert_error("for udp");
}

static void test_too_many_ports(void **state)
{
	char arg[NFBAN_MAX_PORTS * 8 + 16] = "port=";

	(void)state;
	for (int i = 0; i < NFBAN_MAX_PORTS; i++)
		sprintf(arg + strlen(arg), "%s%d", i ? "," : "", 1000 + i);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, arg, NULL), 0);
	assert_int_equal(req.params.protos[0].n_ports, NFBAN_MAX_PORTS);
	strcat(arg, ",9999");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, arg, NULL), -1);
}

static void test_protocols(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "protocol=udp,sctp,dccp,6", "port=1", NULL), 0);
	assert_int_equal(req.params.n_protos, 4);
	assert_int_equal(req.params.protos[0].number, IPPROTO_UDP);
	assert_int_equal(req.params.protos[1].number, IPPROTO_SCTP);
	assert_int_equal(req.params.protos[2].number, IPPROTO_DCCP);
	assert_string_equal(req.params.protos[3].name, "tcp");
	/* Port-using plugins need protocols with ports. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "protocol=icmp", NULL), -1);
	assert_error("protocol='icmp'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "protocol=all", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "protocol=tcp,tcp", NULL), -1);
	assert_error("given twice");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "protocol=bogus", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "protocol=", NULL), -1);
	/* allports takes any protocol, and all; port= is accepted and ignored. */
	assert_int_equal(parse(&xt_noports, SHIM_OP_START, "protocol=icmp,all", "port=whatever-it-is", NULL), 0);
	assert_int_equal(req.params.protos[0].number, IPPROTO_ICMP);
	assert_int_equal(req.params.protos[1].number, 0);
	assert_int_equal(req.params.protos[0].n_ports, 0);
	assert_int_equal(parse(&nft, SHIM_OP_START, "type=allports", "protocol=tcp,udp,icmp", NULL), 0);
	assert_int_equal(req.params.nft.type, NFBAN_NFT_ALLPORTS);
}

static void test_ip(void **state)
{
	const struct nfban_addr *a = &req.params.addr;
	char txt[64];

	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=192.0.2.7", NULL), 0);
	assert_true(req.params.has_addr);
	assert_int_equal(a->family, NFBAN_INET4);
	assert_int_equal(a->prefix, 32);
	assert_int_equal(ntohl(a->u.v4.s_addr), 0xc0000207);
	/* Host bits are cleared, like iptables does. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=192.0.2.77/24", NULL), 0);
	shim_addr_str(a, txt, sizeof(txt));
	assert_string_equal(txt, "192.0.2.0/24");
	/* The address decides the family when family= is absent. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_UNBAN, "ip=2001:db8::1:2/112", NULL), 0);
	assert_int_equal(req.params.family, NFBAN_INET6);
	assert_int_equal(req.params.xt.block.reject_with, IP6T_ICMP6_PORT_UNREACH);
	shim_addr_str(a, txt, sizeof(txt));
	assert_string_equal(txt, "2001:db8::1:0/112");
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=2001:db8::1", "family=inet6", NULL), 0);
	assert_int_equal(a->prefix, 128);

	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, NULL), -1);
	assert_error("ip=''");
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=1.2.3", NULL), -1);
	assert_error("ip='1.2.3'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=1.2.3.4/33", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=1.2.3.4/", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=::1/129", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=1.2.3.4; reboot", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=example.org", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=::1", "family=inet4", NULL), -1);
	assert_error("ip='::1'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_BAN, "ip=10.0.0.1", "family=inet6", NULL), -1);
	/* Other operations do not use it. */
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "ip=10.0.0.1", NULL), 0);
	assert_false(req.params.has_addr);
}

static void test_family(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "family=inet4", NULL), 0);
	assert_int_equal(req.params.family, NFBAN_INET4);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "family=ipv6", NULL), -1);
	assert_error("family='ipv6'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "family=", NULL), -1);
}

static void test_chain(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "chain=DOCKER-USER", NULL), 0);
	assert_string_equal(req.params.xt.chain, "DOCKER-USER");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "chain=", NULL), -1);
	assert_error("chain=''");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "chain=-j", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "chain=A B", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "chain=abcdefghijklmnopqrstuvwxyz123", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain=my_chain", NULL), 0);
	assert_string_equal(req.params.nft.chain, "my_chain");
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain=1abc", NULL), -1);
}

static void test_blocktype_xt(void **state)
{
	const struct nfban_xt_verdict *b = &req.params.xt.block;

	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=DROP", NULL), 0);
	assert_int_equal(b->kind, NFBAN_XT_DROP);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=REJECT", NULL), 0);
	assert_int_equal(b->kind, NFBAN_XT_REJECT);
	assert_int_equal(b->reject_with, IPT_ICMP_PORT_UNREACHABLE);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=REJECT --reject-with icmp-host-prohibited", NULL), 0);
	assert_int_equal(b->reject_with, IPT_ICMP_HOST_PROHIBITED);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=REJECT --reject-with=admin-prohib", NULL), 0);
	assert_int_equal(b->reject_with, IPT_ICMP_ADMIN_PROHIBITED);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=REJECT  --reject-with\ttcp-reset", NULL), 0);
	assert_int_equal(b->reject_with, IPT_TCP_RESET);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "family=inet6", "blocktype=REJECT --reject-with icmp6-adm-prohibited", NULL), 0);
	assert_int_equal(b->reject_with, IP6T_ICMP6_ADM_PROHIBITED);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "family=inet6", "blocktype=REJECT --reject-with tcp-reset", NULL), 0);
	assert_int_equal(b->reject_with, IP6T_TCP_RESET);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=f2b-blackhole", NULL), 0);
	assert_int_equal(b->kind, NFBAN_XT_JUMP);
	assert_string_equal(b->chain, "f2b-blackhole");

	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=REJECT --reject-with icmp6-port-unreachable", NULL), -1);
	assert_error("blocktype='REJECT --reject-with icmp6-port-unreachable'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "family=inet6", "blocktype=REJECT --reject-with icmp-port-unreachable", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=REJECT --reject-with bogus", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=REJECT --reject-with", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=LOG --log-prefix x", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "blocktype=", NULL), -1);
	/* tcp-reset only where every rule is tcp (the kernel refuses it otherwise). */
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "protocol=tcp,udp", "port=53",
			       "blocktype=REJECT --reject-with tcp-reset", NULL), -1);
	assert_error("tcp-reset");
	assert_int_equal(parse(&xt_noports, SHIM_OP_START, "protocol=all",
			       "blocktype=REJECT --reject-with tcp-reset", NULL), -1);
}

static void test_returntype(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "returntype=ACCEPT", NULL), 0);
	assert_int_equal(req.params.xt.ret.kind, NFBAN_XT_ACCEPT);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "returntype=DROP", NULL), 0);
	assert_int_equal(req.params.xt.ret.kind, NFBAN_XT_DROP);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "returntype=RETURN now", NULL), -1);
	assert_error("returntype='RETURN now'");
	assert_int_equal(parse(&nft, SHIM_OP_START, "returntype=RETURN", NULL), -1);
	assert_error("unknown key");
}

static void test_backend(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, NULL), 0);
	assert_int_equal(req.params.xt.backend, NFBAN_XT_BACKEND_AUTO);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "backend=legacy", NULL), 0);
	assert_int_equal(req.params.xt.backend, NFBAN_XT_BACKEND_LEGACY);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "backend=nft", NULL), 0);
	assert_int_equal(req.params.xt.backend, NFBAN_XT_BACKEND_NFT);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "backend=auto", NULL), 0);
	assert_int_equal(req.params.xt.backend, NFBAN_XT_BACKEND_AUTO);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "backend=nftables", NULL), -1);
	assert_error("backend='nftables': not auto, legacy or nft");
	assert_int_equal(parse(&nft, SHIM_OP_START, "backend=nft", NULL), -1);
	assert_error("unknown key");
}

static void test_fallback(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "fallback=", NULL), 0);
	assert_int_equal(req.n_fallback, 0);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "fallback=nftables", NULL), 0);
	assert_int_equal(req.n_fallback, 1);
	assert_string_equal(req.fallback[0], "nftables");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "fallback=perport, nftables", NULL), 0);
	assert_int_equal(req.n_fallback, 2);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "fallback=../evil", NULL), -1);
	assert_error("fallback='../evil'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "fallback=a,,b", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "fallback=a,b,c,d,e", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "fallback=perport", NULL), -1);
}

static void test_nft_keys(void **state)
{
	const struct nfban_nft_params *t = &req.params.nft;

	(void)state;
	assert_int_equal(parse(&nft, SHIM_OP_START, "table=fail2ban", "table_family=ip", "chain_type=filter",
			       "chain_hook=forward", "chain_priority=filter - 5", NULL), 0);
	assert_string_equal(t->table, "fail2ban");
	assert_int_equal(t->table_family, NFPROTO_IPV4);
	assert_int_equal(t->chain_hook, NF_INET_FORWARD);
	assert_int_equal(t->chain_priority, -5);
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain_priority=raw", NULL), 0);
	assert_int_equal(t->chain_priority, -300);
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain_priority=+10", NULL), 0);
	assert_int_equal(t->chain_priority, 10);
	assert_int_equal(parse(&nft, SHIM_OP_START, "family=inet6", "table_family=ip6", NULL), 0);
	assert_int_equal(t->table_family, NFPROTO_IPV6);

	assert_int_equal(parse(&nft, SHIM_OP_START, "type=oneport", NULL), -1);
	assert_error("type='oneport'");
	assert_int_equal(parse(&nft, SHIM_OP_START, "table_family=bridge", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "family=inet6", "table_family=ip", NULL), -1);
	assert_error("table_family='ip'");
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain_type=mangle", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain_hook=ingress", NULL), -1);
	assert_error("chain_hook='ingress'");
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain_priority=high", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "chain_priority=1x", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "table=f2b table", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "table=", NULL), -1);
}

static void test_blocktype_nft(void **state)
{
	const struct nfban_nft_verdict *b = &req.params.nft.block;

	(void)state;
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=drop", NULL), 0);
	assert_int_equal(b->kind, NFBAN_NFT_DROP);
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=reject with icmp type host-prohibited", NULL), 0);
	assert_int_equal(b->reject_type, NFBAN_NFT_REJECT_ICMP);
	assert_int_equal(b->icmp_code, ICMP_HOST_ANO);
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=reject with icmp admin-prohibited", NULL), 0);
	assert_int_equal(b->icmp_code, ICMP_PKT_FILTERED);
	assert_int_equal(parse(&nft, SHIM_OP_START, "family=inet6", "blocktype=reject with icmpv6 type no-route", NULL), 0);
	assert_int_equal(b->reject_type, NFBAN_NFT_REJECT_ICMPV6);
	assert_int_equal(b->icmp_code, ICMPV6_NOROUTE);
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=reject with icmpx type admin-prohibited", NULL), 0);
	assert_int_equal(b->reject_type, NFBAN_NFT_REJECT_ICMPX);
	assert_int_equal(b->icmp_code, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=reject with tcp reset", NULL), 0);
	assert_int_equal(b->reject_type, NFBAN_NFT_REJECT_TCP_RESET);

	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=DROP", NULL), -1);
	assert_error("blocktype='DROP'");
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=reject with icmp type nope", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "family=inet6", "blocktype=reject with icmp type host-prohibited", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=reject with icmpv6 type no-route", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "protocol=udp", "port=53", "blocktype=reject with tcp reset", NULL), -1);
	assert_int_equal(parse(&nft, SHIM_OP_START, "blocktype=accept", NULL), -1);
}

static void test_arguments(void **state)
{
	(void)state;
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "port=22", "port=23", NULL), -1);
	assert_error("port='23': key given twice");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "bogus=1", NULL), -1);
	assert_error("bogus='1'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "portssh", NULL), -1);
	assert_error("'portssh'");
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "=x", NULL), -1);
	assert_int_equal(parse(&xt_ports, SHIM_OP_START, "table=f2b-table", NULL), -1);
	assert_error("unknown key");
}

static void test_ops_and_names(void **state)
{
	enum shim_op op;

	(void)state;
	assert_int_equal(shim_op_from_name("unban", &op), 0);
	assert_int_equal(op, SHIM_OP_UNBAN);
	assert_string_equal(shim_op_name(SHIM_OP_FLUSH), "flush");
	assert_int_equal(shim_op_from_name("restart", &op), -1);
	assert_true(shim_plugin_name_ok("multiport"));
	assert_false(shim_plugin_name_ok("../multiport"));
	assert_false(shim_plugin_name_ok("a/b"));
	assert_false(shim_plugin_name_ok(""));
	assert_false(shim_plugin_name_ok("Multiport"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_xt),
		cmocka_unit_test(test_defaults_inet6_blocktype),
		cmocka_unit_test(test_defaults_nft),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_ports_per_protocol),
		cmocka_unit_test(test_too_many_ports),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_blocktype_xt),
		cmocka_unit_test(test_returntype),
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_nft_keys),
		cmocka_unit_test(test_blocktype_nft),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_ops_and_names),
	};

	return cmocka_run_group_tests_name("shim_params", tests, NULL, NULL);
}
