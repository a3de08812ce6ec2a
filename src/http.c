/*
 * http - the HTTP/1.1 static file service: the connection driver.
 *
 * Owns the request buffer (one per worker: a worker serves one connection
 * at a time) and the loop of one connection: read a request head, answer
 * it, keep the connection or close it.  Bytes that arrive after a head
 * are kept for the next request (pipelining), so requests are answered in
 * order, one at a time.
 *
 * Timeouts: a request head must be complete within timeouts.read of its
 * first byte (of the connection, for the first request): a head cut off
 * by the timeout is answered 408.  Between requests the connection may
 * stay idle for timeouts.keepalive; then it is closed without a word.
 * Each wait is bounded by an absolute deadline, so a connection that
 * waited in the parker meanwhile (conn.h: under pressure a wait may end
 * in a yield, and the connection comes back to any worker, with the bytes
 * of a head that came in part) keeps its deadlines.
 * Keep-alive follows HTTP/1.0 and 1.1 rules and ends after
 * http.keepalive_requests, after a refused request, after a request that
 * has a body, and once the worker was asked to stop: a worker that is
 * told to stop while a keep-alive connection is idle still answers the
 * request that may already be on its way, with "Connection: close".
 *
 * Every request gets one access record at info level:
 *   CLIENT "METHOD TARGET VERSION" STATUS BYTES MS
 * (BYTES: of the body sent).  Under journald the record also carries
 * REMOTE_ADDR, REMOTE_PORT, HTTP_METHOD, HTTP_PATH, HTTP_VERSION,
 * HTTP_STATUS, BYTES and DURATION_USEC.  Refused requests are logged the
 * same way, at info, so a flood of bad requests never fills the log with
 * warnings, and below info level costs no formatting at all.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "conf.h"
#include "conn.h"
#include "handoff.h"
#include "http.h"
#include "http_mime.h"
#include "log.h"
#include "service.h"
#include "worker.h"

/* Room for the largest head allowed, and one byte to tell it was more. */
#define HTTP_BUF_SIZE	(CONF_HEADER_MAX + 1)

enum http_read {
	HTTP_READ_QUIET = -1,	/* EOF or idle timeout: close, say nothing */
	HTTP_READ_BROKEN = -2,	/* reset or error: abort */
	HTTP_READ_YIELDED = -3,	/* the parker has the connection now */
};

struct http_conn {
	struct conn *c;
	const struct conf *cf;
	const struct http_site *site;
	size_t len;		/* bytes in http_buf */
	unsigned requests;	/* answered on this connection */
	uint64_t start_us;	/* of the request being read (monotonic) */
	uint64_t deadline_ms;	/* of the wait for it (monotonic) */
};

static char http_buf[HTTP_BUF_SIZE];

/* "FILE:LINE: http.root: "DIR": reason", the form of every config error. */
static int
http_root_error(const struct conf *cf, const char *why, char *buf,
    size_t len)
{
	if (cf->http.root_line > 0)
		snprintf(buf, len, "%s:%d: http.root: \"%s\": %s", cf->path,
		    cf->http.root_line, cf->http.root, why);
	else
		snprintf(buf, len, "%s: http.root: \"%s\": %s", cf->path,
		    cf->http.root, why);
	return -1;
}

/*
 * The root must be a directory this process can search and list: checked
 * here, so that preforkd -t, the start and a reload all refuse a root that
 * could only ever answer 403.
 */
int
http_open_site(const struct conf *cf, void **site, char *err, size_t errlen)
{
	struct http_site *s;
	int fd;

	fd = open(cf->http.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return http_root_error(cf, strerror(errno), err, errlen);
	if (access(cf->http.root, R_OK | X_OK) != 0 ||
	    (s = malloc(sizeof(*s))) == NULL) {
		int saved = errno;

		(void)close(fd);
		return http_root_error(cf, strerror(saved), err, errlen);
	}
	s->rootfd = fd;
	(void)http_mime_init(HTTP_MIME_FILE);
	*site = s;
	return 0;
}

/*
 * The root as the serving user sees it: opened by the master before it
 * dropped root, it must still be a directory this user can list and
 * search (workers open everything beneath it), or every request would be
 * 403.  The path above it need not be open to the user.
 */
int
http_check_site(const struct conf *cf, void *site, char *err,
    size_t errlen)
{
	struct http_site *s = site;

	char why[256];

	if (faccessat(s->rootfd, ".", R_OK | X_OK, 0) == 0)
		return 0;
	snprintf(why, sizeof(why), "user \"%s\" cannot list it (%s)",
	    cf->user, strerror(errno));
	return http_root_error(cf, why, err, errlen);
}

void
http_close_site(void *site)
{
	struct http_site *s = site;

	(void)close(s->rootfd);
	free(s);
}

/*
 * Does http_buf[from..len) hold the end of a head: an empty line, after
 * CRLF or a bare LF?  A head is parsed only once it is complete (or too
 * long), so a client that sends it byte by byte costs one parse, not one
 * per byte.
 */
static bool
http_head_ended(size_t from, size_t len)
{
	const char *p = http_buf + from, *end = http_buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (end - nl >= 2 && nl[1] == '\n')
			return true;
		if (end - nl >= 3 && nl[1] == '\r' && nl[2] == '\n')
			return true;
		p = nl + 1;
	}
	return false;
}

