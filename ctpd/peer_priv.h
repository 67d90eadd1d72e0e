/* SPDX-License-Identifier: ISC */
/*
 * Internals of the peer channel module (peer.c): the private liveness echo
 * frame that only ctpd peers exchange once ALPN negotiated "ctpd/1", and the
 * name tables of the states shown by `ctpctl show peers`.
 */
#ifndef CTPD_PEER_PRIV_H
#define CTPD_PEER_PRIV_H

/*
 * Echo frame: CXTP header with version 1 and the unassigned type 31, X=0 for
 * a request and X=1 for the reply, Length 8, then a 4-octet nonce.  Sent only
 * on channels that negotiated TLS_ALPN; never delivered to the callbacks.
 */
#define PEER_ECHO_TYPE		31
#define PEER_ECHO_LEN		8

enum peer_state {
	PEER_DISABLED,		/* cannot run in this build or host */
	PEER_DOWN,		/* waiting for the reconnect timer */
	PEER_CONNECTING,	/* TCP connect in progress */
	PEER_HANDSHAKE,		/* TLS handshake or its confirmation */
	PEER_UP,
};
extern const char *const peer_state_names[];

/* Most connections from one peer that may be in their handshake at once. */
#define PEER_MAX_PENDING	4
/* Output queued for a channel beyond which peer_send() refuses. */
#define PEER_MAX_QUEUED		(4u * 1024 * 1024)

#endif /* CTPD_PEER_PRIV_H */
