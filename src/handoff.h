/*
 * handoff - a client connection passed between a worker and the parker.
 *
 * A worker that yields a connection (pressure.h) sends it to the parker
 * on the park channel, a SOCK_SEQPACKET socket pair the master makes
 * before the first fork: the descriptor travels as SCM_RIGHTS, and with
 * it one message saying where the connection stands, so that whichever
 * worker takes it back carries on where the first left off: its peer,
 * when it was accepted, the bytes counted so far, how many requests it
 * had, when the current one began, until when the client may stay silent,
 * and the bytes of a request that came only in part.  The parker keeps
 * the message as it came and hands it back unchanged with the descriptor
 * when the client speaks or the deadline passes.
 *
 * The codec is pure and treats a message as untrusted: handoff_decode()
 * checks the size, magic, version, kind and lengths.  handoff_send() and
 * handoff_recv() are the two syscall wrappers: never blocking, EINTR
 * resumed, exactly one descriptor per message (a message that comes
 * without one, or with more, is refused and whatever came is closed).
 */
#ifndef PREFORKD_HANDOFF_H
#define PREFORKD_HANDOFF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "conf.h"

#define HANDOFF_MAGIC		0x5048u		/* "PH" */
#define HANDOFF_VERSION		1
#define HANDOFF_HEAD_SIZE	80
#define HANDOFF_DATA_MAX	(CONF_HEADER_MAX + 1)
#define HANDOFF_MAX		(HANDOFF_HEAD_SIZE + HANDOFF_DATA_MAX)

/* What the connection waits for: told apart when the parker must shed. */
enum handoff_kind {
	HANDOFF_IDLE = 1,	/* nothing of a next request yet (or more of
				   an echo stream): the cheapest to close */
	HANDOFF_READING = 2,	/* part of a request came; the rest is due */
};

struct handoff {
	uint8_t kind;			/* enum handoff_kind */
	uint8_t service;		/* service_index() + 1 */
	uint32_t units;			/* requests answered so far */
	uint64_t deadline_ms;		/* CLOCK_MONOTONIC: the client must
					   have spoken by then */
	uint64_t start_ms;		/* accepted */
	uint64_t unit_start_us;		/* the current request (echo: the
					   stream) began */
	uint64_t bytes_in;
	uint64_t bytes_out;
	struct sockaddr_storage peer;	/* AF_INET or AF_INET6, or family 0 */
	socklen_t peer_len;
	const uint8_t *data;		/* what came of the request */
	size_t data_len;		/* at most HANDOFF_DATA_MAX */
};

enum handoff_decode_status {
	HANDOFF_DECODE_OK = 0,
	HANDOFF_DECODE_SHORT,		/* fewer bytes than the head says */
	HANDOFF_DECODE_BAD_MAGIC,
	HANDOFF_DECODE_BAD_VERSION,
	HANDOFF_DECODE_BAD_KIND,
	HANDOFF_DECODE_BAD_PEER,
	HANDOFF_DECODE_BAD_LENGTH,	/* data too long, or bytes after it */
};

/* The head of the message; h->data (h->data_len bytes, at most
 * HANDOFF_DATA_MAX) follows it.  -1 when data_len is too long. */
int handoff_encode(const struct handoff *h, uint8_t out[HANDOFF_HEAD_SIZE]);
/* h->data points into buf on success. */
enum handoff_decode_status handoff_decode(const uint8_t *buf, size_t len,
    struct handoff *h);
const char *handoff_decode_strerror(enum handoff_decode_status st);

/*
 * Sends one message, a (alen bytes) then b (blen, may be 0), with the
 * descriptor fd on sock, never blocking: 0 when it went (fd is then the
 * receiver's too; the caller still closes its own), -1 with errno
 * (EAGAIN: the other side is behind; EPIPE: nobody at the other end;
 * ETOOMANYREFS: too many descriptors in flight).
 */
int handoff_send(int sock, const void *a, size_t alen, const void *b,
    size_t blen, int fd);

/*
 * Receives one message into buf (cap bytes, at least HANDOFF_MAX) and its
 * descriptor (close-on-exec) into *fd: the message's length, 0 at the
 * channel's EOF (nobody can send any more), -1 with errno (EAGAIN:
 * nothing waits; EBADMSG: a message that was cut, or came without
 * exactly one descriptor, was dropped).
 */
ssize_t handoff_recv(int sock, uint8_t *buf, size_t cap, int *fd);

#endif
