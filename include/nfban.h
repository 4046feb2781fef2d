// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nfban.h - libnfban: Fail2ban's ban actions for any host, with strings in
 * and a report out.
 *
 * A host (the `nfban` command, an in-process Fail2ban action, a C program)
 * opens one handle per jail from a plugin name and Fail2ban's KEY=VALUE
 * texts, then runs Fail2ban's operations on it:
 *
 *   struct nfban_result res;
 *   const char *keys[] = { "name=sshd", "port=ssh,8022" };
 *   struct nfban_jail *j = nfban_jail_open(NULL, "multiport", 2, keys, &res);
 *   if (!j) ... res.message says which key and why (res.status BAD_INPUT)
 *   nfban_jail_run(j, "start", NULL, NULL, &res);
 *   nfban_jail_run(j, "ban", NULL, "192.0.2.1", &res);
 *   nfban_jail_close(j);
 *
 * Everything Fail2ban's action files do is inside: key checks and defaults
 * (each plugin declares its keys), the fallback to another plugin when the
 * kernel lacks a feature (fallback=, remembered per network namespace - by
 * its cookie - under $NFBAN_STATE_DIR or /run/nfban, announced to syslog), and one-line
 * messages naming the jail, the operation and the kernel's reason.
 * libnfban never prints and never exits: output is the host's.
 *
 * Threads: a handle may be used from several threads at once (each call
 * takes the handle's lock); different handles run in parallel, except that
 * calls into a plugin built on a library with process-wide state (the
 * iptables plugins: libiptc) are serialised across all handles.
 */
#ifndef NFBAN_H
#define NFBAN_H

#ifdef __cplusplus
extern "C" {
#endif

#define NFBAN_LINE_MAX 512       /* message and notice, NUL included */
#define NFBAN_NAME_MAX 32        /* plugin names, NUL included */

enum nfban_result_status {
	NFBAN_DONE = 0,              /* done; notice may say something worth telling */
	NFBAN_FAILED = 1,            /* the kernel or the system said no: kernel_errno, message */
	NFBAN_BAD_INPUT = 2,         /* a key, operation or address is wrong; the kernel was not touched */
	NFBAN_RULES_ABSENT = 3,      /* check: the jail's rules are not (all) in place */
	NFBAN_BUSY = 4,              /* nfban_jail_try only: it would have waited; nothing was done */
};

struct nfban_result {
	int status;                  /* enum nfban_result_status */
	int kernel_errno;            /* 0, or the errno the kernel (or system) answered */
	int fallback;                /* 1 when notice announces a fallback to another plugin */
	char plugin[NFBAN_NAME_MAX]; /* the plugin that answered */
	char message[NFBAN_LINE_MAX];/* why it failed, one line; "" when done */
	char notice[NFBAN_LINE_MAX]; /* one line worth telling even on success, or "" */
};

struct nfban_jail;

/*
 * Open a jail on `plugin`, loaded from plugin_dir (NULL: $NFBAN_PLUGIN_DIR,
 * else the installed directory).  keys are Fail2ban's tags as "key=value";
 * `fallback=` (plugins tried when the kernel lacks a feature) is libnfban's
 * own, every other key the plugin's.  NULL on failure, with res filled.
 */
struct nfban_jail *nfban_jail_open(const char *plugin_dir, const char *plugin, int n_keys,
				   const char *const keys[], struct nfban_result *res);

/*
 * Run an operation: "start", "stop", "check", "ban", "unban" or "flush", or
 * "start+ban": start and ban ip as one kernel transaction (the jail started
 * with the address banned, or neither), for a family's first ban when the
 * host starts families on demand.  family is "inet4", "inet6" or NULL (from
 * ip, else inet4); ip is the address or network for ban, unban and
 * start+ban (NULL otherwise).  Returns res->status.
 */
int nfban_jail_run(struct nfban_jail *j, const char *operation, const char *family,
		   const char *ip, struct nfban_result *res);

/*
 * nfban_jail_run() of "ban" or "unban" that never waits: where the call
 * would wait - for another thread's call on j, for a lock another writer
 * holds (nfban's writer lock, a plugin serialised process-wide), before a
 * retry, or to end the banned address's sessions (kill_sessions, with
 * entries in the connection tracking table) - or where it would need more
 * than its plain path (the jail on a fallback, a refusal, an error, a full
 * set to grow), it returns NFBAN_BUSY having changed nothing, and the host
 * calls nfban_jail_run().  Every other operation, and every plugin without
 * NFBAN_PLUGIN_NOWAIT (the iptables plugins), is NFBAN_BUSY at once.  For a
 * host that holds a lock of its own around calls it wants short, such as
 * Python's GIL (the .py actions call it through ctypes.PyDLL, keeping the
 * GIL, and nfban_jail_run through ctypes.CDLL, releasing it).
 */
int nfban_jail_try(struct nfban_jail *j, const char *operation, const char *family,
		   const char *ip, struct nfban_result *res);

/*
 * End the open sessions of n addresses of one family banned on j, as a ban
 * does after it with kill_sessions=jail (the connection tracking entries
 * from them to the jail's protocols and ports), for all n in one walk of
 * the connection tracking table: the kernel's walk covers every hash
 * bucket whatever the table holds (milliseconds with the default 262,144),
 * so a burst of bans pays it once, not once per ban.  For a host that runs
 * its bans on a handle opened with kill_sessions=none and ends their
 * sessions apart, on this one (the .py actions: in a thread of their own).
 * family as for nfban_jail_run (NULL: the first address's); n at most
 * NFBAN_SESSIONS_MAX.  Nothing to do (kill_sessions=none on j, nothing
 * tracked, n 0) is NFBAN_DONE; notice says how many entries went.  Returns
 * res->status (NFBAN_FAILED, with kernel_errno, when the walk failed).
 */
#define NFBAN_SESSIONS_MAX 256
int nfban_jail_end_sessions(struct nfban_jail *j, const char *family, int n,
			    const char *const ips[], struct nfban_result *res);

/*
 * Ban n addresses of one family on j in one kernel transaction (one libiptc
 * commit, one nf_tables batch), for a host that gathers a burst of bans: on
 * the iptables plugins each commit costs what the table holds (libiptc
 * replaces the whole table; nf_tables validates every rule a base chain
 * reaches), so N bans in groups of up to NFBAN_BANS_MAX pay it once a group;
 * on nftables and ipset a group is one message of n elements, one call
 * where each ban alone pays one (ipset's kernel adds a list's members one by
 * one: the plugin sends a group only into a set with room for all of it).
 * Only on the plain path, as nfban_jail_try: the jail on its primary plugin,
 * a plugin with group bans (NFBAN_PLUGIN_BANS: all of nfban's), started,
 * every address fine to ban.
 * Anything else - a refusal, an error, the rules absent, a fallback - is
 * NFBAN_BUSY with nothing changed: the host then bans each address with
 * nfban_jail_run(), which says what is wrong as it always does.  It waits
 * for the handle's lock and the kernel's (it is not nfban_jail_try).  The
 * same address twice bans it once; one already banned is no error (notice
 * counts them).  kill_sessions=jail ends the sessions of all n in one walk.
 * family as for nfban_jail_end_sessions.  Returns res->status.
 */
#define NFBAN_BANS_MAX 256
int nfban_jail_ban_many(struct nfban_jail *j, const char *family, int n, const char *const ips[],
			struct nfban_result *res);

void nfban_jail_close(struct nfban_jail *j);

/* "0.2.0" */
const char *nfban_version(void);

/* ---- the keys of a plugin ------------------------------------------------------ */

#define NFBAN_KEY_TEXT_MAX 128   /* key_info texts, NUL included */

#define NFBAN_KEYINFO_DEFAULT (1u << 0) /* def[] holds the default (else there is none) */
#define NFBAN_KEYINFO_MATCH (1u << 1)   /* narrows the traffic a ban blocks (port=, protocol=) */
#define NFBAN_KEYINFO_HOST (1u << 2)    /* libnfban's own, taken with every plugin */

/* One key nfban_jail_open() takes with a plugin, as the plugin declares it. */
struct nfban_key_info {
	char name[NFBAN_NAME_MAX];           /* Fail2ban's tag name */
	/* The syntax: "ports", "protocols", "choice" (one of `choices`), "xt_chain",
	 * "xt_target", "nft_name", "nft_verdict", "nft_hook", "nft_priority",
	 * "seconds", "jail_name", "plugins" (a comma list, maybe empty); "unused":
	 * taken as the stock action takes it, and not used. */
	char type[NFBAN_NAME_MAX];
	char choices[NFBAN_KEY_TEXT_MAX];    /* "a|b|c" for "choice", else "" */
	/* The default per family ([0] inet4, [1] inet6), as the stock action spells
	 * it: "REJECT --reject-with icmp-port-unreachable" / "... icmp6-port-unreachable". */
	char def[2][NFBAN_KEY_TEXT_MAX];
	unsigned flags;                      /* NFBAN_KEYINFO_* */
};

/*
 * The keys of `plugin` (from plugin_dir as for nfban_jail_open): "name" first,
 * then the plugin's own in the order of its table, then libnfban's other keys
 * ("fallback", whose default is the plugin's fallback list, and the rest).
 * Fills keys[0 .. max-1] and returns how many there are (more than max: call
 * again with room for all); -1 with res filled when the plugin cannot be loaded.
 */
int nfban_plugin_keys(const char *plugin_dir, const char *plugin, struct nfban_key_info *keys,
		      int max, struct nfban_result *res);

#ifdef __cplusplus
}
#endif

#endif /* NFBAN_H */
