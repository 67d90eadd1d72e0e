/* SPDX-License-Identifier: ISC */
/*
 * Tests of ctp_json: for every message type and family, decode -> JSON ->
 * text -> JSON -> message -> encode gives the same octets; the key is only
 * rendered on request; the §3.10 notes; and the exact errors of the strict
 * parser (unknown member, wrong type, out of range, ...).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "ctp_json.h"
#include "ctp_msg.h"
#include "testutil.h"

#define MN6	"20010db8000000000000000000000010"
#define AR6	"20010db8000000000000000000000001"
#define MLD	"00010400 20010db8 00010000 ff0e0000 00000000 00000000 " \
		"00001234 00000000"
/* One CDB of every known FPT, with and without presence vectors. */
#define AAA_PV	"ff0105c0 c1000000 01020304 05060708 00000e10 85956a99 " \
		"3804cda1 4f8e09d3 903088da 00000000"
#define QOS4	"ff020800 04110000 00000000 00000000 0000ffff c000020a " \
		"00000000 00000000 0000ffff c6336414 138c138e 2e000000 " \
		"00000080 00000100 00003e80 00000000"
#define ROHC	"ff030700 00010003 02010000 00240000 20212223 24252627 " \
		"28292a2b 2c2d2e2f 30313233 34353637 38393a3b 3c3d3e3f " \
		"40414243 00000000"
#define ERRCDB	"ff000200 ff010300 00010400 ff034000"
#define MLD_PV	"000103c0 40000000 ff020000 00000000 00000000 000000fb"
#define ROHC_PV	"ff030280 c0000000 00063fff 03000000"
/* MLD with a presence bit beyond its two groups: malformed (D8, D10). */
#define MLD_BAD	"00010280 20000000 01020304 05060708"

/* Valid messages with zero padding, one or more per type and family. */
static const struct {
	const char	*name;
	const char	*hex;
} vec[] = {
	{ "CTAR v4 (spec 3.9)", "21c00018 c000020a c6336401 01020304 407859c4 "
	    "00010000" },
	{ "CTAR v6, R request", "21400034" MN6 AR6 "deadbeef 10940d29 00010000 "
	    "ff010040" },
	{ "CTAR v4, no CDBs", "21800014 c000020a c6336401 00000001 f629ef2c" },
	{ "CTAA v4", "22800010 c000020a 00000300 ff020a00" },
	{ "CTAA v6, no entries", "22000014" MN6 },
	{ "CTD v4, MLD", "23c0002c 00000064 c000020a " MLD },
	{ "CTD v6, no CDBs (D3)", "23000018 00000000" MN6 },
	{ "CTD v6, unknown FPT, R", "23400020 00000005" MN6
	    "77770140 01020304" },
	{ "CTD v6, every feature", "234000f0 00000001" MN6 AAA_PV QOS4 ROHC
	    ERRCDB MLD_PV ROHC_PV },
	{ "CTD v4, malformed MLD (D10)", "2380003c 00000000 c000020a " MLD_BAD
	    MLD },
	{ "PCTD v4, MLD", "24c00044 00000000 c000020a 00010014 01020304 "
	    "05060708 090a0b0c 0d0e0f10 11121314 " MLD },
	{ "PCTD v6, padded key", "2400002c 000003e8" MN6 "0001000d 63747064 "
	    "2d746573 742d6b65 79000000" },
	{ "CTDR v4, S", "25c0000c c000020a 00010000" },
	{ "CTDR v6", "25000018" MN6 "ff010800" },
	{ "CTC v4", "26800008 c000020a" },
	{ "CTC v6", "26000014" MN6 },
	{ "CTREQ v4, zero token", "27800014 c000020a 01020304 00000000 "
	    "00010000" },
	{ "CTREQ v6", "2700001c" MN6 "00000001 aabbccdd" },
};
#define NVEC	(sizeof(vec) / sizeof(vec[0]))

