/* SPDX-License-Identifier: ISC */
/*
 * TLS 1.3 for peer channels (spec §8.2, §10.2): one SSL_CTX with this
 * router's certificate, mutual verification against the configured CA, the
 * ALPN "ctpd/1" and no compression, tickets or early data; per-connection
 * identity pinning; readable reasons for failed handshakes.
 */
#ifndef CTPD_TLS_H
#define CTPD_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "ctp_conf.h"

#define TLS_ALPN	"ctpd/1"

/*
 * A context for both roles from the files in t; NULL with the reason logged
 * (file named, OpenSSL's reason appended).  Free with SSL_CTX_free().
 */
SSL_CTX		*tls_ctx_new(const struct ctp_conf_tls *t);
/*
 * A connection that accepts only a peer certificate naming identity (SAN
 * dNSName, or CN without SAN; no partial wildcards).  NULL if out of memory.
 */
SSL		*tls_conn_new(SSL_CTX *ctx, bool server, const char *identity);
/* True if the handshake on ssl negotiated TLS_ALPN. */
bool		 tls_alpn_ok(const SSL *ssl);
/*
 * After a handshake: <0, 0 or >0 as the SHA-256 fingerprint of our own
 * certificate compares with the peer's (0 also if either is missing).  Both
 * routers compare the same two certificates, so they agree on the order.
 */
int		 tls_cert_cmp(const SSL *ssl);
/*
 * Why a handshake or a TLS read failed, for logs: the verify result of the
 * peer's certificate if it was rejected here, else the first OpenSSL reason
 * in err (0: none; a TLS alert from the peer reads "peer sent alert ..."),
 * else sys_errno.  Writes a NUL-terminated string into buf.
 */
void		 tls_reason(const SSL *ssl, unsigned long err, int sys_errno,
		    char *buf, size_t len);

#endif /* CTPD_TLS_H */
