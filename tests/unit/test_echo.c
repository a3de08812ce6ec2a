/*
 * test_echo - the echo service over real loopback TCP connections.
 *
 * No fakes: each test opens a connection to itself on 127.0.0.1, plays the
 * client on one end and hands the other to echo_handle() (in a child
 * process when both sides must run at once).  stderr is captured to check
 * the access record "CLIENT echo IN OUT MS END" and the log level.
 * Timeouts are tens of milliseconds, set on the conn after conn_init.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "conn.h"
#include "log.h"
#include "service.h"

#define BIG_LEN		(1024 * 1024 + 7)	/* not a multiple of 64 KiB */

static const struct conf_timeouts test_timeouts = {
	.read = 2, .write = 2, .keepalive = 1, .linger = 1,
	.graceful = 1, .hang = 10,
};

static struct conf test_conf = { .access_log = true };

/* ---- a loopback connection ---- */

/* A connected pair on 127.0.0.1; the server end is set up as a conn. */
static void
pair_open(int *client, struct conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_storage peer;
	socklen_t len = sizeof(sin);
	int lfd, sfd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*client >= 0);
	assert_int_equal(connect(*client, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	len = sizeof(peer);
	sfd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
	assert_true(sfd >= 0);
	close(lfd);
	conn_init(c, sfd, (struct sockaddr *)&peer, len, &test_timeouts);
}

static void
client_send(int fd, const void *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads everything up to EOF into buf; returns the length. */
static size_t
client_recv_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while ((n = recv(fd, buf + got, cap - got, 0)) > 0)
		got += (size_t)n;
	assert_int_equal(n, 0);
	return got;
}

/* ---- stderr, captured ---- */

static int saved_stderr = -1;
static FILE *captured;

static void
capture_start(void)
{
	captured = tmpfile();
	assert_non_null(captured);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(captured), STDERR_FILENO) >= 0);
}

/* Restores stderr and returns what was written to it meanwhile. */
static const char *
capture_stop(void)
{
	static char text[4096];
	size_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(captured);
	n = fread(text, 1, sizeof(text) - 1, captured);
	text[n] = '\0';
	fclose(captured);
	return text;
}

/* text holds this access record, at info level, of at least min_ms. */
static void
assert_access_record(const char *text, const char *peer, uint64_t in,
    uint64_t out, const char *end, long min_ms)
{
	char expect[128], end_seen[32];
	const char *rec;
	long ms;

	snprintf(expect, sizeof(expect), "%s echo %llu %llu ", peer,
	    (unsigned long long)in, (unsigned long long)out);
	rec = strstr(text, expect);
	if (rec == NULL)
		fail_msg("no \"%s\" record in: %s", expect, text);
	assert_int_equal(sscanf(rec + strlen(expect), "%ld %31s", &ms,
	    end_seen), 2);
	assert_string_equal(end_seen, end);
	if (ms < min_ms)
		fail_msg("%ld ms, want at least %ld: %s", ms, min_ms, rec);
	assert_true(rec - text >= 8);
	assert_memory_equal(rec - 8, ": info: ", 8);
}

static int
count_of(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Runs echo_handle on c in this process; the service must have closed
 * the connection.  Returns what it logged. */
static const char *
run_echo(struct conn *c, const struct conf *cf)
{
	const char *text;

	capture_start();
	echo_handle(c, cf, NULL);
	text = capture_stop();
	assert_int_equal(c->fd, -1);
	return text;
}

/* ---- the tests ---- */

static void
test_echo_returns_every_byte_then_logs_eof(void **state)
{
	struct conn c;
	char peer[CONN_PEER_MAX], buf[16];
	int client;

	(void)state;
	pair_open(&client, &c);
	memcpy(peer, c.peer, sizeof(peer));
	client_send(client, "abc", 3);
	shutdown(client, SHUT_WR);
	const char *text = run_echo(&c, &test_conf);
	assert_int_equal(client_recv_all(client, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "abc", 3);
	assert_access_record(text, peer, 3, 3, "eof", 0);
	assert_null(strstr(text, "warning"));
	close(client);
}

/*
 * Runs echo_handle on c in a child, which exits 0 once c is closed; the
 * parent's copy of c is closed at once.  Parent and child share the
 * captured stderr, if any.
 */
static pid_t
echo_in_child(struct conn *c, const struct conf *cf)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		echo_handle(c, cf, NULL);
		_exit(c->fd == -1 ? 0 : 1);
	}
	conn_abort(c);
	return pid;
}

