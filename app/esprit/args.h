/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_APP_ARGS_H
#define ESPRIT_APP_ARGS_H
/*
 * Command line: `esprit [EAL options] -- [options]`, DPDK's convention.
 * Without "--", a command line that starts with one of our options is all
 * ours (so `esprit --check -f FILE` works without EAL arguments).
 */
#include <stdbool.h>

struct args {
	const char *config;
	bool check, help, version;
	int eal_argc;		/* EAL arguments from the command line */
	char **eal_argv;
};

/* 0 = go on, 1 = done (help/version printed), -1 = usage error printed. */
int args_parse(int argc, char **argv, struct args *a);
void args_usage(const char *prog);

#endif
