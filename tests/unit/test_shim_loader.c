/*
 * test_shim_loader.c - the loader refuses what it must: foreign ABI versions,
 * objects without a descriptor, names that escape the plugin directory, and
 * plugin files or directories that someone other than root could write.
 * Uses the fixture plugins built next to this binary (tests/plugins/).
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

#include "../../src/shim/loader.h"

static char fixtures[PATH_MAX];
static char err[512];

static int load(const char *dir, const char *name, struct shim_plugin *pl, int *missing)
{
	err[0] = '\0';
	return shim_plugin_load(dir, name, pl, missing, err, sizeof(err));
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void test_good(void **state)
{
	struct shim_plugin pl;
	int missing;

	(void)state;
	need_root();
	assert_int_equal(load(fixtures, "good", &pl, &missing), 0);
	assert_non_null(pl.desc);
	assert_string_equal(pl.desc->name, "good");
	assert_int_equal(pl.desc->abi_version, NFBAN_ABI_VERSION);
	shim_plugin_unload(&pl);
	assert_null(pl.dl);
}

/* Two plugins loaded at once stay two (the loader knows objects by name). */
static void test_two_at_once(void **state)
{
	struct shim_plugin a, b, c;
	int missing;

	(void)state;
	need_root();
	assert_int_equal(load(fixtures, "good", &a, &missing), 0);
	assert_int_equal(load(fixtures, "second", &b, &missing), 0);
	assert_string_equal(a.desc->name, "good");
	assert_string_equal(b.desc->name, "second");
	shim_plugin_unload(&a);
	assert_int_equal(load(fixtures, "good", &c, &missing), 0);
	assert_string_equal(c.desc->name, "good");
	shim_plugin_unload(&b);
	shim_plugin_unload(&c);
}

static void test_abi_mismatch(void **state)
{
	struct shim_plugin pl;
	int missing;

	(void)state;
	need_root();
	assert_int_equal(load(fixtures, "oldabi", &pl, &missing), -1);
	assert_false(missing);
	assert_non_null(strstr(err, "ABI version"));
	assert_null(pl.dl);
}

static void test_no_descriptor(void **state)
{
	struct shim_plugin pl;
	int missing;

	(void)state;
	need_root();
	assert_int_equal(load(fixtures, "nosymbol", &pl, &missing), -1);
	assert_non_null(strstr(err, "not an nfban plugin"));
}

static void test_misnamed(void **state)
{
	struct shim_plugin pl;
	int missing;

	(void)state;
	need_root();
	assert_int_equal(load(fixtures, "misnamed", &pl, &missing), -1);
	assert_non_null(strstr(err, "malformed"));
}

static void test_missing_and_bad_names(void **state)
{
	struct shim_plugin pl;
	int missing;

	(void)state;
	assert_int_equal(load(fixtures, "absent", &pl, &missing), -1);
	assert_true(missing);
	assert_non_null(strstr(err, "no such plugin"));
	assert_int_equal(load(fixtures, "../plugins/good", &pl, &missing), -1);
	assert_true(missing);
	assert_int_equal(load(fixtures, "..", &pl, &missing), -1);
	assert_int_equal(load(fixtures, "", &pl, &missing), -1);
	assert_int_equal(load("/nonexistent-nfban-dir", "good", &pl, &missing), -1);
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
	struct shim_plugin pl;
	int missing;

	(void)state;
	need_root();
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	copy_good(dir);
	snprintf(so, sizeof(so), "%s/good.so", dir);
	assert_int_equal(load(dir, "good", &pl, &missing), 0);
	shim_plugin_unload(&pl);

	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(load(dir, "good", &pl, &missing), -1);
	assert_non_null(strstr(err, "only writable by root"));
	assert_int_equal(chmod(dir, 0755), 0);

	assert_int_equal(chmod(so, 0664), 0);
	assert_int_equal(load(dir, "good", &pl, &missing), -1);
	assert_non_null(strstr(err, "only writable by root"));
	assert_int_equal(chmod(so, 0644), 0);

	assert_int_equal(chown(so, 65534, 65534), 0);
	assert_int_equal(load(dir, "good", &pl, &missing), -1);
	assert_int_equal(chown(so, 0, 0), 0);

	/* A symlink is not followed. */
	assert_int_equal(rename(so, "/tmp/nfban-loader-target.so"), 0);
	assert_int_equal(symlink("/tmp/nfban-loader-target.so", so), 0);
	assert_int_equal(load(dir, "good", &pl, &missing), -1);
	unlink(so);
	unlink("/tmp/nfban-loader-target.so");
	assert_int_equal(rmdir(dir), 0);
}

static void test_plugin_dir_precedence(void **state)
{
	(void)state;
	setenv("NFBAN_PLUGIN_DIR", "/from/env", 1);
	assert_string_equal(shim_plugin_dir("/from/option"), "/from/option");
	assert_string_equal(shim_plugin_dir(NULL), "/from/env");
	unsetenv("NFBAN_PLUGIN_DIR");
	assert_string_equal(shim_plugin_dir(NULL), NFBAN_PLUGIN_DIR);
}

int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_two_at_once),
		cmocka_unit_test(test_abi_mismatch),
		cmocka_unit_test(test_no_descriptor),
		cmocka_unit_test(test_misnamed),
		cmocka_unit_test(test_missing_and_bad_names),
		cmocka_unit_test(test_writable_by_others),
		cmocka_unit_test(test_plugin_dir_precedence),
	};
	char self[PATH_MAX];

	(void)argc;
	if (!realpath(argv[0], self))
		return 1;
	snprintf(fixtures, sizeof(fixtures), "%s/plugins", dirname(self));
	return cmocka_run_group_tests_name("shim_loader", tests, NULL, NULL);
}
