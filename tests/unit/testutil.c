/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by the unit tests; see testutil.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

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

long
tu_unhex(const char *hex, uint8_t *buf, size_t cap)
{
	size_t	 n = 0;
	int	 hi = -1, v;

	for (; *hex != '\0'; hex++) {
		if (isspace((unsigned char)*hex) || *hex == ':')
			continue;
		if ((v = hexval((unsigned char)*hex)) < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

const char *
tu_hex(const uint8_t *buf, size_t len)
{
	static char	 out[2 * 4096 + 4];
	size_t		 i;

	for (i = 0; i < len && i < 4096; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	out[2 * i] = '\0';
	if (i < len)
		strcat(out, "...");
	return out;
}

void
tu_rng_seed(struct tu_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t
tu_rng_u64(struct tu_rng *r)
{
	uint64_t	 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t
tu_rng_below(struct tu_rng *r, uint32_t n)
{
	return (uint32_t)(tu_rng_u64(r) % n);
}

void
tu_rng_bytes(struct tu_rng *r, uint8_t *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)tu_rng_u64(r);
}

uint8_t *
tu_read_data(const char *name, size_t *len)
{
	char	 path[4096];
	FILE	*f;
	uint8_t	*buf;
	long	 sz;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		abort();
	}
	if ((buf = malloc((size_t)sz + 1)) == NULL ||
	    fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		fprintf(stderr, "cannot read %s\n", path);
		abort();
	}
	fclose(f);
	buf[sz] = '\0';
	*len = (size_t)sz;
	return buf;
}
