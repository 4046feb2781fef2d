// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lib_loader.c - libnfban's loader (src/lib/loader.c) refuses what it
 * must: other ABI versions, objects without a descriptor, malformed
 * descriptors, names that escape the plugin directory, and plugin files or
 * directories that someone other than root could write; and it shares a
 * loaded plugin between its users, counted.  Uses the fixture plugins built
 * next to this binary (tests/plugins/).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/lib/loader.h"

static char fixtures[PATH_MAX];
static char err[512];

/* The plugin, or NULL with err; *missing set as plugin_get() sets it. */
static struct plugin *get(const char *dir, const char *name, int *missing)
{
	err[0] = '\0';
	*missing = -1;
	return plugin_get(dir, name, missing, err, sizeof(err));
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void test_good(void **state)
{
	struct plugin *pl, *again;
	int missing;

	(void)state;
	need_root();
	pl = get(fixtures, "good", &missing);
	assert_non_null(pl);
	assert_int_equal(missing, 0);
	assert_non_null(pl->desc);
	assert_string_equal(pl->desc->name, "good");
	assert_int_equal(pl->desc->abi_version, NFBAN_ABI_VERSION);
	assert_string_equal(pl->desc->keys[0].name, "port");
	assert_null(pl->desc->keys[1].name);
	assert_int_equal(pl->refs, 1);
	/* Loaded once per process: a second user shares it. */
	again = get(fixtures, "good", &missing);
	assert_ptr_equal(again, pl);
	assert_int_equal(pl->refs, 2);
	plugin_put(again);
	assert_int_equal(pl->refs, 1);
	assert_string_equal(pl->desc->name, "good");
	plugin_put(pl);
	plugin_put(NULL);
}

/* Two plugins loaded at once stay two (the dynamic loader knows objects by name). */
static void test_two_at_once(void **state)
{
	struct plugin *a, *b, *c;
	int missing;

	(void)state;
	need_root();
	a = get(fixtures, "good", &missing);
	b = get(fixtures, "second", &missing);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_string_equal(a->desc->name, "good");
	assert_string_equal(b->desc->name, "second");
	plugin_put(a);
	c = get(fixtures, "good", &missing);
	assert_non_null(c);
	assert_string_equal(c->desc->name, "good");
	assert_string_equal(b->desc->name, "second");
	plugin_put(b);
	plugin_put(c);
}

static void test_abi_mismatch(void **state)
{
	char want[64];
	int missing;

	(void)state;
	need_root();
	assert_null(get(fixtures, "oldabi", &missing));
	assert_int_equal(missing, 0);
	snprintf(want, sizeof(want), "plugin ABI version %u, this nfban speaks version %u",
		 NFBAN_ABI_VERSION - 1, NFBAN_ABI_VERSION);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "rebuild the plugin"));
	/* Refused, not kept: asking again vets it again. */
	assert_null(get(fixtures, "oldabi", &missing));
	assert_non_null(strstr(err, "ABI version"));
}

static void test_no_descriptor(void **state)
{
	int missing;

	(void)state;
	need_root();
	assert_null(get(fixtures, "nosymbol", &missing));
	assert_int_equal(missing, 0);
	assert_non_null(strstr(err, "not an nfban plugin"));
}

static void test_malformed(void **state)
{
	int missing;

	(void)state;
	need_root();
	/* Its descriptor names another plugin than its file. */
	assert_null(get(fixtures, "misnamed", &missing));
	assert_int_equal(missing, 0);
	assert_non_null(strstr(err, "malformed"));
	/* It declares a key of libnfban's own. */
	assert_null(get(fixtures, "badkeys", &missing));
	assert_non_null(strstr(err, "malformed"));
}

static void test_missing_and_bad_names(void **state)
{
	int missing;

	(void)state;
	assert_null(get(fixtures, "absent", &missing));
	assert_int_equal(missing, 1);
	assert_non_null(strstr(err, "no such plugin"));
	assert_null(get(fixtures, "../plugins/good", &missing));
	assert_int_equal(missing, 1);
	assert_non_null(strstr(err, "not a plugin name"));
	assert_null(get(fixtures, "..", &missing));
	assert_int_equal(missing, 1);
	assert_null(get(fixtures, "", &missing));
	assert_int_equal(missing, 1);
	assert_null(get(fixtures, "Good", &missing));
	assert_null(get("/nonexistent-nfban-dir", "good", &missing));
	assert_int_equal(missing, 0);
	assert_non_null(strstr(err, "plugin directory"));
}

/* Copy good.so into a fresh directory, then loosen one permission. */
static void copy_good(const char *dir)
{
	char src[PATH_MAX + 16], dst[PATH_MAX + 16], buf[65536];
	int in, out;
	ssize_t n;

	snprintf(src, sizeof(src), "%s/good.so", fixtures);
	snprintf(dst, sizeof(dst), "%s/good.so", dir);
	in = open(src, O_RDONLY);
	assert_true(in >= 0);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	assert_int_equal(chmod(dst, 0644), 0);
}

static void test_writable_by_others(void **state)
{
	char dir[] = "/tmp/nfban-loader-XXXXXX", so[64];
	struct plugin *pl;
	int missing;

	(void)state;
	need_root();
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	copy_good(dir);
	snprintf(so, sizeof(so), "%s/good.so", dir);
	pl = get(dir, "good", &missing);
	assert_non_null(pl);
	plugin_put(pl);

	assert_int_equal(chmod(dir, 0777), 0);
	assert_null(get(dir, "good", &missing));
	assert_non_null(strstr(err, "only writable by root"));
	assert_int_equal(chmod(dir, 0755), 0);

	assert_int_equal(chmod(so, 0664), 0);
	assert_null(get(dir, "good", &missing));
	assert_non_null(strstr(err, "only writable by root"));
	assert_int_equal(chmod(so, 0644), 0);

	assert_int_equal(chown(so, 65534, 65534), 0);
	assert_null(get(dir, "good", &missing));
	assert_int_equal(chown(so, 0, 0), 0);
	/* The refusals left nothing behind: the file is vetted afresh. */
	pl = get(dir, "good", &missing);
	assert_non_null(pl);
	plugin_put(pl);

	/* A symlink is not followed. */
	assert_int_equal(rename(so, "/tmp/nfban-loader-target.so"), 0);
	assert_int_equal(symlink("/tmp/nfban-loader-target.so", so), 0);
	assert_null(get(dir, "good", &missing));
	unlink(so);
	unlink("/tmp/nfban-loader-target.so");
	assert_int_equal(rmdir(dir), 0);
}

static void test_plugin_dir_precedence(void **state)
{
	(void)state;
	setenv("NFBAN_PLUGIN_DIR", "/from/env", 1);
	assert_string_equal(plugin_dir("/from/option"), "/from/option");
	assert_string_equal(plugin_dir(NULL), "/from/env");
	unsetenv("NFBAN_PLUGIN_DIR");
	assert_string_equal(plugin_dir(NULL), NFBAN_PLUGIN_DIR);
}

int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_two_at_once),
		cmocka_unit_test(test_abi_mismatch),
		cmocka_unit_test(test_no_descriptor),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_missing_and_bad_names),
		cmocka_unit_test(test_writable_by_others),
		cmocka_unit_test(test_plugin_dir_precedence),
	};
	char self[PATH_MAX];

	(void)argc;
	if (!realpath(argv[0], self))
		return 1;
	snprintf(fixtures, sizeof(fixtures), "%s/plugins", dirname(self));
	return cmocka_run_group_tests_name("lib_loader", tests, NULL, NULL);
}
