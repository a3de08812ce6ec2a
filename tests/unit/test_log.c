/*
 * test_log - journald records and stderr lines.
 *
 * The pure parts (JOURNAL_STREAM matching, the record's iovec) are checked
 * directly.  log_emit() runs with stderr on a temporary file and, in
 * journal mode, JOURNAL_STREAM naming that very file; log.o is linked with
 *   -Wl,--wrap=sd_journal_sendv,--wrap=access
 * so every record lands in __wrap_sd_journal_sendv, which keeps a copy
 * and answers what the test queued with will_return (0, or a -errno that
 * must send the record to stderr instead), and journald's socket exists
 * when journal_socket says so.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

int __wrap_sd_journal_sendv(const struct iovec *iov, int n);
int __wrap_access(const char *path, int mode);
int __real_access(const char *path, int mode);

/* ---- the fake journal ---- */

#define SENT_MAX	32

static char sent[SENT_MAX][LOG_LINE_MAX + 64];
static size_t sent_len[SENT_MAX];
static int sent_n;
static int sendv_calls;

int
__wrap_sd_journal_sendv(const struct iovec *iov, int n)
{
	sendv_calls++;
	sent_n = 0;
	for (int i = 0; i < n && i < SENT_MAX; i++) {
		size_t len = iov[i].iov_len < sizeof(sent[0]) ?
		    iov[i].iov_len : sizeof(sent[0]) - 1;

		memcpy(sent[i], iov[i].iov_base, len);
		sent[i][len] = '\0';
		sent_len[i] = iov[i].iov_len;
		sent_n++;
	}
	return mock_type(int);
}

static bool journal_socket = true;

int
__wrap_access(const char *path, int mode)
{
	if (strcmp(path, "/run/systemd/journal/socket") != 0)
		return __real_access(path, mode);
	if (journal_socket)
		return 0;
	errno = ENOENT;
	return -1;
}

/* The value of field name in the last record sent, or NULL. */
static const char *
sent_field(const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; i < sent_n; i++)
		if (strncmp(sent[i], name, len) == 0 && sent[i][len] == '=')
			return sent[i] + len + 1;
	return NULL;
}

static int
sent_count(const char *name)
{
	size_t len = strlen(name);
	int n = 0;

	for (int i = 0; i < sent_n; i++)
		if (strncmp(sent[i], name, len) == 0 && sent[i][len] == '=')
			n++;
	return n;
}

/* ---- stderr on a file; JOURNAL_STREAM naming it, or not ---- */

static int saved_stderr = -1;
static FILE *captured;
static char captured_text[2 * LOG_LINE_MAX];
static size_t captured_seen;		/* bytes a test has looked at */

static int
setup(void **state)
{
	(void)state;
	captured = tmpfile();
	if (captured == NULL)
		return -1;
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fileno(captured), STDERR_FILENO) < 0)
		return -1;
	unsetenv("JOURNAL_STREAM");
	log_init("preforkd");
	log_set_level(LOG_INFO);
	log_set_context(NULL, 0);
	sendv_calls = 0;
	sent_n = 0;
	captured_seen = 0;
	journal_socket = true;
	return 0;
}

/* What was written to stderr since the setup. */
static const char *
captured_read(void)
{
	size_t n;

	fflush(stderr);
	n = (size_t)pread(fileno(captured), captured_text,
	    sizeof(captured_text) - 1, 0);
	if (n == (size_t)-1)
		n = 0;
	captured_text[n] = '\0';
	captured_seen = n;
	return captured_text;
}

/* Restores stderr, and shows there what came after the test last looked
 * (cmocka's own messages about a failure among it). */
static int
teardown(void **state)
{
	size_t seen = captured_seen;
	const char *text = captured_read() + seen;

	(void)state;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fclose(captured);
	if (text[0] != '\0')
		fprintf(stderr, "captured stderr:\n%s", text);
	unsetenv("JOURNAL_STREAM");
	log_init("preforkd");
	log_set_context(NULL, 0);
	return 0;
}

/* JOURNAL_STREAM as systemd would set it for the file now on fd 2. */
static void
journal_on_wanted(void)
{
	struct stat st;
	char env[64];

	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	log_init("preforkd");
}

static void
journal_on(void)
{
	journal_on_wanted();
	assert_true(log_to_journal());
}

/* ---- JOURNAL_STREAM ---- */

