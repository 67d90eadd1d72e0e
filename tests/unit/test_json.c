/* SPDX-License-Identifier: ISC */
/* placeholder: fails until written */
int main(void) { return 1; }
