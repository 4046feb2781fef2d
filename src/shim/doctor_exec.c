// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor_exec.c - `nfban [--plugin-dir DIR] doctor ...` runs DIR/nfban-doctor.
 *
 * The doctor is its own program so that nothing of it (nor its start-up)
 * weighs on the ban path: the shim only compares one word.  The program is
 * vetted by the loader's rules for plugins - DIR and every directory above
 * it root's and writable by nobody else (vet.h, the loader's function), the
 * file too, a regular file opened relative to DIR with O_NOFOLLOW - and
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
#include "loader.h"
#include "vet.h"

#define DOCTOR "nfban-doctor"

extern char **environ;

int doctor_exec(const char *plugin_dir_option, int argc, char *const argv[])
{
	const char *dir = plugin_dir(plugin_dir_option);
	char path[4096], err[4400];
	struct stat st;
	char **args;
	int dfd, fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/" DOCTOR, dir) >= sizeof(path)) {
		fprintf(stderr, "nfban: doctor: plugin directory name too long\n");
		return 1;
	}
	dfd = vet_open_plugin_dir(dir, err, sizeof(err));
	if (dfd < 0) {
		fprintf(stderr, "nfban: doctor: %s\n", err);
		return 1;
	}
	fd = openat(dfd, DOCTOR, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0) {
		fprintf(stderr, "nfban: doctor: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!vet_file(fd, &st) || !(st.st_mode & S_IXUSR)) {
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
