// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_values_services.c - a service name is the port nft gives it: the direct
 * /etc/services reader agrees with getaddrinfo(NULL, name, NULL) - what nft
 * and iptables' udp match ask - for every name and alias of the real file,
 * and a test file pins the order of protocols, whatever the order of lines.
 */
#include <arpa/inet.h>
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

/* What nft's inet_service type makes of a name: 1 and *port, or 0. */
static int nft_port(const char *name, uint16_t *port)
{
	struct addrinfo *res;
	const struct sockaddr *sa;

	if (getaddrinfo(NULL, name, NULL, &res) != 0)
		return 0;
	sa = res->ai_addr;
	*port = ntohs(sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
						: ((const struct sockaddr_in *)sa)->sin_port);
	freeaddrinfo(res);
	return 1;
}

static void test_agrees_with_getaddrinfo(void **state)
{
	struct servent *se;
	unsigned checked = 0;

	(void)state;
	setservent(1);
	while ((se = getservent()) != NULL) {
		const char *names[64];
		unsigned n = 0;

		names[n++] = se->s_name;
		for (char **a = se->s_aliases; *a && n < 64; a++)
			names[n++] = *a;
		for (unsigned i = 0; i < n; i++) {
			uint16_t want = 0, got = 0, via_nss = 0;
			int found = nft_port(names[i], &want);

			assert_int_equal(value_services_lookup("/etc/services", names[i], &got), found);
			assert_int_equal(value_service_port(names[i], &via_nss), found ? 0 : -1);
			if (found) {
				assert_int_equal(got, want);
				assert_int_equal(via_nss, want);
				checked++;
			}
		}
	}
	endservent();
	assert_true(checked > 100);
}

/* The names of issue 9: listed for tcp only, they are the same port for udp. */
static void test_tcp_only_names(void **state)
{
	uint16_t port = 0;

	(void)state;
	assert_int_equal(value_service_port("ssh", &port), 0);
	assert_int_equal(port, 22);
	assert_int_equal(value_service_port("smtp", &port), 0);
	assert_int_equal(port, 25);
	assert_int_equal(value_service_port("submission", &port), 0);
	assert_int_equal(port, 587);
	assert_int_equal(value_service_port("no-such-service", &port), -1);
}

static char *write_file(const char *text)
{
	static char path[] = "/tmp/nfban-services-XXXXXX";
	int fd;
	FILE *f;

	strcpy(path, "/tmp/nfban-services-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int lookup(const char *path, const char *name)
{
	uint16_t port = 0;
	int r = value_services_lookup(path, name, &port);

	return r == 1 ? port : r == 0 ? -1 : -2; /* -1: not listed; -2: unreadable */
}

static void test_format(void **state)
{
	char *path = write_file("# comment ssh 1/tcp\n"
				"\n"
				"web\t8080/tcp\twww-alt  webby # alt web\n"
				"bad 99999/tcp\n"
				"broken tcp\n"
				"noport /tcp\n"
				"commented 7/tcp # not-an-alias\n"
				"zero 0/tcp\n"
				"apple 4/ddp\n"
				"rawonly 10/raw\n");

	(void)state;
	assert_int_equal(lookup(path, "web"), 8080);
	assert_int_equal(lookup(path, "webby"), 8080);
	assert_int_equal(lookup(path, "www-alt"), 8080);
	assert_int_equal(lookup(path, "ssh"), -1);
	assert_int_equal(lookup(path, "bad"), -1);
	assert_int_equal(lookup(path, "broken"), -1);
	assert_int_equal(lookup(path, "noport"), -1);
	assert_int_equal(lookup(path, "not-an-alias"), -1);
	assert_int_equal(lookup(path, "zero"), 0);
	/* Protocols getaddrinfo() does not ask for. */
	assert_int_equal(lookup(path, "apple"), -1);
	assert_int_equal(lookup(path, "rawonly"), -1);
	unlink(path);
	assert_int_equal(lookup(path, "web"), -2);
}

/*
 * What nft 1.0.6 and iptables 1.8.9's udp match made of these lines (with this
 * file bind-mounted on /etc/services): tcp, then udp, dccp, udplite, sctp,
 * whatever the order of the lines; for one protocol, the first line.
 */
static void test_protocol_order(void **state)
{
	char *path = write_file("udpfirst 2005/udp\n"
				"udpfirst 1005/tcp\n"
				"uonly 1002/udp\n"
				"sd 3/sctp\n"
				"sd 4/dccp\n"
				"ul 6/sctp\n"
				"ul 5/udplite\n"
				"ud 8/dccp\n"
				"ud 7/udp\n"
				"du 9/udp\n"
				"du 10/dccp\n"
				"twice 11/udp\n"
				"twice 12/udp\n"
				"sonly 1003/sctp\n"
				"acr-nema 104/tcp dicom\n"
				"dicom 11112/tcp\n"
				"mixed 2010/udp ali\n"
				"alias1 1010/tcp ali\n");

	(void)state;
	assert_int_equal(lookup(path, "udpfirst"), 1005);
	assert_int_equal(lookup(path, "uonly"), 1002);
	assert_int_equal(lookup(path, "sd"), 4);
	assert_int_equal(lookup(path, "ul"), 5);
	assert_int_equal(lookup(path, "ud"), 7);
	assert_int_equal(lookup(path, "du"), 9);
	assert_int_equal(lookup(path, "twice"), 11);
	assert_int_equal(lookup(path, "sonly"), 1003);
	assert_int_equal(lookup(path, "dicom"), 104);
	assert_int_equal(lookup(path, "ali"), 1010);
	unlink(path);
}

/*
 * A long line is one line, as getaddrinfo() reads the file (checked with
 * glibc 2.36 on a bind-mounted /etc/services): a name after its first 1023
 * bytes is on it, and its tail is no line of its own.
 */
static void test_long_line(void **state)
{
	char text[4096];
	char *path;

	(void)state;
	memset(text, 0, sizeof(text));
	strcpy(text, "# ");
	memset(text + 2, 'x', 1021);
	strcat(text, "tail 9/tcp\n"
		     "after 10/tcp\n"
		     "lng 5/tcp ");
	memset(text + strlen(text), 'y', 1100);
	strcat(text, " faralias\n");
	path = write_file(text);
	assert_int_equal(lookup(path, "tail"), -1);
	assert_int_equal(lookup(path, "after"), 10);
	assert_int_equal(lookup(path, "faralias"), 5);
	unlink(path);
}

/* A NUL byte ends what is read of its line, not the next line (glibc alike). */
static void test_nul_byte(void **state)
{
	static const char text[] = "h 5/udp\0junk\nh 6/tcp\nk 7/tcp\0\nk2 8/tcp\n";
	char *path = write_file("");
	FILE *f = fopen(path, "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	fclose(f);
	assert_int_equal(lookup(path, "h"), 6);
	assert_int_equal(lookup(path, "k"), 7);
	assert_int_equal(lookup(path, "k2"), 8);
	assert_int_equal(lookup(path, "junk"), -1);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_with_getaddrinfo),
		cmocka_unit_test(test_tcp_only_names),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_protocol_order),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_nul_byte),
	};

	return cmocka_run_group_tests_name("values_services", tests, NULL, NULL);
}