static void
test_log_journal_stream_matches_the_device_and_inode(void **state)
{
	(void)state;
	assert_true(log_journal_stream_matches("2049:131", 2049, 131));
	assert_true(log_journal_stream_matches("0:0", 0, 0));
	assert_true(log_journal_stream_matches("18446744073709551615:7",
	    (dev_t)UINT64_MAX, 7));
}

static void
test_log_journal_stream_rejects_another_device_or_inode(void **state)
{
	(void)state;
	assert_false(log_journal_stream_matches("2049:131", 2049, 132));
	assert_false(log_journal_stream_matches("2049:131", 2050, 131));
	assert_false(log_journal_stream_matches("131:2049", 2049, 131));
}

static void
test_log_journal_stream_rejects_garbage_and_empty(void **state)
{
	static const char *const bad[] = {
		"", ":", "2049", "2049:", ":131", "2049:131x", " 2049:131",
		"2049:131 ", "+2049:131", "-1:131", "2049:-131", "2049:131:5",
		"2049;131", "0x801:131", "2049: 131",
		"18446744073709551616:131",	/* UINT64_MAX + 1 */
		"99999999999999999999999999:131",
	};

	(void)state;
	assert_false(log_journal_stream_matches(NULL, 2049, 131));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (log_journal_stream_matches(bad[i], 2049, 131))
			fail_msg("JOURNAL_STREAM=\"%s\" accepted", bad[i]);
	}
}

