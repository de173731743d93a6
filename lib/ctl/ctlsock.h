/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_CTL_CTLSOCK_H
#define ESPRIT_CTL_CTLSOCK_H
/*
 * The UNIX control socket that espritctl talks to.
 *
 * Protocol: the client connects, writes one line "COMMAND [ARG]\n", and
 * reads a JSON document until the server closes. Commands: list-conns,
 * list-sas, initiate CONN[/CHILD], terminate CONN, stats. Errors come back
 * as {"error": "..."}.
 *
 * Contract: root only (the socket is 0600 in a 0700 directory, and the
 * peer's credentials are checked); polled from the control loop without
 * blocking it for more than the client's one-line request, and looking for
 * a new client every 10 ms at most (however often it is called).
 */
#include <stddef.h>

#include "dp/dp.h"

int ctlsock_open(const char *path, char *err, size_t errlen);
void ctlsock_poll(struct dp *dp);
void ctlsock_close(void);

#endif
