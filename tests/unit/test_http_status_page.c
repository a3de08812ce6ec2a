/*
 * test_http_status_page - who may see the status page, and what it shows:
 * the scoreboard the master published, with the answering worker's own row
 * marked busy with this client, as text or as JSON.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "board.h"
#include "conf.h"
#include "conn.h"
#include "http.h"
#include "score.h"

static struct score score;

/* The master's side: two workers, one of them this process, and a
 * parker holding 12 connections, 3 of them reading a request. */
static int
setup(void **state)
{
	struct health_record r;

	(void)state;
	if (board_open() != 0 || score_init(&score, 2, true) != 0)
		return -1;
	score_start(&score, 0, getpid(), 7, 120000, 1000);
	score_start(&score, 1, 424242, 8, 120000, 1000);
	score_start(&score, 2, 434343, 9, 120000, 1000);
	memset(&r, 0, sizeof(r));
	r.version = HEALTH_VERSION;
	r.role = HEALTH_ROLE_WORKER;
	r.pid = 424242;
	r.cookie = 8;
	r.seq = 1;
	r.state = HEALTH_READY;
	r.served = 5;
	r.parked = 40;
	r.shed = 1;
	assert_int_equal(score_apply(&score, &r, 1000, NULL), SCORE_APPLIED);
	memset(&r, 0, sizeof(r));
	r.role = HEALTH_ROLE_PARKER;
	r.pid = 434343;
	r.cookie = 9;
	r.seq = 1;
	r.state = HEALTH_BUSY;
	r.busy_since_ms = 1000;
	r.held = 12;
	r.held_reading = 3;
	r.held_sending = 2;
	r.parked = 40;
	r.served = 28;
	assert_int_equal(score_apply(&score, &r, 1000, NULL), SCORE_APPLIED);
	board_publish(&score, "2 workers: 0 busy, 1 idle, 1 starting; "
	    "5 served; 0 crashes");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	score_free(&score);
	board_close();
	return 0;
}

/* A client at addr (IPv4 or IPv6), port 40000. */
static void
client(struct conn *c, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&c->peer_addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&c->peer_addr;

	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(40000);
		c->peer_len = sizeof(*sin);
		return;
	}
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(40000);
	c->peer_len = sizeof(*sin6);
}

/* The reply to GET /server-status[?query] from c, with Host: host (NULL:
 * none). */
static void
ask_host(const struct conn *c, const char *host, const char *query,
    struct http_reply *rp)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	if (host != NULL) {
		req.host.ptr = host;
		req.host.len = strlen(host);
	}
	req.path.ptr = "/server-status";
	req.path.len = strlen(req.path.ptr);
	if (query != NULL) {
		req.query.ptr = query;
		req.query.len = strlen(query);
	}
	http_reply_init(rp);
	http_status_page_reply(c, &req, rp);
}

static void
ask(const struct conn *c, const char *query, struct http_reply *rp)
{
	ask_host(c, "localhost:8080", query, rp);
}

/* The body as a string (bodies are sent by length, not NUL-terminated). */
static const char *
body(const struct http_reply *rp)
{
	static char text[8192];

	assert_true(rp->length < sizeof(text));
	memcpy(text, rp->body, (size_t)rp->length);
	text[rp->length] = '\0';
	assert_int_equal(strlen(text), rp->length);	/* no NUL inside */
	return text;
}

static void
test_status_page_is_404_for_anyone_off_loopback(void **state)
{
	static const char *const outside[] = { "10.0.0.7", "192.168.1.2",
	    "128.0.0.1", "0.0.0.0", "2001:db8::1", "::ffff:10.0.0.7",
	    "fe80::1", "::" };
	struct http_reply rp;
	struct conn c;

	(void)state;
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		client(&c, outside[i]);
		ask(&c, i % 2 ? "json" : NULL, &rp);
		assert_int_equal(rp.status, HTTP_NOT_FOUND);
		http_reply_done(&rp);
	}
}

static void
test_status_page_answers_every_loopback_address(void **state)
{
	static const char *const loopback[] = { "127.0.0.1", "127.1.2.3",
	    "::1", "::ffff:127.0.0.1" };
	struct http_reply rp;
	struct conn c;

	(void)state;
	for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
		client(&c, loopback[i]);
		ask(&c, NULL, &rp);
		assert_int_equal(rp.status, HTTP_OK);
		http_reply_done(&rp);
	}
}

/* DNS rebinding, or a local proxy forwarding its client's Host: a
 * loopback peer that names another host gets 404. */
