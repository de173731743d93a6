/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_MSG_H
#define ESPRIT_IKE_MSG_H
/*
 * IKEv2 message codec (RFC 7296 §3).
 *
 * Parsing follows OpenBSD iked's "validate before handle": ike_msg_parse()
 * checks the IKE header (§3.1), walks the payload chain checking every
 * generic header (§3.2) and then the structure of every known payload
 * (§3.3-3.15). Only then does a handler look at the parsed view, which holds
 * pointers into the caller's buffer (the buffer must outlive the view).
 * The Encrypted payload (§3.14) is opened by the caller; its plaintext is
 * parsed with ike_msg_parse_inner() into the same view.
 *
 * The writer appends payloads to a buffer, patching each previous payload's
 * Next Payload field and every length when the payload is closed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "ike/ike_proposal.h"

#define IKE_HDR_LEN 28
#define IKE_GEN_LEN 4
#define IKE_MSG_MAX_PL 48	/* payloads kept per message (outer + inner) */
#define IKE_MSG_MAX_N 24	/* notifies kept */
#define IKE_MSG_MAX_CERT 4
#define IKE_MAX_MSG 8192	/* largest message we build or accept */

/* Exchange types (§3.1). */
enum ike_exch {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	IKE_CREATE_CHILD_SA = 36,
	IKE_INFORMATIONAL = 37,
};

/* Header flags (§3.1). */
#define IKE_FLAG_I 0x08
#define IKE_FLAG_V 0x10
#define IKE_FLAG_R 0x20

/* Payload types (§3.2). */
enum ike_pl_type {
	IKE_PL_NONE = 0,
	IKE_PL_SA = 33,
	IKE_PL_KE = 34,
	IKE_PL_IDI = 35,
	IKE_PL_IDR = 36,
	IKE_PL_CERT = 37,
	IKE_PL_CERTREQ = 38,
	IKE_PL_AUTH = 39,
	IKE_PL_NONCE = 40,
	IKE_PL_NOTIFY = 41,
	IKE_PL_DELETE = 42,
	IKE_PL_VENDOR = 43,
	IKE_PL_TSI = 44,
	IKE_PL_TSR = 45,
	IKE_PL_SK = 46,
	IKE_PL_CP = 47,
	IKE_PL_EAP = 48,
};

/* Notify message types (§3.10.1). */
enum ike_notify {
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_IKE_SPI = 4,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_INVALID_MESSAGE_ID = 9,
	IKE_N_INVALID_SPI = 11,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_SINGLE_PAIR_REQUIRED = 34,
	IKE_N_NO_ADDITIONAL_SAS = 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKE_N_FAILED_CP_REQUIRED = 37,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_INVALID_SELECTORS = 39,
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	IKE_N_ERROR_MAX = 16383, /* types below 16384 are errors */
	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_SET_WINDOW_SIZE = 16385,
	IKE_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IKE_N_IPCOMP_SUPPORTED = 16387,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_REKEY_SA = 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IKE_N_MOBIKE_SUPPORTED = 16396,
	IKE_N_FRAGMENTATION_SUPPORTED = 16430,
	IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,
};

/* Protocol IDs (§3.3.1). */
enum ike_proto { IKE_PROTO_IKE = 1, IKE_PROTO_AH = 2, IKE_PROTO_ESP = 3 };

/* ID types (§3.5). */
enum ike_id_type {
	IKE_ID_IPV4 = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822 = 3,
	IKE_ID_IPV6 = 5,
	IKE_ID_DER_ASN1_DN = 9,
	IKE_ID_KEY_ID = 11,
};

/* Certificate encodings (§3.6). */
#define IKE_CERT_X509_SIG 4

/* Why a message was not accepted; the parser's verdict. */
enum ike_perr {
	IKE_PERR_OK = 0,
	IKE_PERR_SHORT,		/* shorter than the IKE header */
	IKE_PERR_VERSION,	/* major version not 2 */
	IKE_PERR_LENGTH,	/* header length != datagram */
	IKE_PERR_EXCH,		/* unknown exchange type */
	IKE_PERR_SYNTAX,	/* any structural error: INVALID_SYNTAX */
	IKE_PERR_CRITICAL,	/* unknown payload with the critical bit */
	IKE_PERR_TOO_MANY,	/* more payloads than we keep */
};

/* One payload: type and body (after the generic header). */
struct ike_pl {
	uint8_t type;
	const uint8_t *body;
	size_t len;
};

