/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: find or create the DPDK device each configured port names, size
 * its queues for the workers (one TX queue per worker, so no queue is ever
 * shared), and record our addresses for the fast "is it for us" test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dp/dp.h"
#include "util/log.h"

/* "port:N", "vdev:NAME,ARGS", or a device name / PCI address. */
static int find_port(const char *dev, uint16_t *pid, char *err, size_t errlen)
{
	char name[CONF_DEV_MAX];
	const char *comma;

	if (strncmp(dev, "port:", 5) == 0) {
		unsigned long id = strtoul(dev + 5, NULL, 10);

		if (id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)id)) {
			snprintf(err, errlen, "no DPDK port %lu (the EAL found %u ports)",
				 id, rte_eth_dev_count_avail());
			return -ENODEV;
		}
		*pid = (uint16_t)id;
		return 0;
	}
	if (strncmp(dev, "vdev:", 5) == 0) {
		dev += 5;
		comma = strchr(dev, ',');
		snprintf(name, sizeof(name), "%.*s",
			 (int)(comma ? (size_t)(comma - dev) : strlen(dev)), dev);
		if (rte_eth_dev_get_port_by_name(name, pid) == 0)
			return 0;
		if (rte_vdev_init(name, comma ? comma + 1 : "") != 0) {
			snprintf(err, errlen, "cannot create virtual device %s", name);
			return -ENODEV;
		}
		dev = name;
	} else if (rte_eth_dev_get_port_by_name(dev, pid) != 0) {
		rte_dev_probe(dev); /* a PCI address the EAL did not probe */
	}
	if (rte_eth_dev_get_port_by_name(dev, pid) != 0) {
		snprintf(err, errlen, "no DPDK port named %s", dev);
		return -ENODEV;
	}
	return 0;
}

static uint16_t rx_queues_needed(const struct dp *dp, unsigned pidx,
				 uint16_t max_rx)
{
	const struct conf *c = dp->conf;
	uint16_t n = 0;

	if (c->n_workers == 0)
		return (uint16_t)RTE_MIN(dp->n_workers, max_rx);
	for (unsigned w = 0; w < c->n_workers; w++)
		for (unsigned q = 0; q < c->workers[w].n_queues; q++)
			if (c->workers[w].queues[q].port == pidx)
				n = RTE_MAX(n, c->workers[w].queues[q].queue + 1);
	return n ? n : 1;
}

static void link_local(struct dp_port *p)
{
	uint8_t *a = p->v6[p->n_v6++];
	const uint8_t *mac = p->mac.addr_bytes;

	/* RFC 4291 §2.5.6 / appendix A: modified EUI-64 from the MAC */
	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	a[8] = mac[0] ^ 2;
	a[9] = mac[1];
	a[10] = mac[2];
	a[11] = 0xff;
	a[12] = 0xfe;
	a[13] = mac[3];
	a[14] = mac[4];
	a[15] = mac[5];
}

static void port_addrs(struct dp_port *p, const struct conf_port *cp)
{
	for (unsigned a = 0; a < cp->n_addrs; a++) {
		const struct ip_addr *h = &cp->addr_hosts[a];

		if (h->family == AF_INET)
			p->v4[p->n_v4++] = h->v4;
		else
			memcpy(p->v6[p->n_v6++], h->b, 16);
	}
	link_local(p);
}

static int queues_setup(struct dp *dp, struct dp_port *p, char *err, size_t errlen)
{
	const struct conf *c = dp->conf;
	int sock = rte_eth_dev_socket_id(p->port_id);

	if (sock < 0)
		sock = 0;
	for (uint16_t q = 0; q < p->nb_rxq; q++)
		if (rte_eth_rx_queue_setup(p->port_id, q, (uint16_t)c->rx_desc,
					   (unsigned)sock, NULL, dp->pool) != 0) {
			snprintf(err, errlen, "port %s: rx queue %u setup failed", p->name, q);
			return -EIO;
		}
	for (uint16_t q = 0; q < p->nb_txq; q++)
		if (rte_eth_tx_queue_setup(p->port_id, q, (uint16_t)c->tx_desc,
					   (unsigned)sock, NULL) != 0) {
			snprintf(err, errlen, "port %s: tx queue %u setup failed", p->name, q);
			return -EIO;
		}
	return 0;
}

