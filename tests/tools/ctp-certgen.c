/* SPDX-License-Identifier: ISC */
/*
 * ctp-certgen DIR NAME...: a throw-away CA (DIR/ca.crt, DIR/ca.key) and one
 * certificate per NAME (DIR/NAME.crt, DIR/NAME.key) whose SAN dNSName is
 * NAME, for labs, integration tests and the demo.  Never for production.
 */
#include <stdio.h>

#include "certgen.h"

int
main(int argc, char *argv[])
{
	struct certgen_ca	*ca;
	int			 i;

	if (argc < 3) {
		fprintf(stderr, "usage: ctp-certgen DIR NAME...\n");
		return 2;
	}
	if ((ca = certgen_ca_new(argv[1], "ca", 30)) == NULL)
		return 1;
	for (i = 2; i < argc; i++)
		if (certgen_leaf(ca, argv[1], argv[i], argv[i], -1, 30) == -1) {
			certgen_ca_free(ca);
			return 1;
		}
	certgen_ca_free(ca);
	return 0;
}
