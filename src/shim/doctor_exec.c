/*
 * doctor_exec.c - `nfban [--plugin-dir DIR] doctor ...` runs DIR/nfban-doctor.
 *
 * The doctor is its own program so that nothing of it (nor its start-up)
 * weighs on the ban path: the shim only compares one word.  The program is
 * vetted by the loader's rules for plugins - DIR and the file owned by root
 * and writable by nobody else, a regular file opened with O_NOFOLLOW - and
 * that same descriptor is executed (fexecve), so it cannot be swapped between
 * the check and the exec.  No shell is involved.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor_exec.h"
#include "../lib/loader.h"

#define DOCTOR "nfban-doctor"

extern char **environ;

static int unsafe(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH));
}

int doctor_exec(const char *plugin_dir_option, int argc, char *const argv[])
{
	const char *dir = plugin_dir(plugin_dir_option);
	char path[4096];
	struct stat st;
	char **args;
	int fd;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || unsafe(&st)) {
		fprintf(stderr, "nfban: doctor: plugin directory %s is not a directory owned and only "
			"writable by root\n", dir);
		return 1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/" DOCTOR, dir) >= sizeof(path)) {
		fprintf(stderr, "nfban: doctor: plugin directory name too long\n");
		return 1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "nfban: doctor: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || unsafe(&st) || !(st.st_mode & S_IXUSR)) {
		fprintf(stderr, "nfban: doctor: %s is not an executable file owned and only writable "
			"by root\n", path);
		close(fd);
		return 1;
	}
	args = calloc((size_t)argc + 4, sizeof(*args));
	if (!args) {
		close(fd);
		return 1;
	}
	args[0] = (char *)DOCTOR;
	args[1] = (char *)"--plugin-dir";
	args[2] = (char *)dir;
	for (int i = 0; i < argc; i++)
		args[i + 3] = argv[i];
	fexecve(fd, args, environ);
	fprintf(stderr, "nfban: doctor: cannot run %s: %s\n", path, strerror(errno));
	free(args);
	close(fd);
	return 1;
}
