/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_SA_H
#define ESPRIT_IKE_SA_H
/*
 * Internal state of the IKE daemon: IKE SAs, child SAs, the exchange in
 * flight, and the functions the exchange handlers (ike_init.c IKE_SA_INIT,
 * ike_authx.c IKE_AUTH, ike_child.c CREATE_CHILD_SA, ike_info.c
 * INFORMATIONAL, ike_timer.c) share.
 *
 * Windows (RFC 7296 §2.3): one request of ours in flight per IKE SA, and
 * the peer's requests answered in order; the last response is kept to
 * answer a retransmitted request (§2.1). Further work (new children,
 * rekeys, deletes, DPD) waits in a small job queue until the window is
 * free.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ike/ike.h"
#include "ike/ike_conf.h"
#include "ike/ike_crypto.h"
#include "ike/ike_msg.h"
#include "ike/ike_proposal.h"
#include "ike/ike_ts.h"

/* Counters: received, sent, and dropped by reason. */
#define IKE_COUNTERS(X)                                                        \
	X(rx, "datagrams received")                                            \
	X(tx, "datagrams sent")                                                \
	X(rx_keepalive, "NAT keepalives received")                             \
	X(drop_no_marker, "on 4500 without the non-ESP marker")                \
	X(drop_short, "shorter than the IKE header")                           \
	X(drop_too_big, "larger than we accept")                               \
	X(drop_version, "major version not 2")                                 \
	X(drop_length, "header length != datagram")                            \
	X(drop_exch, "unknown exchange type")                                  \
	X(drop_syntax, "malformed payloads")                                   \
	X(drop_critical, "unsupported critical payload")                       \
	X(drop_unknown_spi, "no IKE SA for the SPIs")                          \
	X(drop_msgid, "message ID out of window")                              \
	X(drop_unexpected, "response without a request")                       \
	X(drop_decrypt, "integrity check or decryption failed")                \
	X(drop_inner_syntax, "malformed encrypted payloads")                   \
	X(drop_state, "exchange not allowed in this state")                    \
	X(drop_no_conn, "no connection for the addresses")                     \
	X(drop_half_open, "too many half-open SAs")                            \
	X(cookie_sent, "IKE_SA_INIT answered with a COOKIE")                   \
	X(rx_retransmit, "retransmitted requests answered from cache")         \
	X(tx_retransmit, "requests retransmitted")                             \
	X(tx_fail, "send errors")                                              \
	X(no_proposal, "NO_PROPOSAL_CHOSEN")                                   \
	X(invalid_ke, "INVALID_KE_PAYLOAD")                                    \
	X(auth_failed, "AUTHENTICATION_FAILED")                                \
	X(ts_unacceptable, "TS_UNACCEPTABLE")                                  \
	X(timeout, "exchanges given up")                                       \
	X(ike_established, "IKE SAs established")                              \
	X(ike_rekeyed, "IKE SAs rekeyed")                                      \
	X(ike_deleted, "IKE SAs deleted")                                      \
	X(child_installed, "child SAs installed")                              \
	X(child_install_fail, "child SA installs failed")                      \
	X(child_rekeyed, "child SAs rekeyed")                                  \
	X(child_deleted, "child SAs deleted")

enum ike_ctr {
#define X(n, d) IKE_C_##n,
	IKE_COUNTERS(X)
#undef X
	IKE_C_MAX
};

enum ike_state {
	IKE_ST_INIT_SENT,	/* initiator: IKE_SA_INIT request out */
	IKE_ST_INIT_DONE,	/* responder: waiting for IKE_AUTH */
	IKE_ST_AUTH_SENT,	/* initiator: IKE_AUTH request out */
	IKE_ST_ESTABLISHED,
	IKE_ST_REKEYED,		/* replaced; waiting for its DELETE */
	IKE_ST_DELETING,	/* our DELETE is out */
	IKE_ST_DEAD,		/* freed at the next tick */
};

enum ike_req_kind {
	IKE_REQ_NONE,
	IKE_REQ_INIT,
	IKE_REQ_AUTH,
	IKE_REQ_CHILD_NEW,
	IKE_REQ_CHILD_REKEY,
	IKE_REQ_IKE_REKEY,
	IKE_REQ_DELETE_IKE,
	IKE_REQ_DELETE_CHILD,
	IKE_REQ_DPD,
};

struct ike_child {
	struct ike_child *next;
	uint64_t id;
	char name[IKE_NAME_MAX];
	const struct ike_child_cfg *cfg;
	uint32_t spi_in, spi_out; /* host order */
	struct ike_suite suite;
	struct ike_ts_list ts_local, ts_remote;
	enum sa_mode mode;
	bool installed, rekeying, rekeyed;
	uint64_t created_ms, rekey_ms, expire_ms;
};

