// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipset_conf.c - the ipset plugins' keys, as their configure() takes
 * them (plugins/ipset/jail.c): stock iptables-ipset.conf's defaults, the set
 * names per family, the numbers ipsettime, default-ipsettime and maxelem
 * (what `ipset` itself takes: their key types' checks), the jump's blocktype.  The key table is the
 * plugin's own rows; values go through libnfban's type checks first
 * (keys.h).  No root, no kernel.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/ipset/jail.h"
#include "../../plugins/ipt/conf.h"
#include "keys.h"

static const struct nfban_key keys[] = {
	IPT_KEYS(IPT_KEY_PORT),
	IPSET_KEYS,
	{ NULL, 0, NULL, NULL, 0 }
};
static const struct ipt_kind kind = { .keys = keys, .jumps = NULL };

static struct ipj_jail jail;
static struct ipt_conf ipt;
static char err[NFBAN_MSG_MAX + 64];

static int configure(enum nfban_family fam, const char *name, ...)
{
	struct test_keys t;
	struct nfban_jail_keys k;
	struct nfban_report r;
	enum nfban_status st;
	void *j = NULL;
	va_list ap;
	int rc;

	err[0] = '\0';
	va_start(ap, name);
	rc = test_keys_fill(kind.keys, &t, ap);
	va_end(ap);
	if (rc < 0) {
		snprintf(err, sizeof(err), "%s", t.err);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	k.name = name;
	k.family = fam;
	k.values = t.values;
	st = ipj_configure(&kind, &k, &j, &r);
	if (st != NFBAN_OK) {
		assert_int_equal(st, NFBAN_BADPARAM);
		assert_null(j);
		snprintf(err, sizeof(err), "%s", r.reason);
		return -1;
	}
	assert_non_null(j);
	jail = *(struct ipj_jail *)j;
	ipt = *(struct ipt_conf *)jail.ipt;
	ipj_release(j);
	return 0;
}

#define assert_error(key_value) test_assert_refusal(err, key_value)

static void test_defaults_as_stock(void **state)
{
	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "sshd", NULL), 0);
	assert_string_equal(jail.spec.name, "f2b-sshd");
	assert_string_equal(ipt.match_set, "f2b-sshd");
	assert_int_equal(jail.spec.family, NFBAN_INET4);
	assert_int_equal(jail.ipsettime, 0);
	assert_int_equal(jail.spec.timeout, 0);
	assert_int_equal(jail.spec.maxelem, 65536);
	assert_string_equal(ipt.chain, "INPUT");
	assert_int_equal(ipt.block.kind, VALUE_XT_REJECT);
	/* Stock's <ipmset> for inet6. */
	assert_int_equal(configure(NFBAN_INET6, "sshd", NULL), 0);
	assert_string_equal(jail.spec.name, "f2b-sshd6");
	assert_string_equal(ipt.match_set, "f2b-sshd6");
	assert_int_equal(jail.spec.family, NFBAN_INET6);
	/* The longest name a chain f2b-<name> takes still makes a set name. */
	assert_int_equal(configure(NFBAN_INET6, "abcdefghijklmnopqrstuvwx", NULL), 0);
	assert_string_equal(jail.spec.name, "f2b-abcdefghijklmnopqrstuvwx6");
	assert_int_equal(configure(NFBAN_INET4, "abcdefghijklmnopqrstuvwxy", NULL), -1);
	assert_error("name=");
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "j", "ipsettime=2147483", "default-ipsettime=600",
				   "maxelem=4294967295", NULL), 0);
	assert_int_equal(jail.ipsettime, 2147483);
	assert_int_equal(jail.spec.timeout, 600);
	assert_int_equal(jail.spec.maxelem, UINT32_MAX);
	assert_int_equal(configure(NFBAN_INET4, "j", "ipsettime=0600", NULL), 0);
	assert_int_equal(jail.ipsettime, 600);
	assert_int_equal(configure(NFBAN_INET4, "j", "ipsettime=2147484", NULL), -1);
	assert_error("ipsettime='2147484': not a whole number of seconds from 0 to 2147483");
	assert_int_equal(configure(NFBAN_INET4, "j", "ipsettime=10m", NULL), -1);
	assert_error("ipsettime='10m'");
	assert_int_equal(configure(NFBAN_INET4, "j", "ipsettime=", NULL), -1);
	assert_error("ipsettime=''");
	assert_int_equal(configure(NFBAN_INET4, "j", "default-ipsettime=-1", NULL), -1);
	assert_error("default-ipsettime='-1'");
	assert_int_equal(configure(NFBAN_INET4, "j", "maxelem=0", NULL), -1);
	assert_error("maxelem='0': not a whole number from 1 to 4294967295");
	assert_int_equal(configure(NFBAN_INET4, "j", "maxelem=4294967296", NULL), -1);
	assert_error("maxelem='4294967296'");
	assert_int_equal(configure(NFBAN_INET4, "j", "maxelem=99999999999999999999", NULL), -1);
	assert_error("maxelem=");
}

static void test_blocktype(void **state)
{
	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=DROP", NULL), 0);
	assert_int_equal(ipt.block.kind, VALUE_XT_DROP);
	/* The jump ends in blocktype itself: a chain there would be another design. */
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=my-chain", NULL), -1);
	assert_error("blocktype='my-chain'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_as_stock),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_blocktype),
	};

	return cmocka_run_group_tests_name("ipset_conf", tests, NULL, NULL);
}
