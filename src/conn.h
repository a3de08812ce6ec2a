/*
 * conn - every byte a worker moves on a client connection goes through here.
 *
 * The socket is non-blocking (accepted with SOCK_NONBLOCK); every recv and
 * send here also passes MSG_DONTWAIT and MSG_NOSIGNAL.  sendfile() takes
 * no flags: it relies on the socket's O_NONBLOCK and on SIGPIPE being
 * ignored (the master ignores it before it forks).  Each call first tries
 * the transfer and only waits (ppoll) when the kernel says it would block,
 * so a busy connection costs no extra syscall.  EINTR and partial
 * transfers are normal events: the loops resume them with the time that
 * is left.  Timeouts bound one call: for a read, the wait for any data;
 * for a send, each wait in which no byte could be written.
 *
 * Occupancy (pressure.h): a read that waits for the client may instead
 * tell its caller to yield (conn_recv_or_yield returns CONN_YIELD) when
 * another connection waits for a worker; the caller then hands the
 * connection to the parker with conn_yield(), and a worker takes it back
 * with conn_resume() once the client speaks.  A send that waits for its
 * client to read may end the same way (conn_send_out with may_yield):
 * what is left of the response (struct conn_out) goes to the parker with
 * the connection, and a worker takes it back once the client can take
 * more.  A send that cannot yield (the parker is down or full, or more
 * than HANDOFF_OUT_MAX bytes of memory are left) and waits for a client
 * reading below timeouts.min_rate is cut (ETIMEDOUT, with c->cut set)
 * when another connection waits.
 *
 * Errors: -1 with errno set; ETIMEDOUT when a wait ran out.  A read of 0
 * bytes is the peer's EOF, never an error.  Nothing here logs: callers know
 * what the connection was doing and say so.
 */
#ifndef PREFORKD_CONN_H
#define PREFORKD_CONN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "addr.h"
#include "pressure.h"

#define CONN_PEER_MAX ADDR_STR_MAX
#define CONN_YIELD	(-2)	/* conn_recv_or_yield: let the client go */

struct conf_timeouts;
struct handoff;
struct pollfd;

/*
 * A response, or what is left of it: head bytes (sent with MSG_MORE when
 * more follows), then body bytes, then file_len bytes of the file file_fd
 * from file_offset.  conn_send_out() advances the three in place.
 */
struct conn_out {
	const void *head;
	size_t head_len;
	const void *body;
	size_t body_len;
	int file_fd;
	uint64_t file_offset;
	uint64_t file_len;
};

/* Where a service stands on a connection it yields (struct handoff). */
struct conn_unit {
	uint8_t kind;		/* enum handoff_kind */
	uint32_t units;		/* requests answered */
	uint64_t start_us;	/* the current request (echo: stream) began */
	uint64_t deadline_ms;	/* the client must speak (or read) by then */
	const void *data;	/* what came of a request, in part */
	size_t len;
	/* HANDOFF_SENDING: the response that waits for its client. */
	struct conn_out out;	/* what is left of it */
	uint64_t out_mark;	/* bytes_out where its body began */
	uint16_t reply_status;
	uint8_t reply_flags;	/* HANDOFF_REPLY_* */
};

struct conn {
	int fd;
	int read_timeout_ms;
	int write_timeout_ms;
	int linger_ms;
	int keepalive_ms;		/* idle between two requests */
	struct sockaddr_storage peer_addr;
	socklen_t peer_len;
	char peer[CONN_PEER_MAX];	/* "1.2.3.4:5678", "[::1]:5678" */
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t start_ms;		/* accepted (CLOCK_MONOTONIC) */
	bool peer_eof;			/* a read returned the peer's EOF */
	bool peer_done;			/* the peer said it sends no more */
	/* Occupancy. */
	struct pressure_wait pressure;	/* of the waits for this client */
	uint64_t yield_after_ms;	/* no yield before (one was refused) */
	bool yielded;			/* given to the parker: fd is -1 */
	bool cut;			/* a send was cut: too slow a reader */
	unsigned min_rate;		/* timeouts.min_rate */
	uint64_t send_wait_ms;		/* the slow-reader window began; 0 */
	uint64_t send_wait_acked;	/* the client's acked bytes then */
	bool resumed;			/* handed back by the parker: */
	struct conn_unit resume;	/* where its service stood */
	int file_fd;			/* resume.out's file: conn's to close */
	uint64_t send_deadline_ms;	/* a resumed send's first wait ends */
	/* Called after each transfer that moved bytes (NULL: nobody asks):
	 * the worker's proof of progress for the hang check. */
	void (*on_progress)(void *arg);
	void *progress_arg;
};

