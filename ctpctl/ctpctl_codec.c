/* SPDX-License-Identifier: ISC */
/*
 * ctpctl decode and encode: offline conversion between CXTP messages (raw or
 * in their ICMP wrapper, binary or hex text) and the JSON of ctp_json.h, for
 * reading captures and crafting test messages.  Needs no running ctpd.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ctp_json.h"
#include "ctp_msg.h"
#include "ctpctl.h"

#define PKT_MAX		(CTP_ICMP_HDR_LEN + 65536)

/* A decoded message is large (CDB and entry arrays); keep it off the stack. */
static struct ctp_msg	 msg;
static uint8_t		 store[65536];
static uint8_t		 pkt[PKT_MAX];

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex text: every octet a hex digit, white space or ':' (and not empty). */
static bool
is_hex_text(const uint8_t *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (hexval(b[i]) < 0 && !isspace(b[i]) && b[i] != ':')
			return false;
	return n > 0;
}

/* Convert hex text in place; *n becomes the number of octets. */
static int
unhex(const struct ctpctl *ctl, uint8_t *b, size_t *n)
{
	size_t	 i, out = 0;
	int	 hi = -1, v;

	for (i = 0; i < *n; i++) {
		if ((v = hexval(b[i])) < 0)
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		b[out++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		ctpctl_fail(ctl, "INPUT", -1, "odd number of hex digits");
		return -1;
	}
	*n = out;
	return 0;
}

static int
fail_ctp(const struct ctpctl *ctl, enum ctp_err e, long long off)
{
	return ctpctl_fail(ctl, ctp_errname(e), off, "%s", ctp_strerror(e));
}

/* The ICMP wrapper's fields (ctpctl(8), JSON FORMAT). */
static json_t *
icmp_json(const struct ctp_icmp *ic)
{
	char	 csum[8];
	json_t	*o;

	snprintf(csum, sizeof(csum), "0x%04x", ic->csum);
	o = json_pack("{s:s, s:i, s:i, s:s, s:b, s:i}",
	    "family", ic->v6 ? "ipv6" : "ipv4", "type", ic->type,
	    "code", ic->code, "checksum", csum, "checksum_verified", !ic->v6,
	    "subtype", ic->subtype);
	if (o != NULL && ic->v6 && json_object_set_new(o, "notes",
	    json_pack("[s]", "the ICMPv6 checksum covers an IPv6 "
	    "pseudo-header and cannot be verified without the source and "
	    "destination addresses")) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
decode(struct ctpctl *ctl, uint8_t *b, size_t len, int flags)
{
	struct ctp_icmp	 ic;
	const uint8_t	*body = b;
	size_t		 blen = len, boff = 0, off = 0;
	json_t		*doc, *mj = NULL, *ij = NULL;
	enum ctp_err	 e;
	int		 rc;

	/* The first octet tells an ICMP wrapper from a bare message. */
	if (len > 0 && (b[0] == CTP_ICMP4_TYPE || b[0] == CTP_ICMP6_TYPE)) {
		if ((e = ctp_icmp_decode(b, len, b[0] == CTP_ICMP6_TYPE, NULL,
		    NULL, &ic, &off)) != CTP_OK)
			return fail_ctp(ctl, e, (long long)off);
		body = ic.body;
		blen = ic.body_len;
		boff = (size_t)(ic.body - b);
		if ((ij = icmp_json(&ic)) == NULL)
			return fail_ctp(ctl, CTP_ERR_NOMEM, -1);
	}
	if ((e = ctp_msg_decode(body, blen, NULL, &msg, &off)) != CTP_OK) {
		json_decref(ij);
		return fail_ctp(ctl, e, (long long)(boff + off));
	}
	if (ij != NULL && msg.hdr.type != CTP_MSG_CTAR &&
	    msg.hdr.type != CTP_MSG_CTAA) {
		json_decref(ij);
		return fail_ctp(ctl, CTP_ERR_ICMP_MSG, (long long)boff);
	}
	if ((e = ctp_json_from_msg(&msg, flags, &mj)) != CTP_OK) {
		json_decref(ij);
		return fail_ctp(ctl, e, -1);
	}
	if ((doc = json_pack("{s:s}", "status", "ok")) == NULL ||
	    (ij != NULL && json_object_set(doc, "icmp", ij) != 0) ||
	    json_object_set(doc, "message", mj) != 0) {
		json_decref(ij);
		json_decref(mj);
		json_decref(doc);
		return fail_ctp(ctl, CTP_ERR_NOMEM, -1);
	}
	json_decref(ij);
	json_decref(mj);
	ctl->out->result(ctl, doc);
	rc = ferror(stdout) ? ctpctl_fail(ctl, NULL, -1,
	    "standard output: write error") : CTPCTL_EXIT_OK;
	json_decref(doc);
	return rc;
}

int
ctpctl_decode(struct ctpctl *ctl, int argc, char **argv)
{
	uint8_t	*buf;
	size_t	 len, alloc;
	int	 ch, flags = 0, rc;

	while ((ch = getopt(argc, argv, "jk")) != -1) {
		switch (ch) {
		case 'j':
			ctl->json = 1;
			ctpctl_set_output(ctl);
			break;
		case 'k':
			flags |= CTP_JSON_KEY;
			break;
		default:
			return ctpctl_usage_cmd(ctl);
		}
	}
	if (argc - optind != 1)
		return ctpctl_usage_cmd(ctl);
	if (ctpctl_read_input(ctl, argv[optind], &buf, &len) == -1)
		return CTPCTL_EXIT_FAIL;
	alloc = len;
	if (is_hex_text(buf, len) && unhex(ctl, buf, &len) == -1)
		rc = CTPCTL_EXIT_FAIL;
	else
		rc = decode(ctl, buf, len, flags);
	/* A PCTD carries a key: do not leave it in freed memory. */
	OPENSSL_cleanse(buf, alloc);
	free(buf);
	OPENSSL_cleanse(&msg, sizeof(msg));
	return rc;
}

/* ---------------------------------------------------------------- encode */

/* "0x" and exactly 4 hex digits; -1 if s is not that. */
static long
hex16(const char *s)
{
	long	 v = 0;
	int	 i, d;

	if (s[0] != '0' || s[1] != 'x')
		return -1;
	for (i = 2; i < 6; i++) {
		if ((d = hexval((unsigned char)s[i])) < 0)
			return -1;
		v = v << 4 | d;
	}
	return s[6] == '\0' ? v : -1;
}

/*
 * The "icmp" object of the wrapped form.  Code and subtype can only be the
 * CXTP values; the ICMPv4 checksum is computed, and a given one must match;
 * the ICMPv6 one needs addresses, so a given value is copied as is.
 */
static int
icmp_from_json(const struct ctpctl *ctl, const json_t *o, bool *v6,
    long *csum)
{
	const char	*k, *s;
	json_t		*v;
	int		 fam = -1, typ = -1;

	*csum = -1;
	if (!json_is_object(o))
		return ctpctl_fail(ctl, "JSON", -1, "icmp: expected an "
		    "object"), -1;
	json_object_foreach((json_t *)o, k, v) {
		if (strcmp(k, "family") == 0) {
			s = json_is_string(v) ? json_string_value(v) : "";
			if (strcmp(s, "ipv4") != 0 && strcmp(s, "ipv6") != 0)
				goto bad;
			fam = strcmp(s, "ipv6") == 0;
		} else if (strcmp(k, "type") == 0) {
			if (!json_is_integer(v) ||
			    (json_integer_value(v) != CTP_ICMP4_TYPE &&
			    json_integer_value(v) != CTP_ICMP6_TYPE))
				goto bad;
			typ = json_integer_value(v) == CTP_ICMP6_TYPE;
		} else if (strcmp(k, "code") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) != 0)
				goto bad;
		} else if (strcmp(k, "subtype") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) !=
			    CTP_ICMP_SUBTYPE_CXTP)
				goto bad;
		} else if (strcmp(k, "checksum") == 0) {
			s = json_is_string(v) ? json_string_value(v) : "";
			if ((*csum = hex16(s)) < 0)
				goto bad;
		} else if (strcmp(k, "checksum_verified") == 0) {
			if (!json_is_boolean(v))
				goto bad;
		} else if (strcmp(k, "notes") == 0) {
			if (!json_is_array(v))
				goto bad;
		} else
			return ctpctl_fail(ctl, "JSON", -1, "icmp.%s: unknown "
			    "member", k), -1;
	}
	if (fam < 0 && typ < 0)
		return ctpctl_fail(ctl, "JSON", -1, "icmp.family: missing "
		    "member"), -1;
	if (fam >= 0 && typ >= 0 && fam != typ)
		return ctpctl_fail(ctl, "JSON", -1, "icmp.type: ICMP type %d "
		    "is not that of %s", typ ? CTP_ICMP6_TYPE : CTP_ICMP4_TYPE,
		    fam ? "ipv6" : "ipv4"), -1;
	*v6 = fam >= 0 ? fam : typ;
	return 0;