static void
test_log_init_chooses_the_journal_only_when_stderr_is_the_stream(void **state)
{
	struct stat st;
	char env[64];

	(void)state;
	assert_false(log_to_journal());		/* no JOURNAL_STREAM */

	assert_int_equal(stat("/", &st), 0);	/* some other file */
	snprintf(env, sizeof(env), "%llu:%llu",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	log_init("preforkd");
	assert_false(log_to_journal());

	assert_int_equal(setenv("JOURNAL_STREAM", "garbage", 1), 0);
	log_init("preforkd");
	assert_false(log_to_journal());

	journal_on();
}

/* sd_journal_sendv() would report success and drop every record. */
static void
test_log_init_keeps_stderr_when_journald_has_no_socket(void **state)
{
	(void)state;
	journal_socket = false;
	journal_on_wanted();
	assert_false(log_to_journal());
	log_info("still %s", "here");
	assert_int_equal(sendv_calls, 0);
	assert_non_null(strstr(captured_read(), ": info: still here\n"));
}

/* ---- the record ---- */

static void
assert_iov(const struct log_record *r, size_t i, const char *want)
{
	assert_true(i < r->n);
	assert_int_equal(r->iov[i].iov_len, strlen(want));
	assert_memory_equal(r->iov[i].iov_base, want, strlen(want));
}

static void
test_log_record_holds_message_priority_location_and_fields(void **state)
{
	static const char msg[] = "127.0.0.1:40000 \"GET /a HTTP/1.1\" 200 5 0";
	struct log_record r;
	const char method[] = { 'G', 'E', 'T', ' ', 'x' };  /* not a string */

	(void)state;
	log_record_build(&r, LOG_INFO, "preforkd", "http.c", 255, "http_log",
	    msg, strlen(msg), 0, LOG_FIELDS(
	    LOG_STR("REMOTE_ADDR", "127.0.0.1"),
	    LOG_MEM("HTTP_METHOD", method, 3),
	    LOG_U64("HTTP_STATUS", 200),
	    LOG_U64("BYTES", UINT64_MAX),
	    LOG_I64("DELTA", -5)), NULL, 0);
	assert_int_equal(r.n, 11);
	assert_iov(&r, 0, "MESSAGE=127.0.0.1:40000 \"GET /a HTTP/1.1\" 200 5 0");
	assert_iov(&r, 1, "PRIORITY=6");
	assert_iov(&r, 2, "SYSLOG_IDENTIFIER=preforkd");
	assert_iov(&r, 3, "CODE_FILE=http.c");
	assert_iov(&r, 4, "CODE_LINE=255");
	assert_iov(&r, 5, "CODE_FUNC=http_log");
	assert_iov(&r, 6, "REMOTE_ADDR=127.0.0.1");
	assert_iov(&r, 7, "HTTP_METHOD=GET");
	assert_iov(&r, 8, "HTTP_STATUS=200");
	assert_iov(&r, 9, "BYTES=18446744073709551615");
	assert_iov(&r, 10, "DELTA=-5");
}

static void
test_log_record_adds_errno_only_when_there_is_one(void **state)
{
	struct log_record r;

	(void)state;
	log_record_build(&r, LOG_WARNING, "preforkd", "f.c", 1, "f", "m", 1,
	    ENOENT, NULL, 0, NULL, 0);
	assert_int_equal(r.n, 7);
	assert_iov(&r, 1, "PRIORITY=4");
	assert_iov(&r, 6, "ERRNO=2");
	log_record_build(&r, LOG_WARNING, "preforkd", "f.c", 1, "f", "m", 1,
	    0, NULL, 0, NULL, 0);
	assert_int_equal(r.n, 6);
}

static void
test_log_record_cuts_an_over_long_path_and_says_so(void **state)
{
	static char path[3 * LOG_VALUE_MAX];
	struct log_record r;
	const char *v;

	(void)state;
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	log_record_build(&r, LOG_INFO, "preforkd", "http.c", 1, "f", "m", 1,
	    0, LOG_FIELDS(LOG_MEM("HTTP_PATH", path, sizeof(path)),
	    LOG_U64("HTTP_STATUS", 414)), NULL, 0);
	assert_int_equal(r.n, 8);
	assert_int_equal(r.iov[6].iov_len, strlen("HTTP_PATH=") + LOG_VALUE_MAX);
	v = (const char *)r.iov[6].iov_base + strlen("HTTP_PATH=");
	assert_memory_equal(r.iov[6].iov_base, "HTTP_PATH=/aaa", 14);
	assert_memory_equal(v + LOG_VALUE_MAX - 3, "...", 3);
	assert_iov(&r, 7, "HTTP_STATUS=414");	/* what follows survives */
}

static void
test_log_record_keeps_bytes_a_string_could_not(void **state)
{
	const char raw[] = { '/', 'a', '\n', 'b', '\0', 'c' };
	struct log_record r;

	(void)state;
	log_record_build(&r, LOG_INFO, "preforkd", "f.c", 1, "f", "m", 1, 0,
	    LOG_FIELDS(LOG_MEM("HTTP_PATH", raw, sizeof(raw))), NULL, 0);
	assert_int_equal(r.iov[6].iov_len, strlen("HTTP_PATH=") + sizeof(raw));
	assert_memory_equal((const char *)r.iov[6].iov_base + 10, raw,
	    sizeof(raw));
}

static void
test_log_record_cuts_a_long_message_like_the_line(void **state)
{
	static char msg[LOG_LINE_MAX + 100];
	struct log_record r;

	(void)state;
	memset(msg, 'm', sizeof(msg));
	log_record_build(&r, LOG_INFO, "preforkd", "f.c", 1, "f", msg,
	    sizeof(msg), 0, NULL, 0, NULL, 0);
	assert_int_equal(r.iov[0].iov_len, strlen("MESSAGE=") + LOG_LINE_MAX);
	assert_memory_equal((const char *)r.iov[0].iov_base + 8 +
	    LOG_LINE_MAX - 3, "...", 3);
}

static void
test_log_record_leaves_out_fields_with_bad_names(void **state)
{
	char long_name[66];
	struct log_record r;

	(void)state;
	memset(long_name, 'N', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';	/* 65 bytes */
	log_record_build(&r, LOG_INFO, "preforkd", "f.c", 1, "f", "m", 1, 0,
	    LOG_FIELDS(LOG_STR("_PID", "1"), LOG_STR("http_path", "/"),
	    LOG_STR("9LIVES", "x"), LOG_STR("", "x"), LOG_STR(NULL, "x"),
	    LOG_STR("A-B", "x"), LOG_STR("A=B", "x"),
	    LOG_STR(long_name, "x"), LOG_STR("OK_2", "y")), NULL, 0);
	assert_int_equal(r.n, 7);
	assert_iov(&r, 6, "OK_2=y");
	long_name[64] = '\0';				/* 64: the limit */
	assert_true(log_field_name_valid(long_name));
	assert_false(log_field_name_valid("WORKER PID"));
}

static void
test_log_record_never_outgrows_its_bounds(void **state)
{
	static char big[4 * LOG_VALUE_MAX];
	struct log_field f[LOG_FIELDS_MAX + 5];
	struct iovec ctx[LOG_CONTEXT_MAX] = {
		{ "WORKER_PID=7", 12 }, { "GENERATION=3", 12 },
		{ "A=1", 3 }, { "B=2", 3 },
	};
	struct log_record r;

	(void)state;
	memset(big, 'x', sizeof(big));
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		f[i] = LOG_MEM("HTTP_PATH", big, sizeof(big));
	log_record_build(&r, LOG_INFO, "preforkd", "f.c", 1, "f", big,
	    sizeof(big), 0, f, sizeof(f) / sizeof(f[0]), ctx, 4);
	assert_true(r.n <= LOG_RECORD_IOV_MAX);
	assert_true(r.used <= sizeof(r.text));
	for (size_t i = 0; i < r.n; i++) {
		const char *p = r.iov[i].iov_base;

		if (p >= r.text && p < r.text + sizeof(r.text))
			assert_true(p + r.iov[i].iov_len <= r.text + r.used);
		assert_non_null(memchr(p, '=', r.iov[i].iov_len));
	}
	assert_iov(&r, r.n - 1, "B=2");		/* the context got in */
}

static void
test_log_record_context_yields_to_a_field_of_the_call(void **state)
{
	struct iovec ctx[] = {
		{ "WORKER_PID=7", 12 }, { "GENERATION=3", 12 },
	};
	struct log_record r;

	(void)state;
	log_record_build(&r, LOG_INFO, "preforkd", "f.c", 1, "f", "m", 1, 0,
	    LOG_FIELDS(LOG_I64("WORKER_PID", 9)), ctx, 2);
	assert_int_equal(r.n, 8);
	assert_iov(&r, 6, "WORKER_PID=9");
	assert_iov(&r, 7, "GENERATION=3");
}

/* ---- log_emit ---- */

static void
test_log_emit_sends_a_journal_record_and_writes_no_line(void **state)
{
	int line;

	(void)state;
	journal_on();
	will_return(__wrap_sd_journal_sendv, 0);
	line = __LINE__ + 1;
	log_info_fields(LOG_FIELDS(LOG_STR("REMOTE_ADDR", "192.0.2.7"),
	    LOG_U64("DURATION_USEC", 1500)), "%s echo %d", "192.0.2.7:9", 5);
	assert_int_equal(sendv_calls, 1);
	assert_string_equal(sent_field("MESSAGE"), "192.0.2.7:9 echo 5");
	assert_string_equal(sent_field("PRIORITY"), "6");
	assert_string_equal(sent_field("SYSLOG_IDENTIFIER"), "preforkd");
	assert_non_null(strstr(sent_field("CODE_FILE"), "test_log.c"));
	assert_int_equal(atoi(sent_field("CODE_LINE")), line);
	assert_string_equal(sent_field("CODE_FUNC"), __func__);
	assert_string_equal(sent_field("REMOTE_ADDR"), "192.0.2.7");
	assert_string_equal(sent_field("DURATION_USEC"), "1500");
	assert_string_equal(captured_read(), "");
}

static void
test_log_emit_writes_the_line_when_the_journal_refuses(void **state)
{
	char want[64];

	(void)state;
	journal_on();
	will_return(__wrap_sd_journal_sendv, -ENOENT);
	errno = EBADF;
	log_notice_fields(LOG_FIELDS(LOG_U64("BYTES", 5)), "kept %d", 7);
	assert_int_equal(errno, EBADF);
	assert_int_equal(sendv_calls, 1);
	snprintf(want, sizeof(want), " preforkd[%ld]: notice: kept 7\n",
	    (long)getpid());
	assert_non_null(strstr(captured_read(), want));
	assert_int_equal(strchr(captured_text, '\n') - captured_text + 1,
	    (long)strlen(captured_text));	/* one line */
}

static void
test_log_emit_adds_errno_to_message_and_record(void **state)
{
	(void)state;
	journal_on();
	will_return(__wrap_sd_journal_sendv, 0);
	errno = ENOENT;
	log_warning_errno("open %s", "x");
	assert_int_equal(errno, ENOENT);
	assert_string_equal(sent_field("MESSAGE"), "open x: No such file or directory");
	assert_string_equal(sent_field("ERRNO"), "2");
	assert_string_equal(sent_field("PRIORITY"), "4");
}

static void
test_log_emit_errno_with_fields_carries_both(void **state)
{
	(void)state;
	journal_on();
	will_return(__wrap_sd_journal_sendv, 0);
	errno = ESRCH;
	log_error_errno_fields(LOG_FIELDS(LOG_I64("WORKER_PID", 12)),
	    "kill %d", 12);
	assert_string_equal(sent_field("MESSAGE"), "kill 12: No such process");
	assert_string_equal(sent_field("ERRNO"), "3");
	assert_string_equal(sent_field("WORKER_PID"), "12");
	assert_string_equal(sent_field("PRIORITY"), "3");
}

static void
test_log_emit_without_journal_writes_the_line_and_no_record(void **state)
{
	const char *text;

	(void)state;
	assert_false(log_to_journal());
	log_info_fields(LOG_FIELDS(LOG_STR("HTTP_PATH", "/x")), "plain %s",
	    "line");
	assert_int_equal(sendv_calls, 0);
	text = captured_read();
	assert_non_null(strstr(text, ": info: plain line\n"));
	assert_null(strstr(text, "HTTP_PATH"));
}

static int evaluations;

static int
evaluated(void)
{
	return ++evaluations;
}

static void
test_log_below_the_level_evaluates_and_sends_nothing(void **state)
{
	(void)state;
	journal_on();
	log_set_level(LOG_WARNING);
	evaluations = 0;
	log_info_fields(LOG_FIELDS(LOG_U64("BYTES", evaluated())), "%d",
	    evaluated());
	log_debug("%d", evaluated());
	assert_int_equal(evaluations, 0);
	assert_int_equal(sendv_calls, 0);
	assert_string_equal(captured_read(), "");
}

static void
test_log_context_goes_into_every_record_of_the_process(void **state)
{
	(void)state;
	journal_on();
	log_set_context(LOG_FIELDS(LOG_I64("WORKER_PID", 4242),
	    LOG_U64("GENERATION", 3), LOG_STR("bad name", "x")));
	will_return(__wrap_sd_journal_sendv, 0);
	log_notice("first");
	assert_string_equal(sent_field("WORKER_PID"), "4242");
	assert_string_equal(sent_field("GENERATION"), "3");
	assert_int_equal(sent_count("WORKER_PID"), 1);

	will_return(__wrap_sd_journal_sendv, 0);
	log_notice_fields(LOG_FIELDS(LOG_I64("WORKER_PID", 99)), "about 99");
	assert_string_equal(sent_field("WORKER_PID"), "99");
	assert_int_equal(sent_count("WORKER_PID"), 1);
	assert_string_equal(sent_field("GENERATION"), "3");

	log_set_context(NULL, 0);
	will_return(__wrap_sd_journal_sendv, 0);
	log_notice("after");
	assert_null(sent_field("WORKER_PID"));
}

static void
test_log_line_cuts_a_long_message_with_dots(void **state)
{
	static char big[LOG_LINE_MAX * 2];
	const char *text;
	size_t len;

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	log_info("%s", big);
	text = captured_read();
	len = strlen(text);
	assert_int_equal(len, LOG_LINE_MAX);
	assert_memory_equal(text + len - 4, "...\n", 4);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_log_journal_stream_matches_the_device_and_inode),
		T(test_log_journal_stream_rejects_another_device_or_inode),
		T(test_log_journal_stream_rejects_garbage_and_empty),
		T(test_log_init_chooses_the_journal_only_when_stderr_is_the_stream),
		T(test_log_init_keeps_stderr_when_journald_has_no_socket),
		T(test_log_record_holds_message_priority_location_and_fields),
		T(test_log_record_adds_errno_only_when_there_is_one),
		T(test_log_record_cuts_an_over_long_path_and_says_so),
		T(test_log_record_keeps_bytes_a_string_could_not),
		T(test_log_record_cuts_a_long_message_like_the_line),
		T(test_log_record_leaves_out_fields_with_bad_names),
		T(test_log_record_never_outgrows_its_bounds),
		T(test_log_record_context_yields_to_a_field_of_the_call),
		T(test_log_emit_sends_a_journal_record_and_writes_no_line),
		T(test_log_emit_writes_the_line_when_the_journal_refuses),
		T(test_log_emit_adds_errno_to_message_and_record),
		T(test_log_emit_errno_with_fields_carries_both),
		T(test_log_emit_without_journal_writes_the_line_and_no_record),
		T(test_log_below_the_level_evaluates_and_sends_nothing),
		T(test_log_context_goes_into_every_record_of_the_process),
		T(test_log_line_cuts_a_long_message_with_dots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
