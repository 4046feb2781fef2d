/*
 * test_values_services.c - the direct /etc/services reader gives what
 * getservbyname() gives, for every name and alias of the real file, for
 * tcp, udp, sctp and dccp, and for any protocol (proto NULL).
 */
#include <netinet/in.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "services.h"

static void test_agrees_with_getservbyname(void **state)
{
	static const char *const protos[] = { "tcp", "udp", "sctp", "dccp" };
	struct servent *se;
	unsigned checked = 0, checked_any = 0;

	(void)state;
	setservent(1);
	while ((se = getservent()) != NULL) {
		const char *names[64];
		unsigned n = 0;

		names[n++] = se->s_name;
		for (char **a = se->s_aliases; *a && n < 64; a++)
			names[n++] = *a;
		for (unsigned i = 0; i < n; i++)
			for (size_t p = 0; p < sizeof(protos) / sizeof(protos[0]); p++) {
				struct servent *want = getservbyname(names[i], protos[p]);
				uint16_t port = 0;
				int got = value_services_lookup("/etc/services", names[i], protos[p], &port);

				if (!want) {
					assert_int_equal(got, 0);
					continue;
				}
				assert_int_equal(got, 1);
				assert_int_equal(port, ntohs((uint16_t)want->s_port));
				checked++;
			}
		/* Without a protocol: the first entry of the name, whatever its protocol. */
		for (unsigned i = 0; i < n; i++) {
			struct servent *want = getservbyname(names[i], NULL);
			uint16_t port = 0;

			assert_non_null(want);
			assert_int_equal(value_services_lookup("/etc/services", names[i], NULL, &port), 1);
			assert_int_equal(port, ntohs((uint16_t)want->s_port));
			checked_any++;
		}
	}
	endservent();
	assert_true(checked > 100);
	assert_true(checked_any > 100);
}

static void test_format(void **state)
{
	char path[] = "/tmp/nfban-services-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	uint16_t port = 0;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# comment ssh 1/tcp\n"
	      "\n"
	      "web\t8080/tcp\twww-alt  webby # alt web\n"
	      "web 8081/udp\n"
	      "bad 99999/tcp\n"
	      "broken tcp\n"
	      "commented 7/tcp # not-an-alias\n"
	      "split 6000/udp chopped\n"
	      "split 6001/tcp\n"
	      "bad 100/dccp\n", f);
	fclose(f);
	assert_int_equal(value_services_lookup(path, "web", "tcp", &port), 1);
	assert_int_equal(port, 8080);
	assert_int_equal(value_services_lookup(path, "webby", "tcp", &port), 1);
	assert_int_equal(port, 8080);
	assert_int_equal(value_services_lookup(path, "web", "udp", &port), 1);
	assert_int_equal(port, 8081);
	assert_int_equal(value_services_lookup(path, "web", "sctp", &port), 0);
	assert_int_equal(value_services_lookup(path, "ssh", "tcp", &port), 0);
	assert_int_equal(value_services_lookup(path, "bad", "tcp", &port), 0);
	assert_int_equal(value_services_lookup(path, "broken", "tcp", &port), 0);
	assert_int_equal(value_services_lookup(path, "not-an-alias", "tcp", &port), 0);
	/* proto NULL: the first well-formed entry of the name or an alias, any protocol. */
	assert_int_equal(value_services_lookup(path, "split", NULL, &port), 1);
	assert_int_equal(port, 6000);
	assert_int_equal(value_services_lookup(path, "split", "tcp", &port), 1);
	assert_int_equal(port, 6001);
	assert_int_equal(value_services_lookup(path, "chopped", NULL, &port), 1);
	assert_int_equal(port, 6000);
	assert_int_equal(value_services_lookup(path, "webby", NULL, &port), 1);
	assert_int_equal(port, 8080);
	assert_int_equal(value_services_lookup(path, "bad", NULL, &port), 1);
	assert_int_equal(port, 100);
	assert_int_equal(value_services_lookup(path, "broken", NULL, &port), 0);
	assert_int_equal(value_services_lookup(path, "ssh", NULL, &port), 0);
	assert_int_equal(value_services_lookup(path, "not-an-alias", NULL, &port), 0);
	unlink(path);
	assert_int_equal(value_services_lookup(path, "web", "tcp", &port), -1);
	assert_int_equal(value_services_lookup(path, "web", NULL, &port), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_with_getservbyname),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests_name("values_services", tests, NULL, NULL);
}