bad:
	return ctpctl_fail(ctl, "JSON", -1, "icmp.%s: %s", k,
	    strcmp(k, "family") == 0 ? "expected \"ipv4\" or \"ipv6\"" :
	    strcmp(k, "type") == 0 ? "expected 41 (ICMPv4) or 150 (ICMPv6)" :
	    strcmp(k, "code") == 0 ? "only code 0 carries CXTP (D12)" :
	    strcmp(k, "subtype") == 0 ? "only subtype 1 is CXTP" :
	    strcmp(k, "checksum") == 0 ? "expected \"0x\" and 4 hex digits" :
	    strcmp(k, "notes") == 0 ? "expected an array" :
	    "expected true or false"), -1;
}

static int
write_out(const struct ctpctl *ctl, const uint8_t *b, size_t n, bool hex)
{
	size_t	 i;

	if (!hex)
		fwrite(b, 1, n, stdout);
	else
		for (i = 0; i < n; i++)
			printf("%02x%s", b[i], i + 1 == n || i % 16 == 15 ?
			    "\n" : i % 4 == 3 ? " " : "");
	if (fflush(stdout) != 0 || ferror(stdout))
		return ctpctl_fail(ctl, NULL, -1,
		    "standard output: write error");
	return CTPCTL_EXIT_OK;
}

