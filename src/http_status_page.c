/*
 * http_status_page - the scoreboard at http.status_path, for loopback
 * clients only.
 *
 * Text (one status line, then one line per worker beginning with its pid,
 * and one per parker beginning with "parker", as USR1 logs them) or, with
 * "?json" in the query, JSON:
 *   {"workers":[{"pid":1,"generation":1,"state":"idle","served":3,
 *     "client":"127.0.0.1:5555","busy_ms":0,"retiring":false,
 *     "parked":0,"cut":0}],
 *    "parkers":[{"pid":2,"generation":1,"state":"busy","held":12,
 *     "reading":3,"sending":1,"taken":40,"returned":28,"shed":0,"retiring":false}],
 *    "served":12,"crashes":0,"parked":40,"cut":0,"held":12,"shed":0,
 *    "status":"..."}
 * The data comes from the board the master publishes (board.h), read
 * into this worker's static memory.  Anyone not on loopback gets a 404,
 * as if the page did not exist, and so does a request whose Host is not
 * a loopback name or address.  (A reverse proxy on this machine that
 * forwards with Host: localhost makes the page reachable through it.)
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "clock.h"
#include "conf.h"
#include "conn.h"
#include "http.h"
#include "score.h"

#define HTTP_STATUS_LINE_MAX	256

bool
http_status_page_wanted(const struct conf *cf, const struct http_request *req)
{
	size_t n = strlen(cf->http.status_path);

	return n > 0 && req->path.len == n &&
	    memcmp(req->path.ptr, cf->http.status_path, n) == 0;
}

static bool
http_status_loopback4(const struct in_addr *a)
{
	return (ntohl(a->s_addr) >> 24) == 127;
}

/* 127.0.0.0/8, ::1, and ::ffff:127.0.0.0/104. */
static bool
http_status_loopback(const struct conn *c)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	switch (c->peer_addr.ss_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)&c->peer_addr;
		return http_status_loopback4(&sin->sin_addr);
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)&c->peer_addr;
		if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

/*
 * Does the request name this machine by a loopback name or address:
 * "localhost" (any case, a final dot allowed), 127.0.0.0/8, or [::1],
 * each with an optional port?  No Host at all (HTTP/1.0) counts as one.
 * A browser sends the name it was given, so a page on another site that
 * points a name of its own at 127.0.0.1 (DNS rebinding) is told 404, and
 * so is a request a local proxy forwards with its client's Host.
 */
static bool
http_status_host_loopback(struct http_str host)
{
	char lit[INET6_ADDRSTRLEN];	/* the address, NUL-terminated */
	struct http_str name = host;
	const char *end;
	bool bracket;
	struct in_addr a4;
	struct in6_addr a6;

	if (host.ptr == NULL)
		return true;
	bracket = host.len > 0 && host.ptr[0] == '[';
	end = memchr(host.ptr, bracket ? ']' : ':', host.len);
	if (bracket && end == NULL)
		return false;
	if (bracket)
		name.ptr++;
	if (end != NULL)
		name.len = (size_t)(end - name.ptr);
	if (http_str_eq(name, "localhost") || http_str_eq(name, "localhost."))
		return !bracket;
	if (name.len == 0 || name.len >= sizeof(lit))
		return false;
	memcpy(lit, name.ptr, name.len);
	lit[name.len] = '\0';
	if (bracket)
		return inet_pton(AF_INET6, lit, &a6) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&a6);
	return inet_pton(AF_INET, lit, &a4) == 1 && http_status_loopback4(&a4);
}

/* The board's row as a scoreboard slot, for score_format_slot(). */
static void
http_status_slot(const struct board_worker *bw, struct score_slot *w)
{
	memset(w, 0, sizeof(*w));
	w->pid = bw->pid;
	w->generation = bw->generation;
	w->role = bw->role;
	w->state = (enum score_state)bw->state;
	w->retiring = bw->retiring;
	w->served = bw->served;
	w->busy_since_ms = bw->busy_since_ms;
	w->client = bw->client;
	w->parked = bw->parked;
	w->shed = bw->shed;
	w->held = bw->held;
	w->held_reading = bw->held_reading;
	w->held_sending = bw->held_sending;
}

static char *
http_status_text(const struct board *b, uint64_t now, size_t *len)
{
	size_t cap = BOARD_STATUS_MAX + 2 + b->nworkers * HTTP_STATUS_LINE_MAX;
	char *out = malloc(cap);
	size_t n;

	if (out == NULL)
		return NULL;
	n = (size_t)snprintf(out, cap, "%s\n", b->status);
	for (size_t i = 0; i < b->nworkers && n < cap; i++) {
		struct score_slot w;

		http_status_slot(&b->w[i], &w);
		score_format_slot(&w, now, out + n, cap - n);
		n += strlen(out + n);
		if (n + 1 < cap)
			out[n++] = '\n';
	}
	*len = n < cap ? n : cap - 1;
	return out;
}

/* A JSON string: the status line only holds printable ASCII, but escape
 * what JSON requires anyway. */
static size_t
http_status_json_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	if (n < cap)
		out[n++] = '"';
	for (; *s != '\0' && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	if (n < cap)
		out[n++] = '"';
	return n;
}