/* Our request in flight, and what is needed to finish it. */
struct ike_req {
	enum ike_req_kind kind;
	uint32_t msgid;
	uint8_t *buf;
	size_t len;
	uint64_t next_ms, deadline_ms;
	unsigned tries;
	/* CREATE_CHILD_SA / IKE_AUTH child state */
	const struct ike_child_cfg *cfg;
	uint64_t old_child;		/* rekeyed / deleted child id */
	uint32_t spi_in;
	uint8_t nonce[32];
	struct ike_dh *dh;
	uint16_t dh_group;
	uint8_t new_spi[8];		/* IKE SA rekey: our new SPI */
	struct ike_ts_list tsi, tsr;	/* what we proposed */
	bool transport;
};

enum ike_job_kind { IKE_JOB_CHILD, IKE_JOB_REKEY_CHILD, IKE_JOB_REKEY_IKE,
		    IKE_JOB_DELETE_CHILD, IKE_JOB_DELETE_IKE, IKE_JOB_DPD };
struct ike_job {
	enum ike_job_kind kind;
	const struct ike_child_cfg *cfg;
	uint64_t child;
};
#define IKE_JOBS 16

struct ike_sa {
	struct ike_sa *next;
	struct ike *ike;
	uint64_t serial;
	struct ike_conn *conn;
	bool initiator;		/* original initiator of this IKE SA */
	enum ike_state state;
	uint8_t spi_i[8], spi_r[8];
	struct ip_addr local, remote;
	uint16_t lport, rport;
	bool natt, nat_local, nat_remote;
	struct ike_suite suite;
	struct ike_sa_keys keys;
	bool have_keys;
	struct ike_dh *dh;
	uint16_t dh_group;
	uint8_t ni[256], nr[256];
	size_t ni_len, nr_len;
	uint8_t *my_init, *peer_init;	/* IKE_SA_INIT messages, for AUTH */
	size_t my_init_len, peer_init_len;
	uint8_t cookie[64];
	size_t cookie_len;
	struct ike_offer init_offer;	/* initiator: sent in IKE_SA_INIT */
	const struct ike_child_cfg *auth_cfg; /* initiator: IKE_AUTH's child */
	uint32_t next_msgid, peer_msgid;
	struct ike_req req;
	struct ike_req done;		/* the request a response completed */
	uint8_t *resp;			/* cached response to peer_msgid - 1 */
	size_t resp_len;
	bool have_resp;
	struct ike_child *children;
	struct ike_job jobs[IKE_JOBS];
	unsigned n_jobs;
	uint8_t peer_hashes;		/* RFC 7427 bitmap, bit n = hash n */
	bool peer_certreq;
	struct ike_id peer_id;
	uint64_t created_ms, established_ms, last_rx_ms, rekey_ms, reauth_ms;
	uint64_t rekeyed_ms;
	uint64_t alive_ms;	/* last sign of life known (ike_timer.c probe_due) */
};

struct ike {
	struct ike_host_ops ops;
	void *host;
	struct ike_conf *conf;
	struct ike_sa *sas;
	uint64_t next_serial, next_child_id;
	uint64_t ctr[IKE_C_MAX];
	bool start_done;
	uint64_t last_spi_notify_ms;
	/* §2.6 cookies: demanded above this many half-open SAs. */
	unsigned cookie_threshold;
	uint8_t cookie_secret[32];
};

/* --- ike_daemon.c / ike_sa.c: SAs, sending ------------------------------ */
uint64_t ike_now(struct ike *ike);
struct ike_sa *ike_sa_new(struct ike *ike, struct ike_conn *conn,
			  bool initiator);
void ike_sa_destroy(struct ike_sa *sa);	/* children removed, keys zeroed */
void ike_sa_kill(struct ike_sa *sa, const char *why); /* mark dead */
void ike_sa_established(struct ike_sa *sa);
int ike_sa_send(struct ike_sa *sa, const uint8_t *buf, size_t len);
int ike_send_to(struct ike *ike, const struct ip_addr *src, uint16_t sport,
		const struct ip_addr *dst, uint16_t dport, const uint8_t *buf,
		size_t len);
/* Start a message of this SA: header with our I flag, msgid. */
void ike_sa_wr(struct ike_sa *sa, struct ike_wr *w, uint8_t *buf, size_t cap,
	       uint8_t exch, bool response, uint32_t msgid);
/* Send and keep as our request in flight (takes a copy). */
int ike_sa_request(struct ike_sa *sa, enum ike_req_kind kind,
		   const uint8_t *buf, size_t len);
/* Send and cache as the response to the peer's current request. */
int ike_sa_respond(struct ike_sa *sa, const uint8_t *buf, size_t len);
void ike_req_clear(struct ike_req *r);
/* An encrypted response with one notify (errors, §2.21). */
void ike_sa_respond_notify(struct ike_sa *sa, const struct ike_msg *m,
			   uint16_t type, const void *data, size_t n);
