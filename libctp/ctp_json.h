/* SPDX-License-Identifier: ISC */
/* placeholder */
