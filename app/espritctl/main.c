/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * espritctl: the command-line client of esprit's control socket.
 *
 *   espritctl [-s SOCKET] [--json] list-conns | list-sas | stats
 *   espritctl [-s SOCKET] [--json] initiate CONN[/CHILD] | terminate CONN
 *
 * The server answers JSON; without --json it is shown as indented text.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "json_text.h"

#define DEFAULT_SOCKET "/run/esprit/esprit.sock"

static void usage(FILE *f)
{
	fprintf(f, "Usage: espritctl [-s SOCKET] [--json] COMMAND [ARG]\n"
		   "Commands:\n"
		   "  list-conns              configured IKE connections\n"
		   "  list-sas                IKE SAs, child SAs and all data-plane SAs\n"
		   "  initiate CONN[/CHILD]   start a connection\n"
		   "  terminate CONN          delete a connection's SAs\n"
		   "  stats                   port, drop and IKE counters\n"
		   "Options:\n"
		   "  -s, --socket PATH       control socket (default " DEFAULT_SOCKET ")\n"
		   "  -j, --json              print the server's JSON as is\n");
}

static char *request(const char *path, const char *line)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t k;

	if (buf == NULL || fd < 0)
		goto fail;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "espritctl: cannot connect to %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		goto fail;
	while ((k = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)k;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (b == NULL)
				goto fail;
			buf = b;
		}
	}
	buf[n] = '\0';
	close(fd);
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_SOCKET;
	char line[300], *reply;
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "s:jh", lo, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		return 2;
	}
	snprintf(line, sizeof(line), "%s%s%s\n", argv[optind],
		 optind + 1 < argc ? " " : "", optind + 1 < argc ? argv[optind + 1] : "");
	reply = request(path, line);
	if (reply == NULL)
		return 1;
	rc = strstr(reply, "\"error\"") == reply + 1 ? 1 : 0;
	if (json)
		fputs(reply, stdout);
	else if (json_text_print(reply, stdout) < 0)
		fputs(reply, stdout);
	free(reply);
	return rc;
}
