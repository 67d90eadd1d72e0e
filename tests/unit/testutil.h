/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by the unit tests: hex conversion, a seeded PRNG so that
 * random tests are reproducible (seed printed on failure), and file reading
 * from tests/data.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse hex text (whitespace and ':' ignored) into buf; returns the number of
 * octets, or -1 on a bad digit, an odd count or overflow of cap.
 */
long		 tu_unhex(const char *hex, uint8_t *buf, size_t cap);
/* Lower-case hex of buf into a static buffer (for messages; not reentrant). */
const char	*tu_hex(const uint8_t *buf, size_t len);

/* splitmix64: deterministic, seeded per test. */
struct tu_rng {
	uint64_t	 s;
};
void		 tu_rng_seed(struct tu_rng *, uint64_t seed);
uint64_t	 tu_rng_u64(struct tu_rng *);
/* Uniform in [0, n); n > 0. */
uint32_t	 tu_rng_below(struct tu_rng *, uint32_t n);
void		 tu_rng_bytes(struct tu_rng *, uint8_t *, size_t);

/*
 * Read tests/data/NAME (TEST_DATA_DIR) into a malloc'ed buffer; *len gets the
 * size.  Aborts the test program if the file cannot be read.
 */
uint8_t		*tu_read_data(const char *name, size_t *len);

#endif /* TESTUTIL_H */