void ike_sa_job(struct ike_sa *sa, enum ike_job_kind kind,
		const struct ike_child_cfg *cfg, uint64_t child);
void ike_sa_run_jobs(struct ike_sa *sa);
void ike_sa_float(struct ike_sa *sa, const struct ip_addr *src, uint16_t sport,
		  const struct ip_addr *dst, uint16_t dport);
uint32_t ike_new_spi(struct ike *ike);
#define IKE_COUNT(ike, c) ((ike)->ctr[IKE_C_##c]++)
/* Logging through the host's optional log op (syslog levels). */
void ike_log(struct ike *ike, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define SA_LOG(sa, level, fmt, ...)                                            \
	ike_log((sa)->ike, level, "%s[%llu]: " fmt,                           \
		(sa)->conn ? (sa)->conn->name : "-",                           \
		(unsigned long long)(sa)->serial, ##__VA_ARGS__)

/* --- ike_childsa.c: child SAs in the data plane ------------------------- */
struct ike_child *ike_child_find(struct ike_sa *sa, uint64_t id);
struct ike_child *ike_child_by_spi_out(struct ike_sa *sa, uint32_t spi);
struct ike_child *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi);
/* Derive keys (§2.17) and install; `we_init` = we initiated the exchange
 * that created it (its nonce is Ni). The child is added to the SA. */
struct ike_child *ike_child_create(struct ike_sa *sa,
				   const struct ike_child_cfg *cfg,
				   const struct ike_suite *suite,
				   uint32_t spi_in, uint32_t spi_out,
				   const struct ike_ts_list *ts_local,
				   const struct ike_ts_list *ts_remote,
				   enum sa_mode mode, bool we_init,
				   const uint8_t *ni, size_t ni_len,
				   const uint8_t *nr, size_t nr_len,
				   const uint8_t *gir, size_t gir_len);
void ike_child_remove(struct ike_sa *sa, struct ike_child *c);
/* Responder's pick of a child config: narrowing and proposal. Returns the
 * notify to send on failure (0 on success). */
uint16_t ike_child_pick(struct ike_sa *sa, const struct ike_msg *m,
			bool ignore_dh, const struct ike_child_cfg *only,
			const struct ike_child_cfg **cfg,
			struct ike_suite *suite, struct ike_ts_list *tsi,
			struct ike_ts_list *tsr);

/* --- exchanges ------------------------------------------------------------ */
struct ike_sa *ike_init_start(struct ike *ike, struct ike_conn *conn,
			      const struct ike_child_cfg *child);
void ike_init_request(struct ike *ike, const struct ike_msg *m,
		      const struct ip_addr *src, uint16_t sport,
		      const struct ip_addr *dst, uint16_t dport);
void ike_init_response(struct ike_sa *sa, const struct ike_msg *m);
void ike_nat_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
		  const struct ip_addr *a, uint16_t port, uint8_t out[20]);

void ike_authx_start(struct ike_sa *sa);
void ike_authx_request(struct ike_sa *sa, const struct ike_msg *m);
void ike_authx_response(struct ike_sa *sa, const struct ike_msg *m);

void ike_child_start(struct ike_sa *sa, const struct ike_child_cfg *cfg,
		     struct ike_child *old);
void ike_ike_rekey_start(struct ike_sa *sa);
void ike_child_request(struct ike_sa *sa, const struct ike_msg *m);
void ike_rekey_request(struct ike_sa *sa, const struct ike_msg *m,
		       const struct ike_offer *offer);
void ike_rekey_response(struct ike_sa *sa, const struct ike_msg *m);
int ike_write_ke(struct ike_wr *w, const struct ike_dh *dh, uint16_t group);
int ike_ke_shared(struct ike_dh *dh, uint16_t group, const struct ike_pl *ke,
		  uint8_t *out, size_t cap);
void ike_child_response(struct ike_sa *sa, const struct ike_msg *m);

void ike_info_delete_ike(struct ike_sa *sa);
void ike_info_delete_child(struct ike_sa *sa, struct ike_child *c);
void ike_info_dpd(struct ike_sa *sa);
void ike_info_request(struct ike_sa *sa, const struct ike_msg *m);
void ike_info_response(struct ike_sa *sa, const struct ike_msg *m);

void ike_timer_sa(struct ike_sa *sa, uint64_t now);
void ike_timer_req_failed(struct ike_sa *sa);

/* --- ike_authx.c helpers used by ike_init.c ------------------------------ */
int ike_sa_derive(struct ike_sa *sa, const uint8_t *gir, size_t gir_len,
		  const struct ike_sa_keys *old);

#endif