static uint8_t		 wire[65536], out[65536], store[65536];
static struct ctp_msg	 m1, m2;
static char		 eb[512];

static size_t
vec_decode(int i, struct ctp_msg *m)
{
	long	 n;
	size_t	 off = 0;

	n = tu_unhex(vec[i].hex, wire, sizeof(wire));
	ck_assert_msg(n > 0, "%s: bad hex", vec[i].name);
	ck_assert_msg(ctp_msg_decode(wire, (size_t)n, NULL, m, &off) ==
	    CTP_OK, "%s: does not decode (offset %zu)", vec[i].name, off);
	return (size_t)n;
}

/* Through the serialised text too, as ctpctl decode -j | encode does. */
static json_t *
reparse(json_t *j)
{
	json_error_t	 jerr;
	json_t		*r;
	char		*s;

	s = json_dumps(j, JSON_INDENT(2));
	ck_assert_ptr_nonnull(s);
	r = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_msg(r != NULL, "%s", jerr.text);
	free(s);
	json_decref(j);
	return r;
}

START_TEST(test_identity)
{
	json_t	*j = NULL;
	size_t	 n, olen = 0;

	n = vec_decode(_i, &m1);
	ck_assert_int_eq(ctp_json_from_msg(&m1, CTP_JSON_KEY, &j), CTP_OK);
	j = reparse(j);
	ck_assert_msg(ctp_json_to_msg(j, &m2, store, sizeof(store), eb,
	    sizeof(eb)) == CTP_OK, "%s: %s", vec[_i].name, eb);
	ck_assert_int_eq(m2.hdr.length, n);	/* "length" is carried */
	ck_assert_int_eq(ctp_msg_encode(&m2, out, sizeof(out), &olen), CTP_OK);
	ck_assert_msg(olen == n && memcmp(out, wire, n) == 0,
	    "%s: re-encoded as %s", vec[_i].name, tu_hex(out, olen));
	json_decref(j);
}
END_TEST

static const char *
sget(const json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	ck_assert_msg(s != NULL, "no string member %s", k);
	return s;
}

static json_int_t
iget(const json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	ck_assert_msg(json_is_integer(v), "no integer member %s", k);
	return json_integer_value(v);
}

START_TEST(test_ctar_fields)
{
	json_t	*j = NULL, *fl;

	vec_decode(0, &m1);
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_OK);
	ck_assert_str_eq(sget(j, "type"), "CTAR");
	ck_assert_int_eq(iget(j, "version"), 1);
	ck_assert_str_eq(sget(j, "family"), "ipv4");
	fl = json_object_get(j, "flags");
	ck_assert_int_eq(json_array_size(fl), 1);
	ck_assert_str_eq(json_string_value(json_array_get(fl, 0)), "A");
	ck_assert_int_eq(iget(j, "length"), 24);
	ck_assert_str_eq(sget(j, "mn"), "192.0.2.10");
	ck_assert_str_eq(sget(j, "ar"), "198.51.100.1");
	ck_assert_int_eq(iget(j, "seq"), 0x01020304);
	ck_assert_str_eq(sget(j, "token"), "407859c4");
	ck_assert_int_eq(json_array_size(json_object_get(j, "cdbs")), 1);
	ck_assert_ptr_null(json_object_get(j, "elapsed_ms"));
	ck_assert_ptr_null(json_object_get(j, "entries"));
	ck_assert_ptr_null(json_object_get(j, "notes"));
	json_decref(j);
}
END_TEST

/* The key is rendered only with CTP_JSON_KEY; without it encode refuses. */
START_TEST(test_key_hidden)
{
	json_t	*j = NULL;

	vec_decode(10, &m1);
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_OK);
	ck_assert_ptr_null(json_object_get(j, "key"));
	ck_assert_int_eq(iget(j, "key_len"), 20);
	ck_assert_int_eq(iget(j, "alg"), 1);
	ck_assert_int_eq(ctp_json_to_msg(j, &m2, store, sizeof(store), eb,
	    sizeof(eb)), CTP_ERR_JSON);
	ck_assert_str_eq(eb, "key: missing member");
	json_decref(j);

	ck_assert_int_eq(ctp_json_from_msg(&m1, CTP_JSON_KEY, &j), CTP_OK);
	ck_assert_str_eq(sget(j, "key"),
	    "0102030405060708090a0b0c0d0e0f1011121314");
	json_decref(j);
}
END_TEST

