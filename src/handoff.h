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
 * and the bytes of a request that came only in part.  A connection that
 * waits for its client to read (the socket's buffer is full) also carries
 * the rest of its response: the bytes not yet sent, and the open file
 * whose part is still to come, as a second descriptor.  One in its
 * lingering close (shut down for writing, its client not done reading)
 * carries only the end of the drain.  The parker keeps the message as it
 * came and hands it back unchanged with the descriptors when the client
 * speaks (or can take more) or the deadline passes; a closing one it
 * closes itself at its deadline.
 *
 * The codec is pure and treats a message as untrusted: handoff_decode()
 * checks the size, magic, version, kind and lengths.  handoff_send() and
 * handoff_recv() are the two syscall wrappers: never blocking, EINTR
 * resumed, the connection's descriptor and at most one file's per
 * message (a message that comes without one, or with more, is refused
 * and whatever came is closed).
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
#define HANDOFF_HEAD_SIZE	112
#define HANDOFF_DATA_MAX	(CONF_HEADER_MAX + 1)
#define HANDOFF_OUT_MAX		65536		/* bytes of a response in wait */
#define HANDOFF_MAX		(HANDOFF_HEAD_SIZE + HANDOFF_DATA_MAX + \
				 HANDOFF_OUT_MAX)

/* What the connection waits for: told apart when the parker must shed. */
enum handoff_kind {
	HANDOFF_IDLE = 1,	/* nothing of a next request yet (or more of
				   an echo stream): the cheapest to close */
	HANDOFF_READING = 2,	/* part of a request came; the rest is due */
	HANDOFF_SENDING = 3,	/* a response waits for its client to read */
	HANDOFF_CLOSING = 4,	/* shut down for writing: what is left of the
				   lingering close's drain, until the
				   deadline */
};

/* reply_flags of a connection that waits to send. */
#define HANDOFF_REPLY_KEEP	0x01	/* the connection stays open after */
#define HANDOFF_REPLY_PEER_DONE	0x02	/* the client said it sends no more */

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
	/* HANDOFF_SENDING: the rest of the response. */
	const uint8_t *out;		/* bytes still to send first */
	size_t out_len;			/* at most HANDOFF_OUT_MAX */
	uint8_t has_file;		/* then a file's bytes: */
	uint64_t file_offset;
	uint64_t file_len;
	uint64_t out_mark;		/* bytes_out where the body began */
	uint16_t reply_status;
	uint8_t reply_flags;		/* HANDOFF_REPLY_* */
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
 * HANDOFF_DATA_MAX) then h->out (h->out_len, at most HANDOFF_OUT_MAX)
 * follow it.  -1 when one is too long. */
int handoff_encode(const struct handoff *h, uint8_t out[HANDOFF_HEAD_SIZE]);
/* h->data points into buf on success. */
enum handoff_decode_status handoff_decode(const uint8_t *buf, size_t len,
    struct handoff *h);
const char *handoff_decode_strerror(enum handoff_decode_status st);

/* One part of a message. */
struct handoff_part {
	const void *p;
	size_t len;
};

/*
 * Sends one message, the nparts parts in order, with the descriptor fd
 * (and file_fd, unless it is -1) on sock, never blocking: 0 when it went
 * (the descriptors are then the receiver's too; the caller still closes
 * its own), -1 with errno (EAGAIN: the other side is behind; EPIPE:
 * nobody at the other end; ETOOMANYREFS: too many descriptors in
 * flight).
 */
int handoff_send(int sock, const struct handoff_part *parts, int nparts,
    int fd, int file_fd);

/*
 * Receives one message into buf (cap bytes, at least HANDOFF_MAX) and its
 * descriptors (close-on-exec) into *fd and *file_fd (-1 when it came
 * with one only): the message's length, 0 at the channel's EOF (nobody
 * can send any more), -1 with errno (EAGAIN: nothing waits; EBADMSG: a
 * message that was cut, or came without a descriptor or with more than
 * two, was dropped and what came with it closed).  Whether a file was
 * due is the message's to say (has_file): the caller checks.
 */
ssize_t handoff_recv(int sock, uint8_t *buf, size_t cap, int *fd,
    int *file_fd);

#endif