/*
 * Signals unblocked while a worker waits: the worker keeps its stop signals
 * blocked and lets them in only inside waits, so a stop request can never
 * slip between a check of the stop flag and the wait.  NULL: current mask.
 */
void conn_set_wait_mask(const sigset_t *mask);

/*
 * What a worker tells conn once, before it serves: the park channel, the
 * descriptors whose POLLIN means another connection waits for a worker
 * (listeners, the channel), the handoff's service number, and whether the
 * worker may yield at all (false once it was told to stop).  NULL: the
 * worker never yields.
 */
struct conn_park {
	int channel;
	const struct pollfd *pressure;
	size_t npressure;
	uint8_t service;
	bool (*may_yield)(void);
};
void conn_set_park(const struct conn_park *park);

void conn_init(struct conn *c, int fd, const struct sockaddr *peer,
    socklen_t peer_len, const struct conf_timeouts *to);
/* A connection the parker handed back: as conn_init, then the state the
 * message h carries (c->resumed, c->resume; resume.data and resume.out's
 * bytes point into h's buffer).  file_fd is the file of a response that
 * waited to be sent, or -1: the connection owns it from now on (closed
 * once sent, or with the connection). */
void conn_resume(struct conn *c, int fd, int file_fd, const struct handoff *h,
    const struct conf_timeouts *to);

/* 1 ready, 0 timed out, -1 error.  timeout_ms < 0 waits forever. */
int conn_wait(int fd, short events, int timeout_ms);

/*
 * >0 bytes read, 0 EOF, -1 error (ETIMEDOUT: nothing came in timeout_ms;
 * EINVAL: len 0, which could not be told from EOF).
 */
ssize_t conn_recv(struct conn *c, void *buf, size_t len, int timeout_ms);

/*
 * As conn_recv, waiting until deadline_ms (CLOCK_MONOTONIC) at most; but
 * when another connection needs the worker meanwhile, CONN_YIELD: the
 * caller may give this one to the parker (conn_yield) or read again.
 */
ssize_t conn_recv_or_yield(struct conn *c, void *buf, size_t len,
    uint64_t deadline_ms);

/*
 * Gives the connection to the parker with where its service stands: 0
 * (c->fd is -1 and c->yielded set: the worker is done with it), or -1
 * when the parker cannot take it now (the connection stays the worker's;
 * no yield is offered again for a while).  A HANDOFF_SENDING unit takes
 * what is left of u->out with it (the file's descriptor too; the caller
 * still closes its own).
 */
int conn_yield(struct conn *c, const struct conn_unit *u);

/*
 * Sends what o holds, advancing it: 0 when all of it is sent, -1 on error
 * (as conn_send_file), or, with may_yield, CONN_YIELD when the client
 * keeps the response waiting while another connection waits for a
 * worker: o holds what is left, for conn_yield (a unit of kind
 * HANDOFF_SENDING) or another call.  A response that waits with more than
 * HANDOFF_OUT_MAX bytes of head and body left never yields.  The file of a
 * resumed connection (c->file_fd) is closed once it is all sent.
 */
int conn_send_out(struct conn *c, struct conn_out *o, bool may_yield);

/* 0 when every byte is sent; -1 otherwise (ETIMEDOUT: peer not reading,
 * or, with c->cut, reading below timeouts.min_rate while others wait). */
int conn_send_all(struct conn *c, const void *buf, size_t len);

/* As conn_send_all, with MSG_MORE: more data follows at once. */
int conn_send_more(struct conn *c, const void *buf, size_t len);

/*
 * Sends head (hlen bytes, may be 0), then len bytes of the file fd from
 * offset with sendfile().  The head goes with MSG_MORE when a body
 * follows, so head and body share their first packets.  0 when all is
 * sent; -1 otherwise: ETIMEDOUT (the peer is not reading), ENODATA (the
 * file became shorter than len), or the error of send/sendfile.  The
 * file's own offset is not used.
 */
int conn_send_file(struct conn *c, const void *head, size_t hlen, int fd,
    off_t offset, uint64_t len);

/*
 * Lingering close: shutdown(SHUT_WR), read and discard until the peer's EOF
 * for at most linger_ms in all, then close().  The reply is never cut by a
 * reset.  linger_ms <= 0, or a failed shutdown (peer gone): no drain.
 * Both closes set fd to -1 and do nothing when it already is.
 */
void conn_close(struct conn *c);

/* Close at once, for a connection already broken (reset, timed out). */
void conn_abort(struct conn *c);

#endif
