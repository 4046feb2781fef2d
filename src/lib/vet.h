// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vet.h - may root trust what a directory holds (plugins, the doctor, the
 * fallback state)?  Only if nobody but root can change it: the directory
 * itself, and every directory above it up to /, as sudo and OpenSSH check
 * the directories of the files they trust.  Whoever can write a directory
 * on the way can rename the rest of the path away and put their own in its
 * place.
 */
#ifndef NFBAN_LIB_VET_H
#define NFBAN_LIB_VET_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

/*
 * Vet directory `dir`, a descriptor the caller opened (`name` is what
 * messages call it).  The directory must be owned by root or by `uid`
 * (pass 0 for root only) and writable by its owner only; so must every
 * directory above it, found by walking ".." from the descriptor itself, so
 * the walk covers what the descriptor reaches, whatever symlinks the path
 * went through.  One exception, above `dir` only: a directory that anyone
 * may write into but that has the sticky bit (/tmp: 1777 root) is accepted
 * when the directory inside it on the way is owned by root or `uid` - the
 * sticky bit lets nobody but that entry's owner (and the sticky directory's
 * owner, root) rename or remove it, so nobody else can swap it.
 *
 * 0, or -1 with errno (EPERM for a directory that fails the rule) and one
 * line in err: "<name>: <directory> is not owned and only writable by root
 * (owner uid U, mode M)", naming the directory at fault.
 */
int vet_dir(int dir, const char *name, uid_t uid, char *err, size_t errlen);

/*
 * The plugin directory `dir` opened (O_CLOEXEC) and vetted by vet_dir() for
 * root, for the loader and the doctor's exec to open their file relative to
 * it: the descriptor, or -1 with one line in err ("plugin directory <dir>: ...").
 */
int vet_open_plugin_dir(const char *dir, char *err, size_t errlen);

/* fd is a regular file owned by root and writable by root only (its stat in *st): 1, else 0. */
int vet_file(int fd, struct stat *st);

#pragma GCC visibility pop

#endif
