/* SPDX-License-Identifier: ISC */
/*
 * TLS 1.3 contexts and connections for peer channels (spec §8.2, §10.2):
 * mutual certificates, identity pinning, ALPN "ctpd/1", no compression,
 * tickets or 0-RTT, and the reasons of failed handshakes in words.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tls.h"

static const unsigned char tls_alpn_wire[] = "\x06" TLS_ALPN;

static int
tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned char	*sel;

	(void)ssl;
	(void)arg;
	/* ALPN is required: a client that does not offer ctpd/1 is refused. */
	if (SSL_select_next_proto(&sel, outlen, tls_alpn_wire,
	    sizeof(tls_alpn_wire) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static void
tls_log_files(const char *what, const char *file)
{
	unsigned long	 e;
	char		 buf[256];

	e = ERR_peek_last_error();
	ERR_error_string_n(e, buf, sizeof(buf));
	log_warnx("tls: cannot load %s %s: %s", what, file,
	    e != 0 ? ERR_reason_error_string(e) != NULL ?
	    ERR_reason_error_string(e) : buf : "unknown error");
	ERR_clear_error();
}

SSL_CTX *
tls_ctx_new(const struct ctp_conf_tls *t)
{
	SSL_CTX	*ctx;

	if (t->certificate == NULL || t->key == NULL || t->ca == NULL) {
		log_warnx("tls: certificate, key and ca must all be set");
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_method())) == NULL) {
		log_warnx("tls: cannot create a context");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
		log_warnx("tls: this OpenSSL has no TLS 1.3");
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
	    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_max_early_data(ctx, 0);
	SSL_CTX_set_recv_max_early_data(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, t->certificate) != 1) {
		tls_log_files("certificate", t->certificate);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, t->key, SSL_FILETYPE_PEM) != 1) {
		tls_log_files("key", t->key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		log_warnx("tls: key %s does not match certificate %s", t->key,
		    t->certificate);
		ERR_clear_error();
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, t->ca, NULL) != 1) {
		tls_log_files("ca", t->ca);
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_select, NULL);
	return ctx;
 fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL *
tls_conn_new(SSL_CTX *ctx, bool server, const char *identity)
{
	SSL	*ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	/*
	 * The name is checked in both roles: X509_VERIFY_PARAM applies to the
	 * peer's chain whether it is a server's or a client's (§10.2).
	 */
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (identity == NULL || SSL_set1_host(ssl, identity) != 1)
		goto fail;
	if (!server && SSL_set_alpn_protos(ssl, tls_alpn_wire,
	    sizeof(tls_alpn_wire) - 1) != 0)
		goto fail;
	return ssl;
 fail:
	SSL_free(ssl);
	return NULL;
}

bool
tls_alpn_ok(const SSL *ssl)
{
	const unsigned char	*p;
	unsigned int		 n;

	SSL_get0_alpn_selected(ssl, &p, &n);
	return n == sizeof(tls_alpn_wire) - 2 &&
	    memcmp(p, tls_alpn_wire + 1, n) == 0;
}

int
tls_cert_cmp(const SSL *ssl)
{
	X509		*own, *peer;
	unsigned char	 a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
	unsigned int	 na = 0, nb = 0;

	own = SSL_get_certificate(ssl);
	peer = SSL_get0_peer_certificate(ssl);
	if (own == NULL || peer == NULL ||
	    X509_digest(own, EVP_sha256(), a, &na) != 1 ||
	    X509_digest(peer, EVP_sha256(), b, &nb) != 1 || na != nb)
		return 0;
	return memcmp(a, b, na);
}

static const char *
tls_verify_text(long v)
{
	switch (v) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
		return "certificate does not name the configured identity";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return "certificate not issued by the configured CA";
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "certificate has expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "certificate is not yet valid";
	default:
		return NULL;
	}
}

void
tls_reason(const SSL *ssl, unsigned long err, int sys_errno, char *buf,
    size_t len)
{
	const char	*r, *t;
	char		 ebuf[128];
	long		 v = X509_V_OK;

	if (ssl != NULL)
		v = SSL_get_verify_result(ssl);
	if (v != X509_V_OK) {
		t = tls_verify_text(v);
		snprintf(buf, len, "rejected the peer's certificate: %s (%s)",
		    t != NULL ? t : X509_verify_cert_error_string(v),
		    X509_verify_cert_error_string(v));
		return;
	}
	if (err != 0) {
		if ((r = ERR_reason_error_string(err)) == NULL) {
			ERR_error_string_n(err, ebuf, sizeof(ebuf));
			r = ebuf;
		}
		if (strstr(r, "alert") != NULL)
			snprintf(buf, len, "peer refused the handshake: %s",
			    r);
		else
			snprintf(buf, len, "TLS error: %s", r);
		return;
	}
	if (sys_errno != 0)
		snprintf(buf, len, "%s", strerror(sys_errno));
	else
		snprintf(buf, len, "connection closed");
}
