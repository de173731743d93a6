/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esprit: load the configuration, bring up the EAL, ports and workers,
 * install the configured SAs and policies, then run the control plane on
 * the main lcore until SIGINT/SIGTERM, and print the final counters.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "args.h"
#include "conf/conf.h"
#include "ctl/control.h"
#include "ctl/telemetry.h"
#include "dp/dp.h"
#include "dp/dp_tables.h"
#include "gateway.h"
#include "util/log.h"

static struct dp the_dp;
static volatile sig_atomic_t quit;

/* The main loop notices, says goodbye to IKE peers, then stops workers. */
static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* argv for rte_eal_init: program name, the file's `eal`, the command line's. */
static char **eal_argv(const char *prog, const struct conf *c,
		       const struct args *a, int *argc)
{
	char **v = calloc(c->n_eal + (unsigned)a->eal_argc + 2, sizeof(char *));
	int n = 0;

	if (v == NULL)
		return NULL;
	v[n++] = (char *)prog;
	for (unsigned i = 0; i < c->n_eal; i++)
		v[n++] = c->eal[i];
	for (int i = 0; i < a->eal_argc; i++)
		v[n++] = a->eal_argv[i];
	*argc = n;
	return v;
}

static int check_only(const char *path)
{
	char err[CONF_ERR_MAX];
	struct conf *c = conf_load(path, err, sizeof(err));

	if (c == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (gw_check_extra(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		conf_free(c);
		return 1;
	}
	printf("%s: OK (%u ports, %u routes, %u SAs, %u SPD rules)\n", path,
	       c->n_ports, c->n_routes, c->n_sas, c->n_spd);
	conf_free(c);
	return 0;
}

static void run(struct dp *dp)
{
	uint64_t last_ctl = 0, hz = rte_get_tsc_hz(), period = hz / 10000;

	if (dp->main_is_worker) {
		struct worker *w = dp->wk[0];

		rte_rcu_qsbr_thread_online(dp->qsv, 0);
		while (!quit) {
			uint64_t now = rte_rdtsc();

			dp_worker_poll(w);
			/* control work every 100 us, between bursts */
			if (now - last_ctl >= period) {
				last_ctl = now;
				gw_control_poll(dp);
			}
		}
		rte_rcu_qsbr_thread_offline(dp->qsv, 0);
		return;
	}
	/* With workers elsewhere the main lcore may share a CPU with one of
	 * them: a millisecond between control polls keeps ARP, IKE and the
	 * control socket prompt without stealing the worker's time. */
	while (!quit) {
		gw_control_poll(dp);
		usleep(1000);
	}
}

int main(int argc, char **argv)
{
	char err[CONF_ERR_MAX];
	struct args a;
	struct conf *c;
	char **ev;
	int rc, ec;

	rc = args_parse(argc, argv, &a);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (a.check)
		return check_only(a.config);
	c = conf_load(a.config, err, sizeof(err));
	if (c == NULL || gw_check_extra(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		conf_free(c);
		return 1;
	}
	ev = eal_argv(argv[0], c, &a, &ec);
	if (ev == NULL || rte_eal_init(ec, ev) < 0) {
		fprintf(stderr, "esprit: EAL initialisation failed (see above)\n");
		conf_free(c);
		free(ev);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	the_dp.conf = c;
	rc = gw_setup(&the_dp, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "esprit: %s\n", err);
	} else {
		gw_start(&the_dp);
		run(&the_dp);
		gw_stop(&the_dp);
		printf("\nesprit: stopped. Final counters:\n");
		stats_report(&the_dp, stdout);
	}
	gw_teardown(&the_dp);
	conf_free(c);
	rte_eal_cleanup();
	free(ev);
	return rc < 0 ? 1 : 0;
}
