/* SPDX-License-Identifier: BSD-3-Clause */
#include "args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

void args_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- -f FILE\n"
	       "       %s --check -f FILE\n"
	       "\n"
	       "esprit, an IPsec gateway on DPDK.\n"
	       "\n"
	       "Options (after --, or alone):\n"
	       "  -f, --config FILE  the configuration (libconfig syntax, see\n"
	       "                     configs/reference.conf)\n"
	       "  -c, --check        validate FILE and exit: 0 when valid, else\n"
	       "                     \"FILE:LINE: what is wrong\" and 1\n"
	       "  -h, --help         this text\n"
	       "  -V, --version      the version\n"
	       "\n"
	       "EAL options come first, as for any DPDK application; an `eal` list\n"
	       "in the configuration is used too, and the command line wins.\n"
	       "Counters: dpdk-telemetry.py, then /esprit/stats, /esprit/ports,\n"
	       "/esprit/drops, /esprit/sas, /esprit/sa,NAME.\n",
	       prog, prog);
}

static bool is_ours(const char *s)
{
	static const char *const ours[] = { "-f", "--config", "-c", "--check",
					    "-h", "--help", "-V", "--version" };

	for (unsigned i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strcmp(s, ours[i]) == 0 || (strncmp(s, "--config=", 9) == 0))
			return true;
	return false;
}

int args_parse(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int sep = -1, first, c;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	if (sep < 0 && argc > 1 && is_ours(argv[1]))
		sep = 0;
	a->eal_argv = argv + 1;
	a->eal_argc = sep < 0 ? argc - 1 : (sep == 0 ? 0 : sep - 1);
	if (sep < 0) {
		fprintf(stderr, "%s: no options for esprit: give -- -f FILE\n", argv[0]);
		return -1;
	}
	first = sep == 0 ? 1 : sep + 1;
	/* getopt over our part only: argv[first-1] plays argv[0] */
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc - first + 1, argv + first - 1, "f:chV", lo,
				NULL)) != -1) {
		switch (c) {
		case 'f': a->config = optarg; break;
		case 'c': a->check = true; break;
		case 'h': a->help = true; break;
		case 'V': a->version = true; break;
		default:
			args_usage(argv[0]);
			return -1;
		}
	}
	if (optind < argc - first + 1) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
			argv[first - 1 + optind]);
		return -1;
	}
	if (a->help) {
		args_usage(argv[0]);
		return 1;
	}
	if (a->version) {
		printf("esprit %s\n", ESPRIT_VERSION);
		return 1;
	}
	if (a->config == NULL) {
		fprintf(stderr, "%s: no configuration: give -f FILE\n", argv[0]);
		return -1;
	}
	return 0;
}
