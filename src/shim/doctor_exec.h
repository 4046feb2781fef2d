// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor_exec.h - `nfban doctor`: the shim hands the command line to the
 * separate program DIR/nfban-doctor, vetted as a plugin is (see doctor_exec.c).
 */
#ifndef NFBAN_SHIM_DOCTOR_EXEC_H
#define NFBAN_SHIM_DOCTOR_EXEC_H

/* Replaces the process with nfban-doctor; returns an exit status only on failure. */
int doctor_exec(const char *plugin_dir_option, int argc, char *const argv[]);

#endif