/* One worker's object. */
static size_t
http_status_json_worker(char *out, size_t cap, const struct board_worker *w,
    uint64_t now)
{
	char client[ADDR_STR_MAX + 2] = "null";
	uint64_t busy = w->busy_since_ms != 0 && now > w->busy_since_ms ?
	    now - w->busy_since_ms : 0;

	if (w->client.family != 0) {
		client[0] = '"';
		health_client_format(&w->client, client + 1, sizeof(client) - 2);
		strcat(client, "\"");
	}
	return (size_t)snprintf(out, cap, "{\"pid\":%ld,\"generation\":%lu,"
	    "\"state\":\"%s\",\"served\":%llu,\"client\":%s,\"busy_ms\":%llu,"
	    "\"retiring\":%s,\"parked\":%llu,\"cut\":%llu}", (long)w->pid,
	    (unsigned long)w->generation,
	    score_state_name((enum score_state)w->state),
	    (unsigned long long)w->served, client, (unsigned long long)busy,
	    w->retiring ? "true" : "false", (unsigned long long)w->parked,
	    (unsigned long long)w->shed);
}

/* One parker's object. */
static size_t
http_status_json_parker(char *out, size_t cap, const struct board_worker *w)
{
	return (size_t)snprintf(out, cap, "{\"pid\":%ld,\"generation\":%lu,"
	    "\"state\":\"%s\",\"held\":%lu,\"reading\":%lu,"
	    "\"sending\":%lu,\"taken\":%llu,\"returned\":%llu,\"shed\":%llu,"
	    "\"retiring\":%s}", (long)w->pid, (unsigned long)w->generation,
	    score_state_name((enum score_state)w->state),
	    (unsigned long)w->held, (unsigned long)w->held_reading,
	    (unsigned long)w->held_sending,
	    (unsigned long long)w->parked, (unsigned long long)w->served,
	    (unsigned long long)w->shed, w->retiring ? "true" : "false");
}

/* The rows of one role, as a JSON array named name. */
static size_t
http_status_json_rows(char *out, size_t cap, const struct board *b,
    uint8_t role, const char *name, uint64_t now)
{
	size_t n = (size_t)snprintf(out, cap, "\"%s\":[", name);
	bool first = true;

	for (size_t i = 0; i < b->nworkers && n < cap; i++) {
		const struct board_worker *w = &b->w[i];

		if (w->role != role)
			continue;
		if (!first && n < cap)
			out[n++] = ',';
		first = false;
		if (n < cap)
			n += role == HEALTH_ROLE_PARKER ?
			    http_status_json_parker(out + n, cap - n, w) :
			    http_status_json_worker(out + n, cap - n, w, now);
	}
	if (n < cap)
		n += (size_t)snprintf(out + n, cap - n, "]");
	return n;
}

static char *
http_status_json(const struct board *b, uint64_t now, size_t *len)
{
	size_t cap = 2 * BOARD_STATUS_MAX + 256 +
	    b->nworkers * HTTP_STATUS_LINE_MAX;
	char *out = malloc(cap);
	size_t n = 0;

	if (out == NULL)
		return NULL;
	out[n++] = '{';
	n += http_status_json_rows(out + n, cap - n, b, HEALTH_ROLE_WORKER,
	    "workers", now);
	if (n < cap)
		out[n++] = ',';
	if (n < cap)
		n += http_status_json_rows(out + n, cap - n, b,
		    HEALTH_ROLE_PARKER, "parkers", now);
	if (n < cap)
		n += (size_t)snprintf(out + n, cap - n, ",\"served\":%llu,"
		    "\"crashes\":%llu,\"parked\":%llu,\"cut\":%llu,"
		    "\"held\":%llu,\"shed\":%llu,\"status\":",
		    (unsigned long long)b->served,
		    (unsigned long long)b->crashes,
		    (unsigned long long)b->parked, (unsigned long long)b->cut,
		    (unsigned long long)b->held, (unsigned long long)b->shed);
	if (n < cap)
		n += http_status_json_str(out + n, cap - n, b->status);
	if (n < cap)
		n += (size_t)snprintf(out + n, cap - n, "}\n");
	*len = n < cap ? n : cap - 1;
	return out;
}

/*
 * The board is a little behind (the master publishes at most every
 * BOARD_PUBLISH_MS): this worker's own row is certainly busy with this
 * client, so say so, rather than show the reader idle.
 */
static void
http_status_self(struct board *b, const struct conn *c)
{
	pid_t self = getpid();
	size_t i;

	for (i = 0; i < b->nworkers; i++)
		if (b->w[i].pid == self)
			break;
	if (i == b->nworkers) {
		if (i == BOARD_MAX_WORKERS)
			return;
		memset(&b->w[i], 0, sizeof(b->w[i]));
		b->w[i].pid = self;
		b->w[i].role = HEALTH_ROLE_WORKER;
		b->nworkers++;
	}
	b->w[i].state = SCORE_BUSY;
	b->w[i].busy_since_ms = c->start_ms;
	health_client_set(&b->w[i].client,
	    (const struct sockaddr *)&c->peer_addr);
}

void
http_status_page_reply(const struct conn *c, const struct http_request *req,
    struct http_reply *rp)
{
	static struct board b;
	bool json = req->query.ptr != NULL && http_str_eq(req->query, "json");
	char *body;
	size_t len = 0;

	if (!http_status_loopback(c) || !http_status_host_loopback(req->host)) {
		http_reply_error(rp, HTTP_NOT_FOUND);
		return;
	}
	if (board_read(&b) != 0) {
		http_reply_error(rp, HTTP_INTERNAL_ERROR);
		return;
	}
	http_status_self(&b, c);
	body = json ? http_status_json(&b, clock_now_ms(), &len) :
	    http_status_text(&b, clock_now_ms(), &len);
	if (body == NULL) {
		http_reply_error(rp, HTTP_INTERNAL_ERROR);
		return;
	}
	http_reply_field(rp, "Cache-Control", "no-store");
	http_reply_body(rp, HTTP_OK, json ? "application/json" :
	    "text/plain; charset=utf-8", body, len, true);
}