static int
has_note(const json_t *j, const char *sub)
{
	json_t	*n;
	size_t	 i;

	json_array_foreach(json_object_get(j, "notes"), i, n)
		if (strstr(json_string_value(n), sub) != NULL)
			return 1;
	return 0;
}

/* The §3.10 verdicts ctpctl decode reports. */
START_TEST(test_notes)
{
	json_t	*j = NULL;
	long	 n;
	size_t	 off;

	/* D4: R=1 CDB in a CTD with A=0 */
	n = tu_unhex("23000020 00000005" MN6 "77770140 01020304", wire,
	    sizeof(wire));
	ck_assert_int_eq(ctp_msg_decode(wire, (size_t)n, NULL, &m1, &off),
	    CTP_OK);
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_OK);
	ck_assert(has_note(j, "(D4)"));
	json_decref(j);

	/* D5: algorithm 2, key of 4 octets */
	n = tu_unhex("24000020 00000000" MN6 "00020004 01020304", wire,
	    sizeof(wire));
	ck_assert_int_eq(ctp_msg_decode(wire, (size_t)n, NULL, &m1, &off),
	    CTP_OK);
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_OK);
	ck_assert(has_note(j, "algorithm 2 is not supported"));
	ck_assert(has_note(j, "key length 4 is outside 16..64"));
	json_decref(j);

	/* D11: S=1 with a failed entry */
	n = tu_unhex("25c0000c c000020a 00010800", wire, sizeof(wire));
	ck_assert_int_eq(ctp_msg_decode(wire, (size_t)n, NULL, &m1, &off),
	    CTP_OK);
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_OK);
	ck_assert(has_note(j, "(D11)"));
	ck_assert_str_eq(sget(json_array_get(json_object_get(j, "entries"), 0),
	    "status"), "MALFORMED");
	json_decref(j);

	/* D10: a malformed CDB of a known FPT; unknown FPTs (3.8) */
	n = tu_unhex("23800024 00000000 c000020a " MLD_BAD "77770100 00000000",
	    wire, sizeof(wire));
	ck_assert_int_eq(ctp_msg_decode(wire, (size_t)n, NULL, &m1, &off),
	    CTP_OK);
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_OK);
	ck_assert(has_note(j, "cdbs[0]: malformed CDB of FPT 0x0001"));
	ck_assert(has_note(j, "cdbs[1]: unknown FPT 0x7777"));
	ck_assert_str_eq(sget(json_array_get(json_object_get(j, "cdbs"), 0),
	    "error"), "PV");
	json_decref(j);

	/* D14: FPT 0x0000 in a request */
	n = tu_unhex("21800018 c000020a c6336401 00000001 f629ef2c 00000000",
	    wire, sizeof(wire));
	ck_assert_int_eq(ctp_msg_decode(wire, (size_t)n, NULL, &m1, &off),
	    CTP_OK);
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_OK);
	ck_assert(has_note(j, "(D14)"));
	json_decref(j);
}
END_TEST

START_TEST(test_status_names)
{
	json_t	*j;

	j = ctp_json_status(CTP_ST_AUTH_FAILED);
	ck_assert_str_eq(json_string_value(j), "AUTH_FAILED");
	json_decref(j);
	j = ctp_json_status(0x0f);		/* reserved: the number */
	ck_assert_int_eq(json_integer_value(j), 0x0f);
	json_decref(j);
	j = ctp_json_status(0x40);		/* FPT-specific: the number */
	ck_assert_int_eq(json_integer_value(j), 0x40);
	json_decref(j);
}
END_TEST