/* The connection goes to the parker, with what came of the request: 0,
 * or -1 when it cannot take it (then the worker waits on). */
static int
http_yield(struct http_conn *hc)
{
	const struct conn_unit u = {
		.kind = hc->len > 0 ? HANDOFF_READING : HANDOFF_IDLE,
		.units = hc->requests,
		.start_us = hc->start_us,
		.deadline_ms = hc->deadline_ms,
		.data = http_buf,
		.len = hc->len,
	};

	return conn_yield(hc->c, &u);
}

/* The wait for a head from start_us: timeouts.read. */
static uint64_t
http_head_deadline(const struct http_conn *hc)
{
	return clock_ceil_ms(hc->start_us) + (uint64_t)hc->c->read_timeout_ms;
}

/*
 * Reads until a whole request head is in the buffer: the parser's status
 * (HTTP_OK or an error to answer), or an enum http_read.
 */
static int
http_read_request(struct http_conn *hc, struct http_request *req)
{
	size_t max = (size_t)hc->cf->http.max_header_size, scanned = 0;
	ssize_t n;
	int status;

	for (;;) {
		/* The end may straddle what was scanned and what is new. */
		if (hc->len > max || http_head_ended(scanned > 2 ?
		    scanned - 2 : 0, hc->len)) {
			status = http_parse_request(http_buf, hc->len, max,
			    req);
			if (status != HTTP_INCOMPLETE)
				return status;
		}
		scanned = hc->len;
		n = conn_recv_or_yield(hc->c, http_buf + hc->len,
		    sizeof(http_buf) - hc->len, hc->deadline_ms);
		if (n > 0) {
			if (hc->len == 0 && hc->requests > 0) {
				/* The first byte after an idle wait. */
				hc->start_us = clock_now_us();
				hc->deadline_ms = http_head_deadline(hc);
			}
			hc->len += (size_t)n;
			continue;
		}
		if (n == CONN_YIELD) {
			if (http_yield(hc) == 0)
				return HTTP_READ_YIELDED;
			continue;
		}
		if (n == 0)
			return HTTP_READ_QUIET;
		if (errno != ETIMEDOUT)
			return HTTP_READ_BROKEN;
		if (hc->len == 0)
			return HTTP_READ_QUIET;
		/* What came is parsed for the log, and may be refused as is. */
		status = http_parse_request(http_buf, hc->len, max, req);
		return status != HTTP_INCOMPLETE ? status :
		    HTTP_REQUEST_TIMEOUT;
	}
}

/* The handler for a well-formed request. */
static void
http_dispatch(struct http_conn *hc, const struct http_request *req,
    struct http_reply *rp)
{
	if (http_status_page_wanted(hc->cf, req))
		http_status_page_reply(hc->c, req, rp);
	else
		http_file_reply(hc->site, hc->cf, req, rp);
}

/* HTTP/1.1 keeps by default, 1.0 only when asked; both within limits. */
static bool
http_keep_alive(const struct http_conn *hc, const struct http_request *req,
    const struct http_reply *rp)
{
	if (rp->close || req->has_body || req->conn_close ||
	    worker_stopping())
		return false;
	if (req->version_minor == 0 && !req->conn_keep_alive)
		return false;
	return hc->requests + 1 < (unsigned)hc->cf->http.keepalive_requests;
}

/* A response on its way: what is left of it, and what its access record
 * and the connection's next step need once it is all sent. */
struct http_sending {
	struct conn_out o;
	uint64_t mark;		/* bytes_out where the body began */
	int status;
	bool keep;
};

enum http_sent {
	HTTP_SENT_OK,
	HTTP_SENT_BROKEN,	/* abort the connection */
	HTTP_SENT_YIELDED,	/* the parker has it, and the rest */
};

/* The response goes to the parker to wait for its client: 0, or -1 when
 * it cannot take it (then the worker sends on). */
static int
http_yield_sending(struct http_conn *hc, const struct http_sending *s)
{
	const struct conn_unit u = {
		.kind = HANDOFF_SENDING,
		.units = hc->requests,
		.start_us = hc->start_us,
		.deadline_ms = clock_now_ms() +
		    (uint64_t)hc->c->write_timeout_ms,
		.data = http_buf,	/* the request, and any that follow */
		.len = hc->len,
		.out = s->o,
		.out_mark = s->mark,
		.reply_status = (uint16_t)s->status,
		.reply_flags = (s->keep ? HANDOFF_REPLY_KEEP : 0) |
		    (hc->c->peer_done ? HANDOFF_REPLY_PEER_DONE : 0),
	};

	return conn_yield(hc->c, &u);
}

