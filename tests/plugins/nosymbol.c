// SPDX-License-Identifier: GPL-2.0-or-later
/* A shared object without the nfban descriptor. */
int nfban_not_a_plugin(void);
int nfban_not_a_plugin(void)
{
	return 0;
}