START_TEST(test_from_msg_inval)
{
	json_t	*j = (json_t *)1;

	memset(&m1, 0, sizeof(m1));
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_ERR_INVAL);
	ck_assert_ptr_null(j);
	m1.hdr.type = CTP_MSG_CTC;
	m1.hdr.v4 = true;
	m1.mn.len = 16;			/* address size against V */
	ck_assert_int_eq(ctp_json_from_msg(&m1, 0, &j), CTP_ERR_INVAL);
}
END_TEST

/* Hand-written input: optional members left out, type aliases. */
START_TEST(test_minimal_input)
{
	static const struct {
		const char	*json;
		const char	*hex;
	} t[] = {
		{ "{\"type\":\"CTSR\",\"mn\":\"192.0.2.10\","
		    "\"ar\":\"198.51.100.1\",\"seq\":16909060,"
		    "\"token\":\"407859C4\",\"flags\":[\"A\"],"
		    "\"cdbs\":[{\"fpt\":\"0x0001\"}]}",
		  "21c00018c000020ac633640101020304407859c400010000" },
		{ "{\"type\":\"ct-req\",\"mn\":\"2001:db8::10\",\"seq\":1,"
		    "\"token\":\"aabbccdd\"}",
		  "2700001c" MN6 "00000001aabbccdd" },
		{ "{\"type\":\"CTC\",\"mn\":\"::ffff:192.0.2.10\"}",
		  "26000014 00000000000000000000ffffc000020a" },
	};
	json_error_t	 jerr;
	json_t		*j;
	size_t		 i, olen;
	long		 n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		j = json_loads(t[i].json, 0, &jerr);
		ck_assert_ptr_nonnull(j);
		ck_assert_msg(ctp_json_to_msg(j, &m2, store, sizeof(store), eb,
		    sizeof(eb)) == CTP_OK, "%zu: %s", i, eb);
		ck_assert_int_eq(m2.hdr.length, 0);
		ck_assert_int_eq(ctp_msg_encode(&m2, out, sizeof(out), &olen),
		    CTP_OK);
		n = tu_unhex(t[i].hex, wire, sizeof(wire));
		ck_assert_msg((size_t)n == olen && memcmp(out, wire, olen) == 0,
		    "%zu: got %s", i, tu_hex(out, olen));
		json_decref(j);
	}
}
END_TEST