static void
test_status_page_wants_a_loopback_host_too(void **state)
{
	static const char *const ok[] = { "localhost", "localhost:8080",
	    "LocalHost.", "127.0.0.1", "127.9.8.7:80", "[::1]", "[::1]:8080" };
	static const char *const not[] = { "evil.example",
	    "evil.example:8080", "localhost.evil.example", "10.0.0.1",
	    "[2001:db8::1]:80", "[::1", "", ":8080", "127.1",
	    "localhostx" };
	struct http_reply rp;
	struct conn c;

	(void)state;
	client(&c, "127.0.0.1");
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ask_host(&c, ok[i], NULL, &rp);
		if (rp.status != HTTP_OK)
			fail_msg("Host: %s: %d, want 200", ok[i], rp.status);
		http_reply_done(&rp);
	}
	for (size_t i = 0; i < sizeof(not) / sizeof(not[0]); i++) {
		ask_host(&c, not[i], i % 2 ? "json" : NULL, &rp);
		if (rp.status != HTTP_NOT_FOUND)
			fail_msg("Host: %s: %d, want 404", not[i], rp.status);
		http_reply_done(&rp);
	}
	ask_host(&c, NULL, NULL, &rp);	/* HTTP/1.0 without Host */
	assert_int_equal(rp.status, HTTP_OK);
	http_reply_done(&rp);
}

static void
test_status_page_text_has_the_status_line_then_one_line_per_worker(
    void **state)
{
	char self[128], want[512];
	struct http_reply rp;
	struct conn c;

	(void)state;
	client(&c, "127.0.0.1");
	ask(&c, NULL, &rp);
	assert_int_equal(rp.status, HTTP_OK);
	assert_string_equal(rp.content_type, "text/plain; charset=utf-8");
	/* This worker is the one answering: busy, with this client. */
	snprintf(self, sizeof(self), "%ld generation=1 state=busy served=0 "
	    "busy_ms=", (long)getpid());
	snprintf(want, sizeof(want), "2 workers: 0 busy, 1 idle, 1 starting; "
	    "5 served; 0 crashes\n%s", self);
	assert_true(rp.length > strlen(want));
	assert_memory_equal(body(&rp), want, strlen(want));
	assert_non_null(strstr(body(&rp), " client=127.0.0.1:40000\n"));
	assert_non_null(strstr(body(&rp), "\n424242 generation=1 state=idle "
	    "served=5 busy_ms=0 client=-\n"));
	/* The parker's line says what it holds, not whom it serves. */
	assert_non_null(strstr(body(&rp), "\nparker 434343 generation=1 "
	    "state=busy held=12 reading=3 sending=2 taken=40 returned=28 shed=0\n"));
	http_reply_done(&rp);
}

static void
test_status_page_json_lists_every_worker_and_the_totals(void **state)
{
	struct http_reply rp;
	struct conn c;
	char self[128];

	(void)state;
	client(&c, "::1");
	ask(&c, "json", &rp);
	assert_int_equal(rp.status, HTTP_OK);
	assert_string_equal(rp.content_type, "application/json");
	snprintf(self, sizeof(self), "{\"workers\":[{\"pid\":%ld,"
	    "\"generation\":1,\"state\":\"busy\",\"served\":0,"
	    "\"client\":\"[::1]:40000\",", (long)getpid());
	assert_memory_equal(body(&rp), self, strlen(self));
	assert_non_null(strstr(body(&rp), "{\"pid\":424242,\"generation\":1,"
	    "\"state\":\"idle\",\"served\":5,\"client\":null,\"busy_ms\":0,"
	    "\"retiring\":false,\"parked\":40,\"cut\":1}],\"parkers\":["
	    "{\"pid\":434343,\"generation\":1,\"state\":\"busy\",\"held\":12,"
	    "\"reading\":3,\"sending\":2,\"taken\":40,\"returned\":28,\"shed\":0,"
	    "\"retiring\":false}],\"served\":5,\"crashes\":0,\"parked\":40,"
	    "\"cut\":1,\"held\":12,\"shed\":0,\"status\":"
	    "\"2 workers: 0 busy, 1 idle, 1 starting; 5 served; "
	    "0 crashes\"}\n"));
	http_reply_done(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_page_is_404_for_anyone_off_loopback),
		cmocka_unit_test(test_status_page_answers_every_loopback_address),
		cmocka_unit_test(test_status_page_wants_a_loopback_host_too),
		cmocka_unit_test(
		    test_status_page_text_has_the_status_line_then_one_line_per_worker),
		cmocka_unit_test(
		    test_status_page_json_lists_every_worker_and_the_totals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