/* A parsed Notify (§3.10). */
struct ike_n {
	uint8_t proto, spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

/* A parsed Delete (§3.11). */
struct ike_del {
	uint8_t proto, spi_size;
	uint16_t n;
	const uint8_t *spis;
};

struct ike_msg {
	const uint8_t *buf;
	size_t len;
	uint8_t spi_i[8], spi_r[8];
	uint8_t first_np, version, exch, flags;
	uint32_t msgid;
	unsigned n_pl;
	struct ike_pl pl[IKE_MSG_MAX_PL];
	/* Shortcuts filled by validation: the first payload of each kind. */
	const struct ike_pl *sa, *ke, *idi, *idr, *auth, *nonce, *tsi, *tsr;
	const struct ike_pl *sk;	/* Encrypted payload (outer only) */
	uint8_t sk_np;			/* its first inner payload type */
	size_t sk_off;			/* offset of its generic header */
	unsigned n_notify, n_cert, n_certreq, n_delete;
	struct ike_n notify[IKE_MSG_MAX_N];
	const struct ike_pl *cert[IKE_MSG_MAX_CERT];
	const struct ike_pl *certreq;
	struct ike_del del[IKE_MSG_MAX_N];
	uint8_t crit_type;	/* offending type for UNSUPPORTED_CRITICAL_PAYLOAD */
	const char *why;	/* static text describing the last error */
};

static inline bool ike_msg_is_response(const struct ike_msg *m)
{
	return (m->flags & IKE_FLAG_R) != 0;
}
static inline bool ike_msg_from_initiator(const struct ike_msg *m)
{
	return (m->flags & IKE_FLAG_I) != 0;
}

/* Header, chain walk and structural checks of the unencrypted payloads. */
enum ike_perr ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len);
/* The plaintext of the Encrypted payload, first payload type `np`. */
enum ike_perr ike_msg_parse_inner(struct ike_msg *m, const uint8_t *pt,
				  size_t len, uint8_t np);
/* Structural check of one payload body (§3.3-3.15); used by the parser. */
bool ike_pl_valid(struct ike_msg *m, uint8_t type, const uint8_t *b,
		  size_t len);
/* Find a notify; NULL if absent. */
const struct ike_n *ike_msg_notify(const struct ike_msg *m, uint16_t type);
/* First error notify (type < 16384), or NULL. */
const struct ike_n *ike_msg_error(const struct ike_msg *m);

/* --- Parsed payload contents --------------------------------------------- */
/* SA payload (§3.3) as a list of proposals. */
int ike_sa_pl_parse(const uint8_t *b, size_t len, struct ike_offer *out);

/* --- Writer -------------------------------------------------------------- */
struct ike_wr {
	uint8_t *buf;
	size_t cap, len;
	size_t np_off;	/* where the next payload's type is to be patched */
	size_t sk_off;	/* Encrypted payload start, 0 = none */
	size_t sk_pt;	/* start of its plaintext */
	bool err;	/* ran out of space */
};

void ike_wr_init(struct ike_wr *w, uint8_t *buf, size_t cap,
		 const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t exch,
		 uint8_t flags, uint32_t msgid);
/* Open a payload: writes the generic header, links it; returns its offset. */
size_t ike_wr_begin(struct ike_wr *w, uint8_t type);
void ike_wr_end(struct ike_wr *w, size_t off); /* patch the payload length */
void ike_wr_put(struct ike_wr *w, const void *p, size_t n);
void ike_wr_u8(struct ike_wr *w, uint8_t v);
void ike_wr_u16(struct ike_wr *w, uint16_t v);
void ike_wr_u32(struct ike_wr *w, uint32_t v);
void ike_wr_zero(struct ike_wr *w, size_t n);
/* A whole payload in one call: header, body, length. */
void ike_wr_pl(struct ike_wr *w, uint8_t type, const void *body, size_t n);
void ike_wr_notify(struct ike_wr *w, uint8_t proto, const void *spi,
		   uint8_t spi_size, uint16_t type, const void *data, size_t n);
/* Encrypted payload: open before the inner payloads, close after them. */
void ike_wr_sk_begin(struct ike_wr *w, const struct ike_sa_keys *k);
int ike_wr_sk_end(struct ike_wr *w, const struct ike_sa_keys *k,
		  bool initiator);
/* Patch the header length; returns the message length or -ENOSPC. */
int ike_wr_finish(struct ike_wr *w);

/* Names for logs. */
const char *ike_exch_name(uint8_t exch);
const char *ike_notify_name(uint16_t type);

#endif