/* Writes all of data while reading it back; returns the length read. */
static size_t
client_stream(int fd, const char *data, size_t len, char *back, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	size_t sent = 0, got = 0;
	ssize_t n;

	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	for (;;) {
		assert_true(poll(&pfd, 1, 5000) > 0);
		if ((pfd.revents & POLLOUT) && sent < len) {
			n = send(fd, data + sent, len - sent, MSG_NOSIGNAL);
			assert_true(n > 0 || errno == EAGAIN);
			sent += n > 0 ? (size_t)n : 0;
			if (sent == len) {
				shutdown(fd, SHUT_WR);
				pfd.events = POLLIN;
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP)) {
			n = recv(fd, back + got, cap - got, 0);
			assert_true(n >= 0 || errno == EAGAIN);
			if (n == 0)
				return got;
			got += n > 0 ? (size_t)n : 0;
		}
	}
}

static void
test_echo_returns_a_megabyte_in_order_while_the_client_still_sends(
    void **state)
{
	static char data[BIG_LEN], back[BIG_LEN + 1];
	struct conn c;
	int client, status;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 131 + i / 251);
	pair_open(&client, &c);
	pid = echo_in_child(&c, &(struct conf){ .access_log = false });
	assert_int_equal(client_stream(client, data, sizeof(data), back,
	    sizeof(back)), sizeof(data));
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(c.fd, -1);
	close(client);
}

static void
test_echo_drops_a_silent_client_after_the_read_timeout(void **state)
{
	struct conn c;
	char peer[CONN_PEER_MAX], buf[16];
	int client;

	(void)state;
	pair_open(&client, &c);
	memcpy(peer, c.peer, sizeof(peer));
	c.read_timeout_ms = 50;
	c.linger_ms = 50;
	const char *text = run_echo(&c, &test_conf);
	assert_int_equal(client_recv_all(client, buf, sizeof(buf)), 0);
	assert_access_record(text, peer, 0, 0, "read-timeout", 50);
	assert_null(strstr(text, "warning"));
	close(client);
}

static void
test_echo_aborts_a_client_that_does_not_read(void **state)
{
	static char junk[256 * 1024];
	struct conn c;
	int client, status;
	pid_t pid;

	(void)state;
	pair_open(&client, &c);
	c.write_timeout_ms = 50;
	capture_start();
	pid = echo_in_child(&c, &test_conf);
	/* Sends and never reads, until the child's abort resets us. */
	while (send(client, junk, sizeof(junk), MSG_NOSIGNAL) > 0)
		continue;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	const char *text = capture_stop();
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(strstr(text, " write-timeout"));
	assert_null(strstr(text, "warning"));
	close(client);
}

static void
test_echo_ends_with_reset_at_info_when_the_client_resets(void **state)
{
	struct linger hard = { .l_onoff = 1, .l_linger = 0 };
	struct conn c;
	char peer[CONN_PEER_MAX];
	int client;

	(void)state;
	pair_open(&client, &c);
	memcpy(peer, c.peer, sizeof(peer));
	assert_int_equal(setsockopt(client, SOL_SOCKET, SO_LINGER, &hard,
	    sizeof(hard)), 0);
	close(client);		/* RST */
	const char *text = run_echo(&c, &test_conf);
	assert_access_record(text, peer, 0, 0, "reset", 0);
	assert_null(strstr(text, "warning"));
}

static void
test_echo_warns_once_on_an_unexpected_error(void **state)
{
	struct conn c;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	conn_init(&c, fd, NULL, 0, &test_timeouts);	/* not a socket */
	const char *text = run_echo(&c, &test_conf);
	assert_int_equal(count_of(text, ": warning: "), 1);
	assert_non_null(strstr(text, ": warning: unknown: echo: "));
	assert_access_record(text, "unknown", 0, 0, "error", 0);
}

static void
test_echo_writes_no_access_record_when_access_log_is_off(void **state)
{
	struct conf quiet = { .access_log = false };
	struct conn c;
	char buf[16];
	int client;

	(void)state;
	pair_open(&client, &c);
	client_send(client, "x", 1);
	shutdown(client, SHUT_WR);
	const char *text = run_echo(&c, &quiet);
	assert_int_equal(client_recv_all(client, buf, sizeof(buf)), 1);
	assert_string_equal(text, "");
	close(client);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_returns_every_byte_then_logs_eof),
		cmocka_unit_test(test_echo_returns_a_megabyte_in_order_while_the_client_still_sends),
		cmocka_unit_test(test_echo_drops_a_silent_client_after_the_read_timeout),
		cmocka_unit_test(test_echo_aborts_a_client_that_does_not_read),
		cmocka_unit_test(test_echo_ends_with_reset_at_info_when_the_client_resets),
		cmocka_unit_test(test_echo_warns_once_on_an_unexpected_error),
		cmocka_unit_test(test_echo_writes_no_access_record_when_access_log_is_off),
	};

	log_init("test_echo");
	log_set_level(LOG_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
