/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ike_udp_host: the IKE library over plain Linux UDP sockets, for interop
 * tests against strongSwan. It binds UDP 500 and 4500 on one address, runs
 * ike_input/ike_tick, and prints each child SA it is asked to install as
 * one JSON line on stdout (SPIs, algorithm, encapsulation ports, selectors;
 * never keys). No ESP is done here. The library's log lines go to stderr
 * (-v: with debug lines).
 *
 *   ike_udp_host [-v] -a ADDR -f CONFIG [--initiate CONN/CHILD]
 *                [--terminate CONN [--after SECONDS]] [--cookies]
 *
 * Commands on stdin, one per line: "initiate CONN[/CHILD]", "terminate
 * CONN", "soft ID" / "hard ID" (a child's lifetime events, as the data
 * plane raises them), "sas", "conns", "stats". SIGTERM or SIGINT: ike_shutdown (DELETEs
 * sent), then exit. NAT keepalives (RFC 3948 §2.3) are the host's job; this
 * test host sends none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libconfig.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ike/ike.h"
#include "ike/ike_sa.h" /* --cookies: the library's cookie threshold */

static volatile sig_atomic_t stop;
static int log_level = 6; /* -v: 7, debug */
static int fd500 = -1, fd4500 = -1;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void *h)
{
	struct timespec ts;

	(void)h;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static socklen_t to_sa(const struct ip_addr *a, uint16_t port,
		       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, a->b, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a->b, 16);
	return sizeof(*s6);
}

static int h_send(void *h, const struct ip_addr *src, uint16_t sport,
		  const struct ip_addr *dst, uint16_t dport, const void *buf,
		  size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sa(dst, dport, &ss);
	int fd = sport == IKE_NATT_PORT ? fd4500 : fd500;

	(void)h;
	(void)src; /* bound to it */
	return (int)sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl);
}

static void print_ts(const char *key, const struct sa_params *p)
{
	char a[IP_PREFIX_STRLEN], b[IP_PREFIX_STRLEN];

	printf(",\"%s\":[", key);
	for (unsigned i = 0; i < p->n_ts; i++)
		printf("%s{\"src\":\"%s\",\"dst\":\"%s\",\"proto\":%u}",
		       i ? "," : "", ip_prefix_fmt(&p->ts[i].src, a, sizeof(a)),
		       ip_prefix_fmt(&p->ts[i].dst, b, sizeof(b)), p->ts[i].proto);
	printf("]");
}

static void print_sa(const char *key, const struct sa_params *p)
{
	char s[IP_ADDR_STRLEN], d[IP_ADDR_STRLEN];

	printf(",\"%s\":{\"spi\":\"%08x\",\"alg\":\"%s\",\"src\":\"%s\","
	       "\"dst\":\"%s\",\"mode\":\"%s\",\"esn\":%s,\"replay_window\":%u,"
	       "\"enc_key_len\":%u,\"auth_key_len\":%u,\"encap\":%s,"
	       "\"encap_sport\":%u,\"encap_dport\":%u,\"hard_seconds\":%llu",
	       key, p->spi, p->alg ? p->alg->name : "?",
	       ip_addr_fmt(&p->src, s, sizeof(s)), ip_addr_fmt(&p->dst, d, sizeof(d)),
	       p->mode == SA_MODE_TRANSPORT ? "transport" : "tunnel",
	       p->esn ? "true" : "false", p->replay_window, p->enc_key_len,
	       p->auth_key_len, p->encap ? "true" : "false", p->encap_sport,
	       p->encap_dport, (unsigned long long)p->life.hard_seconds);
	print_ts("ts", p);
	printf("}");
}

static int h_install(void *h, const struct ike_child_sas *c)
{
	(void)h;
	printf("{\"event\":\"child_install\",\"id\":%llu,\"conn\":\"%s\","
	       "\"child\":\"%s\"", (unsigned long long)c->id, c->conn, c->child);
	print_sa("out", &c->out);
	print_sa("in", &c->in);
	printf("}\n");
	fflush(stdout);
	return 0;
}

static int h_remove(void *h, uint64_t id)
{
	(void)h;
	printf("{\"event\":\"child_remove\",\"id\":%llu}\n", (unsigned long long)id);
	fflush(stdout);
	return 0;
}

static int h_stats(void *h, uint64_t id, struct ike_child_stats *st)
{
	(void)h;
	(void)id;
	memset(st, 0, sizeof(*st));
	return 0;
}

static void h_log(void *h, int level, const char *msg)
{
	struct timespec ts;
	struct tm tm;

	(void)h;
	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld ike: %s\n", tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000000, msg);
}

static const struct ike_host_ops ops = { h_send, h_install, h_remove, h_stats,
					 now_ms, h_log };

static int open_udp(const struct ip_addr *a, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sa(a, port, &ss);
	int one = 1, fd = socket(a->family, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* One datagram: source from the address, destination from IP_PKTINFO. */
static void receive(struct ike *ike, int fd, uint16_t port,
		    const struct ip_addr *bound)
{
	uint8_t buf[10000], cbuf[256];
	struct sockaddr_storage ss;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { &ss, sizeof(ss), &iov, 1, cbuf, sizeof(cbuf), 0 };
	struct ip_addr src = { 0 }, dst = *bound;
	uint16_t sport;
	ssize_t n = recvmsg(fd, &mh, 0);

	if (n < 0)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ip_addr_from_v4(&dst, pi.ipi_addr.s_addr);
		}
	}
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		ip_addr_from_v4(&src, s->sin_addr.s_addr);
		sport = ntohs(s->sin_port);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		ip_addr_from_v6(&src, s6->sin6_addr.s6_addr);
		sport = ntohs(s6->sin6_port);
	}
	ike_input(ike, &src, sport, &dst, port, buf, (size_t)n);
}