/* Sends what is left of s, yielding while the client keeps it waiting
 * and others wait for a worker. */
static enum http_sent
http_send_rest(struct http_conn *hc, struct http_sending *s)
{
	int rc;

	while ((rc = conn_send_out(hc->c, &s->o, true)) == CONN_YIELD)
		if (http_yield_sending(hc, s) == 0)
			return HTTP_SENT_YIELDED;
	if (rc != 0 && errno == ENODATA)
		log_warning("%s: a file became shorter while it was sent",
		    hc->c->peer);
	if (rc != 0 && hc->c->cut)
		log_info("%s: response cut after %llu bytes: the client read "
		    "it more slowly than timeouts.min_rate (%u bytes/s) while "
		    "other connections waited", hc->c->peer,
		    (unsigned long long)(hc->c->bytes_out > s->mark ?
		    hc->c->bytes_out - s->mark : 0), hc->c->min_rate);
	return rc == 0 ? HTTP_SENT_OK : HTTP_SENT_BROKEN;
}

/* Head and body: what http_send_rest() then sends.  false when the head
 * cannot be made. */
static bool
http_sending_start(struct http_conn *hc, const struct http_request *req,
    const struct http_reply *rp, bool keep, char *head, size_t cap,
    struct http_sending *s)
{
	int minor = req->version_known ? req->version_minor : 1;
	size_t hlen = http_reply_head(rp, minor, keep, head, cap);
	bool body = req->method != HTTP_METHOD_HEAD && !rp->no_length &&
	    rp->length > 0;

	*s = (struct http_sending){
		.o = { .head = head, .head_len = hlen, .file_fd = -1 },
		.mark = hc->c->bytes_out + hlen,
		.status = rp->status,
		.keep = keep,
	};
	if (hlen == 0 || rp->fields_full) {
		log_error("%s: response head too large (status %d)",
		    hc->c->peer, rp->status);
		return false;
	}
	if (body && rp->body_fd >= 0) {
		s->o.file_fd = rp->body_fd;
		s->o.file_offset = (uint64_t)rp->body_offset;
		s->o.file_len = rp->length;
	} else if (body) {
		s->o.body = rp->body;
		s->o.body_len = (size_t)rp->length;
	}
	return true;
}

/*
 * The access record: the line, and for the journal the same facts as
 * fields (HTTP_PATH is the target as received, cut by log.c if long).
 */
static void
http_log(const struct http_conn *hc, const struct http_request *req,
    int status, uint64_t bytes)
{
	static const char *const versions[] = { "HTTP/1.0", "HTTP/1.1" };
	const struct http_str dash = { "-", 1 };
	struct http_str m = req->method_name.ptr ? req->method_name : dash;
	struct http_str t = req->target.ptr ? req->target : dash;
	const char *v = req->version_known ? versions[req->version_minor] : "-";
	char host[ADDR_STR_MAX];
	unsigned port;
	uint64_t us;

	if (!hc->cf->access_log || !log_enabled(LOG_INFO))
		return;
	us = clock_now_us() - hc->start_us;
	port = addr_host((const struct sockaddr *)&hc->c->peer_addr,
	    hc->c->peer_len, host, sizeof(host));
	log_info_fields(LOG_FIELDS(LOG_STR("REMOTE_ADDR", host),
	    LOG_U64("REMOTE_PORT", port),
	    LOG_MEM("HTTP_METHOD", m.ptr, m.len),
	    LOG_MEM("HTTP_PATH", t.ptr, t.len),
	    LOG_STR("HTTP_VERSION", v),
	    LOG_I64("HTTP_STATUS", status),
	    LOG_U64("BYTES", bytes),
	    LOG_U64("DURATION_USEC", us)),
	    "%s \"%.*s %.*s %s\" %d %" PRIu64 " %" PRIu64, hc->c->peer,
	    (int)m.len, m.ptr, (int)t.len, t.ptr, v, status, bytes,
	    us / 1000);
}

/*
 * A response was sent, or failed, or went to the parker: its access
 * record, and whether the connection goes on (false: it ended, or is
 * the parker's).
 */
static bool
http_answered(struct http_conn *hc, const struct http_request *req,
    const struct http_sending *s, enum http_sent sent)
{
	if (sent == HTTP_SENT_YIELDED)
		return false;
	http_log(hc, req, s->status, hc->c->bytes_out > s->mark ?
	    hc->c->bytes_out - s->mark : 0);
	if (sent != HTTP_SENT_OK) {
		conn_abort(hc->c);
		return false;
	}
	hc->requests++;
	/* Kept alive: the next response must not wait for an ACK of this one
	 * (Nagle), whatever size it ends with.  Once per connection; a
	 * failure only costs latency. */
	if (s->keep && hc->requests == 1)
		(void)setsockopt(hc->c->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
		    sizeof(int));
	return s->keep;
}