/* Strict parsing: each bad input and the exact error text. */
static const struct {
	const char	*json;
	const char	*err;
} bad[] = {
	{ "[1]", "expected an object, got an array" },
	{ "{\"mn\":\"192.0.2.1\"}", "type: missing member" },
	{ "{\"type\":6,\"mn\":\"192.0.2.1\"}",
	    "type: expected a string, got an integer" },
	{ "{\"type\":\"CTX\",\"mn\":\"192.0.2.1\"}",
	    "type: unknown message type \"CTX\"" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"bogus\":1}",
	    "bogus: unknown member" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"seq\":1}",
	    "seq: not a member of a CTC" },
	{ "{\"type\":\"CTC\"}", "mn: missing member" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"version\":2}",
	    "version: only version 1 can be encoded" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"family\":\"inet\"}",
	    "family: \"inet\" is neither \"ipv4\" nor \"ipv6\"" },
	{ "{\"type\":\"CTC\",\"mn\":\"2001:db8::1\",\"family\":\"ipv4\"}",
	    "mn: IPv6 address in an ipv4 message" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"family\":\"ipv6\"}",
	    "mn: IPv4 address in an ipv6 message (write ::ffff:192.0.2.1)" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2\"}",
	    "mn: \"192.0.2\" is not an IPv4 or IPv6 address" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"flags\":[\"A\"]}",
	    "flags[0]: a CTC has no flags" },
	{ "{\"type\":\"CTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":0,"
	    "\"flags\":[\"S\"]}",
	    "flags[0]: unknown flag \"S\" (a CTD has only \"A\")" },
	{ "{\"type\":\"CTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":0,"
	    "\"flags\":[\"A\",\"A\"]}", "flags[1]: \"A\" given twice" },
	{ "{\"type\":\"CTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":0,"
	    "\"flags\":\"A\"}", "flags: expected an array, got a string" },
	{ "{\"type\":\"CTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":-1}",
	    "elapsed_ms: -1 is out of range 0..4294967295" },
	{ "{\"type\":\"CTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":1.5}",
	    "elapsed_ms: expected an integer, got a real number" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"length\":65536}",
	    "length: 65536 is out of range 0..65535" },
	{ "{\"type\":\"CTAR\",\"mn\":\"192.0.2.1\",\"ar\":\"192.0.2.2\","
	    "\"seq\":4294967296,\"token\":\"00000000\"}",
	    "seq: 4294967296 is out of range 0..4294967295" },
	{ "{\"type\":\"CTAR\",\"mn\":\"192.0.2.1\",\"ar\":\"192.0.2.2\","
	    "\"seq\":\"1\",\"token\":\"00000000\"}",
	    "seq: expected an integer, got a string" },
	{ "{\"type\":\"CTAR\",\"mn\":\"192.0.2.1\",\"ar\":\"192.0.2.2\","
	    "\"seq\":1}", "token: missing member" },
	{ "{\"type\":\"CTAR\",\"mn\":\"192.0.2.1\",\"ar\":\"192.0.2.2\","
	    "\"seq\":1,\"token\":\"0000\"}", "token: expected 8 hex digits" },
	{ "{\"type\":\"CTAR\",\"mn\":\"192.0.2.1\",\"ar\":\"192.0.2.2\","
	    "\"seq\":1,\"token\":\"0000000g\"}",
	    "token: not a hex digit at character 7" },
	{ "{\"type\":\"CTAR\",\"mn\":\"192.0.2.1\",\"ar\":\"192.0.2.2\","
	    "\"seq\":1,\"token\":\"00000000\",\"cdbs\":{}}",
	    "cdbs: expected an array, got an object" },
	{ "{\"type\":\"CTAR\",\"mn\":\"192.0.2.1\",\"ar\":\"192.0.2.2\","
	    "\"seq\":1,\"token\":\"00000000\",\"cdbs\":[7]}",
	    "cdbs[0]: expected an object, got an integer" },
	{ "{\"type\":\"PCTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":0,"
	    "\"alg\":65536,\"key\":\"00\"}",
	    "alg: 65536 is out of range 0..65535" },
	{ "{\"type\":\"PCTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":0,"
	    "\"alg\":1,\"key\":\"\"}",
	    "key: expected 1 to 255 octets as hex digits" },
	{ "{\"type\":\"PCTD\",\"mn\":\"192.0.2.1\",\"elapsed_ms\":0,"
	    "\"alg\":1,\"key\":\"0102\",\"key_len\":3}",
	    "key_len: 3, but \"key\" has 2 octets" },
	{ "{\"type\":\"CTDR\",\"mn\":\"192.0.2.1\",\"entries\":[{\"fpt\":1}]}",
	    "entries[0].status: missing member" },
	{ "{\"type\":\"CTDR\",\"mn\":\"192.0.2.1\",\"entries\":[{\"fpt\":1,"
	    "\"status\":\"FINE\"}]}",
	    "entries[0].status: unknown status \"FINE\"" },
	{ "{\"type\":\"CTDR\",\"mn\":\"192.0.2.1\",\"entries\":[{\"fpt\":1,"
	    "\"status\":256}]}",
	    "entries[0].status: 256 is out of range 0..255" },
	{ "{\"type\":\"CTDR\",\"mn\":\"192.0.2.1\",\"entries\":[{\"fpt\":65536,"
	    "\"status\":0}]}",
	    "entries[0].fpt: 65536 is out of range 0..65535" },
	{ "{\"type\":\"CTDR\",\"mn\":\"192.0.2.1\",\"entries\":[{\"fpt\":"
	    "\"0x01\",\"status\":0}]}",
	    "entries[0].fpt: expected \"0x\" and 4 hex digits" },
	{ "{\"type\":\"CTAA\",\"mn\":\"192.0.2.1\",\"entries\":[{\"fpt\":1,"
	    "\"status\":0,\"why\":\"x\"}]}", "entries[0].why: unknown member" },
	{ "{\"type\":\"CTAA\",\"mn\":\"192.0.2.1\",\"entries\":[{\"fpt\":1,"
	    "\"feature\":\"nonesuch\",\"status\":0}]}",
	    "entries[0].feature: \"nonesuch\" is not the name of FPT 0x0001" },
	{ "{\"type\":\"CTC\",\"mn\":\"192.0.2.1\",\"notes\":\"x\"}",
	    "notes: expected an array, got a string" },
};
#define NBAD	(sizeof(bad) / sizeof(bad[0]))

