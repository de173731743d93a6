/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl/ctlsock.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/control.h"
#include "ctl/ike_host.h"
#include "ctl/telemetry.h"
#include "dp/dp_tables.h"
#include "ike/ike.h"
#include "util/log.h"

#define OUT_MAX (4u << 20)

static int lfd = -1;
static char spath[108];

int ctlsock_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0700);
	snprintf(spath, sizeof(spath), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(lfd, 8) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		lfd = -1;
		return -errno;
	}
	return 0;
}

void ctlsock_close(void)
{
	if (lfd >= 0) {
		close(lfd);
		unlink(spath);
	}
	lfd = -1;
}

struct out {
	char *b;
	size_t n, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->b + o->n, o->cap - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n = RTE_MIN(o->n + (size_t)k, o->cap - 1);
}

/* Append what an ike_*_json function writes, or null. */
static void put_ike(struct out *o, int (*fn)(struct ike *, char *, size_t))
{
	int k = ike_host_daemon() ? fn(ike_host_daemon(), o->b + o->n, o->cap - o->n) : -1;

	if (k > 0)
		o->n += (size_t)k;
	else
		put(o, "null");
}

/* A name from the configuration, safe inside a JSON string. */
static const char *json_safe(const char *in, char *out, size_t n)
{
	size_t i = 0;

	for (; *in && i + 1 < n; in++)
		out[i++] = (*in == '"' || *in == '\\' || (unsigned char)*in < 0x20) ? '?' : *in;
	out[i] = '\0';
	return out;
}

static void put_sas(struct out *o, struct dp *dp)
{
	char nm[SA_NAME_MAX];
	bool first = true;
	char s[IP_ADDR_STRLEN], d[IP_ADDR_STRLEN];

	put(o, "[");
	dp_tables_lock();
	for (uint32_t i = 0; i < dp_sa_cap(dp) && o->n + 512 < o->cap; i++) {
		struct sa *sa = dp_sa_get(dp, i);
		struct sa_stats c;

		if (sa == NULL)
			continue;
		dp_sa_stats(dp, sa, &c);
		put(o, "%s{\"id\":%u,\"name\":\"%s\",\"spi\":\"0x%08x\",\"dir\":\"%s\","
		    "\"mode\":\"%s\",\"alg\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\","
		    "\"esn\":%s,\"udp_encap\":%s,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
		    ",\"ike\":%s}", first ? "" : ",", i, json_safe(sa->p->name, nm, sizeof(nm)), sa->p->spi,
		    sa->dir == SA_DIR_IN ? "in" : "out",
		    sa->mode == SA_MODE_TUNNEL ? "tunnel" : "transport", sa->p->alg->name,
		    ip_addr_fmt(&sa->p->src, s, sizeof(s)), ip_addr_fmt(&sa->p->dst, d, sizeof(d)),
		    sa->p->esn ? "true" : "false", sa->encap ? "true" : "false",
		    c.run.packets, c.run.bytes, sa->p->ike_ref ? "true" : "false");
		first = false;
	}
	dp_tables_unlock();
	put(o, "]");
}

static void put_stats(struct out *o, struct dp *dp)
{
	uint64_t v[DROP_MAX];

	put(o, "{\"ports\":{");
	for (unsigned p = 0; p < dp->n_ports; p++) {
		struct dp_port_ctr s;

		stats_port_sum(dp, p, &s);
		put(o, "%s\"%s\":{\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 ",\"esp_in\":%" PRIu64
		    ",\"esp_out\":%" PRIu64 ",\"bypass\":%" PRIu64 ",\"punted\":%" PRIu64 "}",
		    p ? "," : "", dp->port[p].name, s.rx, s.tx, s.esp_in, s.esp_out,
		    s.bypass, s.punted);
	}
	stats_drop_sum(dp, v);
	put(o, "},\"drops\":{");
	for (unsigned i = DROP_FIRST; i < DROP_MAX; i++)
		put(o, "%s\"%s\":%" PRIu64, i > DROP_FIRST ? "," : "", drop_names[i], v[i]);
	put(o, "},\"ike\":");
	put_ike(o, ike_stats_json);
	put(o, "}");
}

