/* SPDX-License-Identifier: ISC */
/*
 * Throw-away CA and router certificates for the channel tests, the
 * integration tests and the demo (certgen.h).  P-256 keys keep it fast.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certgen.h"

struct certgen_ca {
	EVP_PKEY	*key;
	X509		*crt;
};

static long	 certgen_serial = 1;

static int
certgen_write(const char *dir, const char *name, EVP_PKEY *key, X509 *crt)
{
	char	 path[4096];
	FILE	*f;
	int	 fd, ok;

	snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		goto fail;
	ok = PEM_write_X509(f, crt);
	if (fclose(f) != 0 || !ok)
		goto fail;
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	(void)unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL)
		goto fail;
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok)
		goto fail;
	return 0;
 fail:
	fprintf(stderr, "certgen: cannot write %s\n", path);
	return -1;
}

static int
certgen_ext(X509 *crt, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&ctx, issuer, crt, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A certificate for key, signed by ikey (self-signed when issuer is NULL). */
static X509 *
certgen_make(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    int nb_days, int na_days, bool ca, const char *dns)
{
	X509		*crt;
	X509_NAME	*nm;
	char		 san[300];

	if ((crt = X509_new()) == NULL)
		return NULL;
	X509_set_version(crt, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(crt), certgen_serial++);
	X509_gmtime_adj(X509_getm_notBefore(crt), (long)nb_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(crt), (long)na_days * 86400);
	X509_set_pubkey(crt, key);
	nm = X509_get_subject_name(crt);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(crt, issuer != NULL ?
	    X509_get_subject_name(issuer) : nm);
	if (issuer == NULL)
		issuer = crt;
	if (ca) {
		if (certgen_ext(crt, issuer, NID_basic_constraints,
		    "critical,CA:TRUE") == -1 ||
		    certgen_ext(crt, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign") == -1 ||
		    certgen_ext(crt, issuer, NID_subject_key_identifier,
		    "hash") == -1)
			goto fail;
	} else {
		snprintf(san, sizeof(san), "DNS:%s", dns);
		if (certgen_ext(crt, issuer, NID_basic_constraints,
		    "critical,CA:FALSE") == -1 ||
		    certgen_ext(crt, issuer, NID_key_usage,
		    "critical,digitalSignature") == -1 ||
		    certgen_ext(crt, issuer, NID_ext_key_usage,
		    "serverAuth,clientAuth") == -1 ||
		    certgen_ext(crt, issuer, NID_subject_alt_name, san) == -1 ||
		    certgen_ext(crt, issuer, NID_authority_key_identifier,
		    "keyid") == -1)
			goto fail;
	}
	if (X509_sign(crt, ikey, EVP_sha256()) == 0)
		goto fail;
	return crt;
 fail:
	X509_free(crt);
	return NULL;
}

struct certgen_ca *
certgen_ca_new(const char *dir, const char *name, int days_valid)
{
	struct certgen_ca	*ca;

	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return NULL;
	if ((ca->key = EVP_EC_gen("P-256")) == NULL ||
	    (ca->crt = certgen_make(ca->key, name, NULL, ca->key, -1,
	    days_valid, true, NULL)) == NULL ||
	    certgen_write(dir, name, ca->key, ca->crt) == -1) {
		fprintf(stderr, "certgen: CA %s failed\n", name);
		ERR_print_errors_fp(stderr);
		certgen_ca_free(ca);
		return NULL;
	}
	return ca;
}

void
certgen_ca_free(struct certgen_ca *ca)
{
	if (ca == NULL)
		return;
	EVP_PKEY_free(ca->key);
	X509_free(ca->crt);
	free(ca);
}

int
certgen_leaf(struct certgen_ca *ca, const char *dir, const char *name,
    const char *dns, int not_before_days, int not_after_days)
{
	EVP_PKEY	*key;
	X509		*crt = NULL;
	int		 r = -1;

	if ((key = EVP_EC_gen("P-256")) == NULL)
		goto done;
	if ((crt = certgen_make(key, dns, ca->crt, ca->key, not_before_days,
	    not_after_days, false, dns)) == NULL)
		goto done;
	r = certgen_write(dir, name, key, crt);
 done:
	if (r == -1) {
		fprintf(stderr, "certgen: certificate %s failed\n", name);
		ERR_print_errors_fp(stderr);
	}
	X509_free(crt);
	EVP_PKEY_free(key);
	return r;
}