START_TEST(test_bad_input)
{
	json_error_t	 jerr;
	json_t		*j;

	j = json_loads(bad[_i].json, 0, &jerr);
	ck_assert_msg(j != NULL, "%zu: %s", (size_t)_i, jerr.text);
	ck_assert_int_eq(ctp_json_to_msg(j, &m2, store, sizeof(store), eb,
	    sizeof(eb)), CTP_ERR_JSON);
	ck_assert_str_eq(eb, bad[_i].err);
	json_decref(j);
}
END_TEST

START_TEST(test_limits)
{
	json_t	*j, *a;
	char	 key[2 * 256 + 1];
	int	 i;

	/* 257 CDBs: one more than a message can hold */
	j = json_pack("{s:s, s:s, s:s, s:i, s:s}", "type", "CTAR",
	    "mn", "192.0.2.1", "ar", "192.0.2.2", "seq", 1,
	    "token", "00000000");
	a = json_array();
	for (i = 0; i < CTP_MAX_CDBS + 1; i++)
		json_array_append_new(a, json_pack("{s:s}", "fpt", "0x0001"));
	json_object_set_new(j, "cdbs", a);
	ck_assert_int_eq(ctp_json_to_msg(j, &m2, store, sizeof(store), eb,
	    sizeof(eb)), CTP_ERR_JSON);
	ck_assert_str_eq(eb, "cdbs: 257 CDBs, at most 256 fit");
	json_decref(j);

	/* a 256-octet key is one too many (D5) */
	memset(key, 'a', 512);
	key[512] = '\0';
	j = json_pack("{s:s, s:s, s:i, s:i, s:s}", "type", "PCTD",
	    "mn", "192.0.2.1", "elapsed_ms", 0, "alg", 1, "key", key);
	ck_assert_int_eq(ctp_json_to_msg(j, &m2, store, sizeof(store), eb,
	    sizeof(eb)), CTP_ERR_JSON);
	ck_assert_str_eq(eb, "key: expected 1 to 255 octets as hex digits");
	key[510] = '\0';
	json_object_set_new(j, "key", json_string(key));
	ck_assert_int_eq(ctp_json_to_msg(j, &m2, store, sizeof(store), eb,
	    sizeof(eb)), CTP_OK);
	ck_assert_int_eq(m2.key_len, 255);
	/* the store is too small for it */
	ck_assert_int_eq(ctp_json_to_msg(j, &m2, store, 16, eb, sizeof(eb)),
	    CTP_ERR_NOSPACE);
	json_decref(j);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite	*s = suite_create("json");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_identity, 0, (int)NVEC);
	tcase_add_test(tc, test_ctar_fields);
	tcase_add_test(tc, test_key_hidden);
	tcase_add_test(tc, test_notes);
	tcase_add_test(tc, test_status_names);
	tcase_add_test(tc, test_from_msg_inval);
	tcase_add_test(tc, test_minimal_input);
	tcase_add_loop_test(tc, test_bad_input, 0, (int)NBAD);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(json_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
