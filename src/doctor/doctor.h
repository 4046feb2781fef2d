// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor.h - nfban-doctor: why a ban does not take effect, what this kernel
 * can do, and whether an address gets through.  It reads the kernel and
 * Fail2ban into a model (model.h: collect), then each finding is a function
 * of that model (checks.h); report.c prints them.  Reads only: the rulesets
 * through the tools users read them with, the fallback state, fail2ban-client;
 * kernel features are probed by running the plugins in a scratch network
 * namespace, and `probe` sends a real packet through a copy of the ruleset in
 * throw-away namespaces.
 */
#ifndef NFBAN_DOCTOR_H
#define NFBAN_DOCTOR_H

#include <stddef.h>
#include <stdint.h>

#include "values.h"

/* ---- options and keys ------------------------------------------------------- */

struct opts {
	const char *plugin_dir;
	const char *socket;         /* --socket: fail2ban's; NULL: its default when it exists */
	int json, no_probe, no_fail2ban, probe;
	/* Fail2ban's tags, all optional: they narrow the check. */
	const char *name, *port, *protocol, *chain, *family, *ip, *table;
	int want4, want6;           /* from family= */
	struct value_protos protos; /* port= and protocol=, when port= was given */
	int have_ports;
	struct nfban_addr addr;     /* ip= */
};

/* ---- findings --------------------------------------------------------------- */

/* unknown: the doctor could not read what it needs to tell (exit 3). */
enum sev { SEV_OK, SEV_WARN, SEV_UNKNOWN, SEV_FAIL };

/* Where a finding is: any field may be NULL. */
struct where {
	const char *jail, *backend, *family;
};

/*
 * One finding.  check is a stable identifier (nfban(8)); rule the rule or set
 * element at issue, by the rule that causes it (shadowing ACCEPT, DNAT), ip
 * the address; todo what to do (NULL for ok).
 */
void finding(enum sev sev, const char *check, const struct where *w, const char *rule,
	     const char *by, const char *ip, const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/* To the finding just made: commands to paste (one per line) and the likely cause. */
void finding_fix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void finding_cause(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The exit status: 1 something FAILs, else 3 something unknown, else 0. */
int findings_print(int json);

/* ---- running the tools ------------------------------------------------------ */

/* The tool's absolute path from PATH, or NULL. */
const char *tool_find(const char *name, char *buf, size_t n);
/* Runs argv (argv[0] an absolute path) without a shell, stdout into *out
 * (malloc'd, NUL-terminated), stdin /dev/null, stderr into *err when err is
 * not NULL (else /dev/null).  The exit status, or -1 (errno) when it could not
 * run or timed out. */
int tool_run(char *const argv[], char **out, int timeout_s);
int tool_run_err(char *const argv[], char **out, char **err, int timeout_s);
/* The same with stdin from the descriptor in (read from its start), when >= 0. */
int tool_run_in(char *const argv[], int in, char **out, char **err, int timeout_s);
/* tool_find + tool_run_err of a NULL-terminated argument list; -1 with errno
 * ENOENT when the tool is not in PATH. */
int tool(const char *name, char **out, char **err, int timeout_s, ...)
	__attribute__((sentinel));

char *xstrdup(const char *s);
void *xrealloc(void *p, size_t n);

#endif