static int
encode(const struct ctpctl *ctl, const json_t *doc, bool hex)
{
	const json_t	*mo = doc, *io = NULL, *v;
	const char	*k, *pfx = "";
	char		 eb[512];
	size_t		 blen, plen;
	long		 csum = -1;
	bool		 v6 = false;
	enum ctp_err	 e;

	if (!json_is_object(doc))
		return ctpctl_fail(ctl, "JSON", -1, "expected a JSON object");
	/* The decode -j form: {"status":"ok", "icmp":{...}, "message":{...}} */
	if (json_object_get(doc, "message") != NULL) {
		json_object_foreach((json_t *)doc, k, v) {
			if (strcmp(k, "status") == 0) {
				if (!json_is_string(v) ||
				    strcmp(json_string_value(v), "ok") != 0)
					return ctpctl_fail(ctl, "JSON", -1,
					    "status: only \"ok\" holds a "
					    "message");
			} else if (strcmp(k, "icmp") == 0)
				io = v;
			else if (strcmp(k, "message") != 0)
				return ctpctl_fail(ctl, "JSON", -1, "%s: "
				    "unknown member", k);
		}
		mo = json_object_get(doc, "message");
		pfx = "message.";
	}
	if (io != NULL && icmp_from_json(ctl, io, &v6, &csum) == -1)
		return CTPCTL_EXIT_FAIL;
	e = ctp_json_to_msg(mo, &msg, store, sizeof(store), eb, sizeof(eb));
	/* The store holds any message's data, so running out means too big. */
	if (e == CTP_ERR_NOSPACE)
		return ctpctl_fail(ctl, ctp_errname(CTP_ERR_TOO_BIG), -1,
		    "%s%s: the message would be larger than %d octets", pfx,
		    eb, CTP_MSG_MAX);
	if (e != CTP_OK)
		return ctpctl_fail(ctl, ctp_errname(e), -1, "%s%s%s", pfx, eb,
		    strncmp(eb, "key: missing", 12) == 0 ?
		    " (decode prints the key only with -k)" : "");
	if (io != NULL && msg.hdr.type != CTP_MSG_CTAR &&
	    msg.hdr.type != CTP_MSG_CTAA)
		return ctpctl_fail(ctl, ctp_errname(CTP_ERR_ICMP_MSG), -1,
		    "%stype: an ICMP wrapper carries only a CTAR or a CTAA",
		    pfx);
	if ((e = ctp_msg_encode(&msg, pkt + CTP_ICMP_HDR_LEN,
	    sizeof(pkt) - CTP_ICMP_HDR_LEN, &blen)) != CTP_OK)
		return ctpctl_fail(ctl, ctp_errname(e), -1, "cannot encode the "
		    "message: %s", ctp_strerror(e));
	if (msg.hdr.length != 0 && msg.hdr.length != blen)
		return ctpctl_fail(ctl, "JSON", -1, "%slength: %u, but the "
		    "message encodes to %zu octets (leave it out to have it "
		    "computed)", pfx, msg.hdr.length, blen);
	if (io == NULL)
		return write_out(ctl, pkt + CTP_ICMP_HDR_LEN, blen, hex);
	/* The body is in place after the header; wrap a copy of it. */
	memcpy(store, pkt + CTP_ICMP_HDR_LEN, blen);
	if ((e = ctp_icmp_encode(v6, NULL, NULL, store, blen, pkt,
	    sizeof(pkt), &plen)) != CTP_OK)
		return ctpctl_fail(ctl, ctp_errname(e), -1, "icmp: cannot "
		    "encode: %s", ctp_strerror(e));
	if (csum >= 0 && !v6 && (pkt[2] << 8 | pkt[3]) != csum)
		return ctpctl_fail(ctl, "JSON", -1, "icmp.checksum: 0x%04lx, "
		    "but the packet's checksum is 0x%04x (leave it out to "
		    "have it computed)", csum, pkt[2] << 8 | pkt[3]);
	if (csum >= 0 && v6) {
		pkt[2] = (uint8_t)(csum >> 8);
		pkt[3] = (uint8_t)csum;
	}
	return write_out(ctl, pkt, plen, hex);
}

int
ctpctl_encode(struct ctpctl *ctl, int argc, char **argv)
{
	json_error_t	 jerr;
	json_t		*doc;
	uint8_t		*buf;
	size_t		 len;
	int		 ch, hex = 0, rc;

	while ((ch = getopt(argc, argv, "x")) != -1) {
		switch (ch) {
		case 'x':
			hex = 1;
			break;
		default:
			return ctpctl_usage_cmd(ctl);
		}
	}
	if (argc - optind != 1)
		return ctpctl_usage_cmd(ctl);
	if (ctpctl_read_input(ctl, argv[optind], &buf, &len) == -1)
		return CTPCTL_EXIT_FAIL;
	doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (doc == NULL)
		return ctpctl_fail(ctl, "JSON", -1, "line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
	rc = encode(ctl, doc, hex);
	json_decref(doc);
	OPENSSL_cleanse(store, sizeof(store));
	OPENSSL_cleanse(pkt, sizeof(pkt));
	OPENSSL_cleanse(&msg, sizeof(msg));
	return rc;
}