/* Answers one request; false when the connection must end (or went to
 * the parker). */
static bool
http_answer(struct http_conn *hc, const struct http_request *req, int status)
{
	char head[HTTP_HEAD_MAX];
	struct http_reply rp;
	struct http_sending s;
	enum http_sent sent;
	bool keep;

	http_reply_init(&rp);
	if (status == HTTP_OK) {
		http_dispatch(hc, req, &rp);
	} else {
		http_reply_error(&rp, status);
		if (status == HTTP_METHOD_NOT_ALLOWED)
			http_reply_field(&rp, "Allow", "GET, HEAD");
		rp.close = true;
	}
	keep = http_keep_alive(hc, req, &rp);
	/* A client that asked for the end, whose request was read whole and
	 * who sent nothing after it, has nothing more to send: the close
	 * need not wait for its EOF. */
	hc->c->peer_done = !keep && status == HTTP_OK && !req->has_body &&
	    hc->len == req->head_len && (req->conn_close ||
	    (req->version_known && req->version_minor == 0 &&
	    !req->conn_keep_alive));
	sent = http_sending_start(hc, req, &rp, keep, head, sizeof(head), &s) ?
	    http_send_rest(hc, &s) : HTTP_SENT_BROKEN;
	http_reply_done(&rp);
	return http_answered(hc, req, &s, sent);
}

/* Where the connection stood when the parker took it. */
static void
http_resume(struct http_conn *hc)
{
	const struct conn_unit *u = &hc->c->resume;

	hc->len = u->len < sizeof(http_buf) ? u->len : sizeof(http_buf);
	memcpy(http_buf, u->data, hc->len);
	hc->requests = u->units;
	hc->start_us = u->start_us;
	hc->deadline_ms = u->deadline_ms;
}

/*
 * A response that waited in the parker for its client: the rest of it,
 * then on as after any answer.  The request is parsed again from the
 * bytes that came back (the same bytes: the same request), for its
 * access record and its length.  false when the connection must end.
 */
static bool
http_resume_sending(struct http_conn *hc, size_t *head_len)
{
	const struct conn_unit *u = &hc->c->resume;
	struct http_request req;
	struct http_sending s = {
		.o = u->out,
		.mark = u->out_mark,
		.status = u->reply_status,
		.keep = (u->reply_flags & HANDOFF_REPLY_KEEP) != 0,
	};
	int parsed = http_parse_request(http_buf, hc->len,
	    (size_t)hc->cf->http.max_header_size, &req);

	hc->c->peer_done = (u->reply_flags & HANDOFF_REPLY_PEER_DONE) != 0;
	/* Kept only after a request that parsed whole (http_keep_alive). */
	if (parsed != HTTP_OK || req.head_len > hc->len)
		s.keep = false;
	*head_len = req.head_len;
	return http_answered(hc, &req, &s, http_send_rest(hc, &s));
}

/* After an answer: the next head is already coming (pipelined), or the
 * connection waits idle for it. */
static void
http_next(struct http_conn *hc, size_t head_len)
{
	hc->len -= head_len;
	memmove(http_buf, http_buf + head_len, hc->len);
	hc->start_us = clock_now_us();
	hc->deadline_ms = hc->len > 0 ? http_head_deadline(hc) :
	    clock_ceil_ms(hc->start_us) + (uint64_t)hc->c->keepalive_ms;
}

void
http_handle(struct conn *c, const struct conf *cf, void *site)
{
	struct http_conn hc = {
		.c = c,
		.cf = cf,
		.site = site,
		.start_us = clock_now_us(),
	};
	struct http_request req;
	int status;

	if (!c->resumed) {
		hc.deadline_ms = http_head_deadline(&hc);
	} else {
		http_resume(&hc);
		if (c->resume.kind == HANDOFF_SENDING) {
			size_t head_len;

			if (!http_resume_sending(&hc, &head_len)) {
				if (c->fd >= 0)
					conn_close(c);
				return;
			}
			http_next(&hc, head_len);
		}
	}
	for (;;) {
		status = http_read_request(&hc, &req);
		if (status == HTTP_READ_YIELDED)
			return;
		if (status == HTTP_READ_BROKEN) {
			conn_abort(c);
			return;
		}
		if (status == HTTP_READ_QUIET)
			break;
		if (!http_answer(&hc, &req, status)) {
			if (c->fd < 0)
				return;		/* aborted */
			break;
		}
		http_next(&hc, req.head_len);
	}
	conn_close(c);
}
