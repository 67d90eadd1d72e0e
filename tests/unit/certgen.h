/* SPDX-License-Identifier: ISC */
/*
 * Throw-away certificates for tests and the demo, made with the OpenSSL API
 * at run time: a CA, router certificates naming a DNS identity (SAN), expired
 * ones, and certificates from a second, untrusted CA.
 */
#ifndef CERTGEN_H
#define CERTGEN_H

struct certgen_ca;

/*
 * A new CA (P-256 key, self-signed, valid from a day ago for days_valid days)
 * written to DIR/NAME.crt and DIR/NAME.key (mode 0600).  NULL on error, with
 * the reason on stderr.  Free with certgen_ca_free().
 */
struct certgen_ca *certgen_ca_new(const char *dir, const char *name,
		    int days_valid);
void		 certgen_ca_free(struct certgen_ca *);

/*
 * A certificate for dns (SAN dNSName and CN) issued by ca, valid from
 * not_before_days to not_after_days relative to now (negative: in the past),
 * written to DIR/NAME.crt and DIR/NAME.key (0600).  0, or -1 on error.
 */
int		 certgen_leaf(struct certgen_ca *ca, const char *dir,
		    const char *name, const char *dns, int not_before_days,
		    int not_after_days);

#endif /* CERTGEN_H */