/* initiate CONN[/CHILD] | terminate CONN; the answer names what was asked. */
/* Connection and child names as swanctl knows them; anything else is
 * refused before it is looked up or echoed into JSON. */
static bool valid_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_./", *s))
			return false;
	return true;
}

static void conn_command(struct out *o, const char *cmd, char *arg)
{
	char *child = strchr(arg, '/');
	int rc;

	if (!valid_name(arg)) {
		put(o, "{\"error\":\"%s: bad connection name\"}", cmd);
		return;
	}
	if (child)
		*child++ = '\0';
	if (ike_host_daemon() == NULL)
		rc = -ENOENT;
	else if (cmd[0] == 'i')
		rc = ike_initiate(ike_host_daemon(), arg, child);
	else
		rc = ike_terminate(ike_host_daemon(), arg);
	put(o, "{\"%s\":\"%s %s%s%s%s%s\"}", rc < 0 ? "error" : "ok", cmd, arg,
	    child ? "/" : "", child ? child : "", rc < 0 ? ": " : "",
	    rc < 0 ? strerror(-rc) : "");
}

static void command(struct dp *dp, char *line, struct out *o)
{
	char *arg = strchr(line, ' ');

	if (arg)
		*arg++ = '\0';
	if (strcmp(line, "list-conns") == 0) {
		put_ike(o, ike_list_conns_json);
	} else if (strcmp(line, "list-sas") == 0) {
		put(o, "{\"ike_sas\":");
		put_ike(o, ike_list_sas_json);
		put(o, ",\"sas\":");
		put_sas(o, dp);
		put(o, "}");
	} else if (strcmp(line, "stats") == 0) {
		put_stats(o, dp);
	} else if ((strcmp(line, "initiate") == 0 || strcmp(line, "terminate") == 0) && arg) {
		conn_command(o, line, arg);
	} else {
		put(o, "{\"error\":\"unknown command; try list-conns, list-sas, "
		       "initiate CONN, terminate CONN, stats\"}");
	}
}

/* Root only: the socket file mode already says so; SO_PEERCRED makes sure. */
static bool peer_is_root(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.uid == 0;
}

static void serve(struct dp *dp, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char line[256];
	ssize_t k;
	struct out o = { .cap = OUT_MAX };

	if (!peer_is_root(fd) || poll(&p, 1, 50) != 1)
		return;
	k = read(fd, line, sizeof(line) - 1);
	if (k <= 0)
		return;
	line[k] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	o.b = malloc(o.cap);
	if (o.b == NULL)
		return;
	o.b[0] = '\0';
	command(dp, line, &o);
	put(&o, "\n");
	for (size_t off = 0; off < o.n;) {
		struct pollfd w = { .fd = fd, .events = POLLOUT };
		ssize_t s;

		if (poll(&w, 1, 1000) != 1)
			break; /* a client that does not read is dropped */
		s = write(fd, o.b + off, o.n - off);
		if (s <= 0)
			break;
		off += (size_t)s;
	}
	free(o.b);
}

/* How often the listening socket is looked at. accept4() on Linux
 * allocates a socket (inode, file, dentry) and frees it again even when
 * no client is waiting: ~2 us of kernel time a call. The control loop runs
 * every 100 us on the data-plane lcore with -l 1, where those calls took
 * 4-5 % of the worker's time; a person typing espritctl does not notice
 * 10 ms. */
#define ACCEPT_EVERY_MS 10

void ctlsock_poll(struct dp *dp)
{
	static uint64_t next_ms;
	uint64_t now;
	int fd;

	if (lfd < 0)
		return;
	now = ctl_now_ms();
	if (now < next_ms)
		return;
	next_ms = now + ACCEPT_EVERY_MS;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	serve(dp, fd);
	close(fd);
}
