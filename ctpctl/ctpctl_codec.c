/* SPDX-License-Identifier: ISC */
typedef int ctpctl_placeholder;