/* wk_l2_words()'s halves of this port's Ethernet header. */
static void port_l2_words(struct dp_port *p)
{
	static const uint16_t types[2] = { RTE_ETHER_TYPE_IPV4, RTE_ETHER_TYPE_IPV6 };
	uint8_t b[8];

	for (int f = 0; f < 2; f++) {
		memcpy(b, p->mac.addr_bytes, 6);
		b[6] = (uint8_t)(types[f] >> 8);
		b[7] = (uint8_t)types[f];
		memcpy(&p->l2_tail[f], b, 8);
	}
	memset(b, 0, 6);
	memcpy(b + 6, p->mac.addr_bytes, 2);
	memcpy(&p->l2_src_hi, b, 8);
}

static int port_init(struct dp *dp, unsigned i, char *err, size_t errlen)
{
	const struct conf_port *cp = &dp->conf->ports[i];
	struct dp_port *p = &dp->port[i];
	struct rte_eth_dev_info info;
	struct rte_eth_conf ec = { 0 };
	char rname[32];
	int rc;

	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	p->role = (uint8_t)cp->role;
	p->mtu = cp->mtu;
	rc = find_port(cp->device, &p->port_id, err, errlen);
	if (rc < 0 || rte_eth_dev_info_get(p->port_id, &info) != 0)
		return rc < 0 ? rc : -ENODEV;
	p->nb_rxq = rx_queues_needed(dp, i, info.max_rx_queues);
	p->nb_txq = (uint16_t)dp->n_workers;
	/* The control plane gets a TX queue of its own when the device has
	 * one to spare; otherwise its packets go out through worker 0. */
	p->ctl_txq = -1;
	if (!dp->main_is_worker && info.max_tx_queues > p->nb_txq)
		p->ctl_txq = p->nb_txq++;
	if (p->nb_rxq > info.max_rx_queues || p->nb_txq > info.max_tx_queues) {
		snprintf(err, errlen, "port %s (%s): needs %u rx / %u tx queues, the "
			 "device has %u / %u", p->name, info.driver_name, p->nb_rxq,
			 p->nb_txq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	if (rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &ec) != 0) {
		snprintf(err, errlen, "port %s: configure failed", p->name);
		return -EIO;
	}
	rte_eth_dev_set_mtu(p->port_id, p->mtu); /* virtual devices may refuse */
	if (queues_setup(dp, p, err, errlen) < 0)
		return -EIO;
	rte_eth_macaddr_get(p->port_id, &p->mac);
	if (cp->has_mac) {
		memcpy(p->mac.addr_bytes, cp->mac, 6);
		rte_eth_dev_default_mac_addr_set(p->port_id, &p->mac);
	}
	port_l2_words(p);
	port_addrs(p, cp);
	snprintf(rname, sizeof(rname), "ctltx%u", i);
	p->ctl_tx = rte_ring_create(rname, 1024, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (p->ctl_tx == NULL || rte_eth_dev_start(p->port_id) != 0) {
		snprintf(err, errlen, "port %s: start failed", p->name);
		return -EIO;
	}
	if (cp->promiscuous)
		rte_eth_promiscuous_enable(p->port_id);
	rte_eth_allmulticast_enable(p->port_id); /* IPv6 ND multicast */
	dp->idx_of_port_id[p->port_id] = (uint16_t)i;
	return 0;
}

int dp_ports_init(struct dp *dp, char *err, size_t errlen)
{
	dp->n_ports = dp->conf->n_ports;
	if (dp->n_ports > DP_MAX_PORTS) {
		snprintf(err, errlen, "at most %d ports", DP_MAX_PORTS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < dp->n_ports; i++) {
		int rc = port_init(dp, i, err, errlen);

		if (rc < 0)
			return rc;
		dp->n_ports_up = i + 1;
		ELOG(INFO, "port %s: DPDK port %u, %s, %u rx / %u tx queues, MTU %u%s",
		     dp->port[i].name, dp->port[i].port_id,
		     dp->port[i].role == PORT_ROLE_LAN ? "lan" : "wan",
		     dp->port[i].nb_rxq, dp->port[i].nb_txq, dp->port[i].mtu,
		     dp->port[i].ctl_txq >= 0 ? ", control plane has its own tx queue" : "");
	}
	return 0;
}

void dp_ports_stop(struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_ports_up; i++) {
		rte_eth_dev_stop(dp->port[i].port_id);
		rte_eth_dev_close(dp->port[i].port_id);
		rte_ring_free(dp->port[i].ctl_tx);
	}
}