static void listing(struct ike *ike, int (*fn)(struct ike *, char *, size_t))
{
	static char buf[65536];

	if (fn(ike, buf, sizeof(buf)) > 0)
		printf("%s\n", buf);
	fflush(stdout);
}

static void initiate(struct ike *ike, const char *arg)
{
	char conn[64];
	const char *slash = strchr(arg, '/');

	snprintf(conn, sizeof(conn), "%.*s",
		 (int)(slash ? slash - arg : (long)strlen(arg)), arg);
	if (ike_initiate(ike, conn, slash ? slash + 1 : NULL) < 0)
		fprintf(stderr, "initiate %s failed\n", arg);
}

static void command(struct ike *ike, char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "initiate ", 9) == 0)
		initiate(ike, line + 9);
	else if (strncmp(line, "terminate ", 10) == 0)
		ike_terminate(ike, line + 10);
	else if (strncmp(line, "soft ", 5) == 0) /* as the data plane would */
		ike_child_event(ike, strtoull(line + 5, NULL, 10), false,
				IKE_SA_SOFT_EXPIRED);
	else if (strncmp(line, "hard ", 5) == 0)
		ike_child_event(ike, strtoull(line + 5, NULL, 10), false,
				IKE_SA_HARD_EXPIRED);
	else if (strcmp(line, "sas") == 0)
		listing(ike, ike_list_sas_json);
	else if (strcmp(line, "conns") == 0)
		listing(ike, ike_list_conns_json);
	else if (strcmp(line, "stats") == 0)
		listing(ike, ike_stats_json);
	else if (line[0])
		fprintf(stderr, "unknown command '%s'\n", line);
}

static int load(struct ike *ike, const char *path)
{
	config_t cfg;
	char err[512];
	int rc;

	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		fprintf(stderr, "%s:%d: %s\n", path, config_error_line(&cfg),
			config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	rc = ike_load_config(ike, &cfg, path, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s\n", err);
	config_destroy(&cfg);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: ike_udp_host -a ADDR -f CONFIG [--initiate CONN/CHILD]"
			" [--terminate CONN [--after SECONDS]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "initiate", required_argument, NULL, 'i' },
		{ "terminate", required_argument, NULL, 't' },
		{ "after", required_argument, NULL, 'w' },
		{ "cookies", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 } };
	const char *conf = NULL, *init = NULL, *term = NULL;
	struct ip_addr addr = { 0 };
	unsigned after = 5;
	bool cookies = false;
	struct ike *ike;
	uint64_t t0;
	char line[512];
	int o, in_fd = 0;

	while ((o = getopt_long(argc, argv, "a:f:v", lo, NULL)) != -1) {
		switch (o) {
		case 'v': log_level = 7; break;
		case 'a': if (ip_addr_parse(optarg, &addr) < 0) usage(); break;
		case 'f': conf = optarg; break;
		case 'i': init = optarg; break;
		case 't': term = optarg; break;
		case 'w': after = (unsigned)atoi(optarg); break;
		case 'c': cookies = true; break;
		default: usage();
		}
	}
	if (!conf || !addr.family)
		usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fd500 = open_udp(&addr, IKE_PORT);
	fd4500 = open_udp(&addr, IKE_NATT_PORT);
	if (fd500 < 0 || fd4500 < 0) {
		perror("bind");
		return 1;
	}
	ike = ike_new(&ops, NULL);
	if (ike == NULL || load(ike, conf) < 0)
		return 1;
	if (cookies) /* demand a COOKIE (RFC 7296 §2.6) from every initiator */
		ike->cookie_threshold = 0;
	fcntl(0, F_SETFL, O_NONBLOCK);
	if (init)
		initiate(ike, init);
	t0 = now_ms(NULL);
	while (!stop) {
		struct pollfd p[3] = { { fd500, POLLIN, 0 }, { fd4500, POLLIN, 0 },
				       { in_fd, POLLIN, 0 } };

		if (poll(p, 3, 20) > 0) {
			if (p[0].revents & POLLIN)
				receive(ike, fd500, IKE_PORT, &addr);
			if (p[1].revents & POLLIN)
				receive(ike, fd4500, IKE_NATT_PORT, &addr);
			if (p[2].revents & POLLIN) {
				if (fgets(line, sizeof(line), stdin))
					command(ike, line);
				else if (feof(stdin))
					in_fd = -1; /* stdin closed */
			} else if (p[2].revents & (POLLHUP | POLLERR)) {
				in_fd = -1;
			}
		}
		if (term && now_ms(NULL) - t0 >= after * 1000ull) {
			ike_terminate(ike, term);
			term = NULL;
		}
		ike_tick(ike);
	}
	ike_shutdown(ike);
	ike_free(ike);
	close(fd500);
	close(fd4500);
	return 0;
}
