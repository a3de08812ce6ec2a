/*
 * test_conf - conf_load(), conf_print() and conf_free() on real files.
 *
 * Each case writes its text to a fresh file under $TMPDIR (or /tmp), loads
 * it and removes it.  A rejected file must give exactly "FILE:LINE: message"
 * and leave the struct zeroed; an accepted one must give the values written
 * and no message.  The shipped file is found through $top_srcdir (".." if
 * unset).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct loaded {
	char path[PATH_MAX];
	char err[512];
	struct conf cf;
	int rc;
};

static const char *
tmp_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir != NULL && dir[0] != '\0' ? dir : "/tmp";
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
write_temp(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "%s/test_conf.XXXXXX", tmp_dir());
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	write_file(path, text);
}

static void
load_text(struct loaded *l, const char *text)
{
	memset(l, 0, sizeof(*l));
	write_temp(l->path, sizeof(l->path), text);
	l->rc = conf_load(l->path, &l->cf, l->err, sizeof(l->err));
	unlink(l->path);
}

static void
assert_loads(struct loaded *l, const char *text)
{
	load_text(l, text);
	if (l->rc != 0 || l->err[0] != '\0')
		fail_msg("rejected (rc %d): %s\n--- text:\n%s", l->rc, l->err,
		    text);
}

static void
assert_zeroed(const struct conf *cf)
{
	struct conf zero;

	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(cf, &zero, sizeof(zero));
}

/* The message must be exactly "FILE:LINE: msg". */
static void
assert_rejected(const char *text, int line, const char *msg)
{
	char want[PATH_MAX + 600];
	struct loaded l;

	load_text(&l, text);
	snprintf(want, sizeof(want), "%s:%d: %s", l.path, line, msg);
	if (l.rc != -1 || strcmp(l.err, want) != 0)
		fail_msg("rc %d\n got: %s\nwant: %s\n--- text:\n%s", l.rc,
		    l.err, want, text);
	assert_zeroed(&l.cf);
}

/* ---- accepted files ---------------------------------------------------- */

static void
test_conf_gives_the_defaults_for_an_empty_file(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, "");
	assert_int_equal(l.cf.port, 8080);
	assert_int_equal(l.cf.nbind, 2);
	assert_string_equal(l.cf.bind[0], "0.0.0.0");
	assert_string_equal(l.cf.bind[1], "::");
	assert_null(l.cf.bind[2]);
	assert_int_equal(l.cf.workers, 4);
	assert_string_equal(l.cf.service, "http");
	assert_string_equal(l.cf.user, "");
	assert_int_equal(l.cf.backlog, 511);
	assert_int_equal(l.cf.max_requests, 0);
	assert_int_equal(l.cf.max_requests_jitter, 0);
	assert_int_equal(l.cf.log_level, LOG_INFO);
	assert_true(l.cf.access_log);
	assert_int_equal(l.cf.timeouts.read, 30);
	assert_int_equal(l.cf.timeouts.write, 30);
	assert_int_equal(l.cf.timeouts.keepalive, 5);
	assert_int_equal(l.cf.timeouts.linger, 2);
	assert_int_equal(l.cf.timeouts.graceful, 30);
	assert_int_equal(l.cf.timeouts.hang, 120);
	assert_int_equal(l.cf.timeouts.min_rate, 1024);
	assert_int_equal(l.cf.parker.connections, 10000);
	assert_string_equal(l.cf.http.root, "/var/www/html");
	assert_int_equal(l.cf.http.root_line, 0);
	assert_string_equal(l.cf.http.index, "index.html");
	assert_false(l.cf.http.autoindex);
	assert_false(l.cf.http.dotfiles);
	assert_int_equal(l.cf.http.keepalive_requests, 100);
	assert_int_equal(l.cf.http.max_header_size, 8192);
	assert_string_equal(l.cf.http.status_path, "/server-status");
	conf_free(&l.cf);
}

static const char every_key[] =
	"port = 9090\n"
	"bind = {\"127.0.0.1\", \"::1\"}\n"
	"workers = 16\n"
	"service = \"echo\"\n"
	"user = \"nobody\"\n"
	"backlog = 128\n"
	"max_requests = 1000\n"
	"max_requests_jitter = 50\n"
	"log_level = debug\n"
	"access_log = false\n"
	"timeouts {\n"
	"\tread = 10\n"
	"\twrite = 20\n"
	"\tkeepalive = 3\n"
	"\tlinger = 0\n"
	"\tgraceful = 0\n"
	"\thang = 60\n"
	"\tmin_rate = 0\n"
	"}\n"
	"http {\n"
	"\troot = \"/srv/site\"\n"
	"\tindex = \"default.htm\"\n"
	"\tautoindex = true\n"
	"\tdotfiles = allow\n"
	"\tkeepalive_requests = 7\n"
	"\tmax_header_size = 4096\n"
	"\tstatus_path = \"/status\"\n"
	"}\n"
	"parker {\n"
	"\tconnections = 0\n"
	"}\n";

static void
test_conf_reads_every_key(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, every_key);
	assert_int_equal(l.cf.port, 9090);
	assert_int_equal(l.cf.nbind, 2);
	assert_string_equal(l.cf.bind[0], "127.0.0.1");
	assert_string_equal(l.cf.bind[1], "::1");
	assert_int_equal(l.cf.workers, 16);
	assert_string_equal(l.cf.service, "echo");
	assert_string_equal(l.cf.user, "nobody");
	assert_int_equal(l.cf.backlog, 128);
	assert_int_equal(l.cf.max_requests, 1000);
	assert_int_equal(l.cf.max_requests_jitter, 50);
	assert_int_equal(l.cf.log_level, LOG_DEBUG);
	assert_false(l.cf.access_log);
	assert_int_equal(l.cf.timeouts.read, 10);
	assert_int_equal(l.cf.timeouts.write, 20);
	assert_int_equal(l.cf.timeouts.keepalive, 3);
	assert_int_equal(l.cf.timeouts.linger, 0);
	assert_int_equal(l.cf.timeouts.graceful, 0);
	assert_int_equal(l.cf.timeouts.hang, 60);
	assert_int_equal(l.cf.timeouts.min_rate, 0);
	assert_int_equal(l.cf.parker.connections, 0);
	assert_string_equal(l.cf.http.root, "/srv/site");
	assert_int_equal(l.cf.http.root_line, 21);
	assert_string_equal(l.cf.http.index, "default.htm");
	assert_true(l.cf.http.autoindex);
	assert_true(l.cf.http.dotfiles);
	assert_int_equal(l.cf.http.keepalive_requests, 7);
	assert_int_equal(l.cf.http.max_header_size, 4096);
	assert_string_equal(l.cf.http.status_path, "/status");
	conf_free(&l.cf);
}

/* A relative root is taken from the directory of the file. */
static void
test_conf_resolves_a_relative_root_from_the_file(void **state)
{
	char want[PATH_MAX + 16], dir[PATH_MAX];
	struct loaded l;

	(void)state;
	assert_loads(&l, "http {\n\troot = \"site/www\"\n}\n");
	assert_non_null(realpath(tmp_dir(), dir));
	snprintf(want, sizeof(want), "%s/site/www", dir);
	assert_string_equal(l.cf.http.root, want);
	assert_int_equal(l.cf.http.root_line, 2);
	conf_free(&l.cf);
}

static void
test_conf_loads_the_shipped_file(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX], err[512];
	struct conf cf;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf/preforkd.conf",
	    top != NULL ? top : "..");
	if (conf_load(path, &cf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	assert_string_equal(cf.path, path);
	assert_int_equal(cf.port, 8080);
	assert_int_equal(cf.nbind, 2);
	assert_int_equal(cf.workers, 4);
	assert_string_equal(cf.service, "http");
	assert_true(strlen(cf.http.root) > 9);
	assert_string_equal(cf.http.root + strlen(cf.http.root) - 9,
	    "/conf/www");
	assert_true(cf.http.root_line > 0);
	assert_string_equal(cf.user, "preforkd");
	assert_int_equal(cf.log_level, LOG_INFO);
	assert_true(cf.access_log);
	assert_int_equal(cf.timeouts.hang, 120);
	conf_free(&cf);
}

static void
test_conf_accepts_integers_at_both_ends_of_their_ranges(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, "port = 1\nworkers = 1\nbacklog = 1\n"
	    "max_requests = 0\nmax_requests_jitter = 0\n"
	    "timeouts {\n\tread = 1\n\twrite = 1\n\tkeepalive = 1\n"
	    "\tlinger = 0\n\tgraceful = 0\n\thang = 2\n\tmin_rate = 0\n}\n"
	    "parker {\n\tconnections = 0\n}\n");
	assert_int_equal(l.cf.port, 1);
	assert_int_equal(l.cf.timeouts.linger, 0);
	conf_free(&l.cf);
	assert_loads(&l, "port = 65535\nworkers = 1024\nbacklog = 65535\n"
	    "max_requests = 2147483647\nmax_requests_jitter = 2147483647\n"
	    "timeouts {\n\tread = 86099\n\twrite = 86099\n"
	    "\tkeepalive = 3600\n\tlinger = 300\n\tgraceful = 86400\n"
	    "\thang = 86400\n\tmin_rate = 1073741824\n}\n"
	    "parker {\n\tconnections = 1000000\n}\n");
	assert_int_equal(l.cf.workers, 1024);
	assert_int_equal(l.cf.timeouts.min_rate, 1 << 30);
	assert_int_equal(l.cf.parker.connections, 1000000);
	assert_int_equal(l.cf.max_requests, 2147483647L);
	assert_int_equal(l.cf.timeouts.hang, 86400);
	conf_free(&l.cf);
}

static void
test_conf_reads_integers_as_decimal_even_with_a_leading_zero(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, "workers = 010\nport = +8080\n");
	assert_int_equal(l.cf.workers, 10);
	assert_int_equal(l.cf.port, 8080);
	conf_free(&l.cf);
}

static void
test_conf_stores_log_level_as_a_syslog_priority(void **state)
{
	static const struct {
		const char *text;
		int level;
	} cases[] = {
		{ "log_level = err\n", LOG_ERR },
		{ "log_level = warning\n", LOG_WARNING },
		{ "log_level = notice\n", LOG_NOTICE },
		{ "log_level = \"info\"\n", LOG_INFO },
		{ "log_level = debug\n", LOG_DEBUG },
	};
	struct loaded l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_loads(&l, cases[i].text);
		assert_int_equal(l.cf.log_level, cases[i].level);
		conf_free(&l.cf);
	}
}

static void
test_conf_accepts_a_single_string_for_bind(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, "bind = \"127.0.0.1\"\n");
	assert_int_equal(l.cf.nbind, 1);
	assert_string_equal(l.cf.bind[0], "127.0.0.1");
	assert_null(l.cf.bind[1]);
	conf_free(&l.cf);
}

static void
test_conf_appends_to_the_default_bind_with_plus_equals(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, "bind += {\"127.0.0.1\"}\n");
	assert_int_equal(l.cf.nbind, 3);
	assert_string_equal(l.cf.bind[0], "0.0.0.0");
	assert_string_equal(l.cf.bind[2], "127.0.0.1");
	conf_free(&l.cf);
}

static void
test_conf_keeps_comment_marks_inside_strings_and_words(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, "user = \"a#b//c/*d*/\" # a comment\n");
	assert_string_equal(l.cf.user, "a#b//c/*d*/");
	conf_free(&l.cf);
	assert_loads(&l, "user = a//b // a comment\n");
	assert_string_equal(l.cf.user, "a//b");
	conf_free(&l.cf);
}

static void
test_conf_accepts_comments_inside_a_list(void **state)
{
	struct loaded l;

	(void)state;
	assert_loads(&l, "bind = {\n\t\"::1\",\t# loopback\n"
	    "\t/* and */ \"127.0.0.1\"\n}\n");
	assert_int_equal(l.cf.nbind, 2);
	assert_string_equal(l.cf.bind[1], "127.0.0.1");
	conf_free(&l.cf);
}

static void
test_conf_dir_is_the_absolute_directory_of_the_file(void **state)
{
	char sub[PATH_MAX], file[PATH_MAX + 16], cwd[PATH_MAX], *want;
	char err[512];
	struct conf cf;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/test_conf_dir.XXXXXX", tmp_dir());
	assert_non_null(mkdtemp(sub));
	snprintf(file, sizeof(file), "%s/x.conf", sub);
	write_file(file, "port = 1\n");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(sub), 0);
	assert_int_equal(conf_load("./x.conf", &cf, err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	want = realpath(sub, NULL);
	assert_non_null(want);
	assert_string_equal(cf.dir, want);
	assert_string_equal(cf.path, "./x.conf");
	free(want);
	conf_free(&cf);
	unlink(file);
	rmdir(sub);
}

/* ---- conf_print -------------------------------------------------------- */

static void
test_conf_print_writes_the_file_syntax(void **state)
{
	char *out = NULL;
	size_t len = 0;
	struct loaded l;
	FILE *fp;

	(void)state;
	assert_loads(&l, "");
	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	conf_print(&l.cf, fp);
	assert_int_equal(fclose(fp), 0);
	assert_string_equal(out,
	    "port = 8080\nbind = {\"0.0.0.0\", \"::\"}\nworkers = 4\n"
	    "service = \"http\"\nuser = \"\"\nbacklog = 511\n"
	    "max_requests = 0\nmax_requests_jitter = 0\n"
	    "log_level = \"info\"\naccess_log = true\n"
	    "timeouts {\n\tread = 30\n\twrite = 30\n\tkeepalive = 5\n"
	    "\tlinger = 2\n\tgraceful = 30\n\thang = 120\n\tmin_rate = 1024\n"
	    "}\n"
	    "http {\n\troot = \"/var/www/html\"\n\tindex = \"index.html\"\n"
	    "\tautoindex = false\n\tdotfiles = deny\n"
	    "\tkeepalive_requests = 100\n"
	    "\tmax_header_size = 8192\n\tstatus_path = \"/server-status\"\n"
	    "}\nparker {\n\tconnections = 10000\n}\n");
	free(out);
	conf_free(&l.cf);
}

static void
assert_same_conf(const struct conf *a, const struct conf *b)
{
	assert_int_equal(a->port, b->port);
	assert_int_equal(a->nbind, b->nbind);
	for (size_t i = 0; i < a->nbind; i++)
		assert_string_equal(a->bind[i], b->bind[i]);
	assert_int_equal(a->workers, b->workers);
	assert_string_equal(a->service, b->service);
	assert_string_equal(a->user, b->user);
	assert_int_equal(a->backlog, b->backlog);
	assert_int_equal(a->max_requests, b->max_requests);
	assert_int_equal(a->max_requests_jitter, b->max_requests_jitter);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->access_log, b->access_log);
	assert_memory_equal(&a->timeouts, &b->timeouts, sizeof(a->timeouts));
	assert_string_equal(a->http.root, b->http.root);
	assert_string_equal(a->http.index, b->http.index);
	assert_int_equal(a->http.autoindex, b->http.autoindex);
	assert_int_equal(a->http.dotfiles, b->http.dotfiles);
	assert_int_equal(a->http.keepalive_requests,
	    b->http.keepalive_requests);
	assert_int_equal(a->http.max_header_size, b->http.max_header_size);
	assert_string_equal(a->http.status_path, b->http.status_path);
	assert_int_equal(a->parker.connections, b->parker.connections);
}

static void
test_conf_print_output_loads_back_the_same(void **state)
{
	static const char user[] =
	    "user = \"we\\\"ird\\\\ \\${HOME} $x #not/*a*/comment\\t\\x01\"\n";
	char *text, *out = NULL;
	struct loaded a, b;
	size_t len = 0;
	FILE *fp;

	(void)state;
	text = malloc(sizeof(every_key) + sizeof(user));
	assert_non_null(text);
	strcpy(text, every_key);
	strcpy(strstr(text, "user = "), user);
	strcat(text, strstr(every_key, "backlog"));
	assert_loads(&a, text);
	assert_string_equal(a.cf.user, "we\"ird\\ ${HOME} $x #not/*a*/comment\t\x01");
	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	conf_print(&a.cf, fp);
	assert_int_equal(fclose(fp), 0);
	assert_loads(&b, out);
	assert_same_conf(&a.cf, &b.cf);
	free(text);
	free(out);
	conf_free(&a.cf);
	conf_free(&b.cf);
}

/* ---- rejected files ---------------------------------------------------- */

#define REJECTS(name, line, msg, text)					\
static void								\
test_conf_rejects_##name(void **state)					\
{									\
	(void)state;							\
	assert_rejected(text, line, msg);				\
}

REJECTS(an_unknown_key, 2, "prt: unknown key",
    "port = 8080\nprt = 80\n")
REJECTS(an_unknown_section, 3, "logging: unknown key",
    "# not a section\n\nlogging {\n\tlevel = debug\n}\n")
REJECTS(an_unknown_key_in_timeouts, 2, "timeouts.reed: unknown key",
    "timeouts {\n\treed = 5\n}\n")
REJECTS(a_word_for_an_integer, 2,
    "workers: \"many\" is not a decimal integer",
    "# how many?\nworkers = many\n")
REJECTS(a_fraction_for_an_integer, 1,
    "backlog: \"1.5\" is not a decimal integer", "backlog = 1.5\n")
REJECTS(a_hexadecimal_integer, 1,
    "port: \"0x50\" is not a decimal integer", "port = 0x50\n")
REJECTS(a_word_for_an_integer_in_timeouts, 3,
    "timeouts.read: \"soon\" is not a decimal integer",
    "timeouts {\n\n\tread = soon\n}\n")
REJECTS(an_integer_too_large_for_a_long, 1,
    "port: 99999999999999999999 is out of range 1..65535",
    "port = 99999999999999999999\n")
REJECTS(a_word_for_a_boolean, 1,
    "access_log: not a boolean (true or false)",
    "access_log = sometimes\n")
REJECTS(a_list_for_an_integer, 1, "unexpected token '{'",
    "port = {80, 81}\n")
REJECTS(an_unknown_service, 1,
    "service: unknown service \"htp\" (available: echo, http)",
    "service = htp\n")
REJECTS(an_unknown_log_level, 2,
    "log_level: unknown level \"loud\" (err, warning, notice, info, debug)",
    "\nlog_level = loud\n")
REJECTS(a_bind_address_that_is_not_an_address, 3,
    "bind: \"1.2.3.999\" is not a numeric IPv4 or IPv6 address",
    "bind = {\n\t\"127.0.0.1\",\n\t\"1.2.3.999\"\n}\n")
REJECTS(a_bind_host_name, 1,
    "bind: \"localhost\" is not a numeric IPv4 or IPv6 address",
    "bind = {\"localhost\"}\n")
REJECTS(an_empty_bind_list, 2,
    "bind: the list is empty; give at least one address",
    "port = 8080\nbind = {}\nworkers = 2\n")
REJECTS(a_bind_address_listed_twice, 1, "bind: \"::1\" is listed twice",
    "bind = {\"::1\", \"127.0.0.1\", \"::1\"}\n")
REJECTS(a_bind_address_spelled_two_ways, 2,
    "bind: \"0:0::1\" is listed twice (as \"::1\")",
    "bind = {\"::1\",\n\"0:0::1\"}\n")
REJECTS(a_key_set_twice, 4, "workers: set twice (first on line 1)",
    "workers = 2\n# again:\n\nworkers = 3\n")
REJECTS(a_key_set_twice_in_timeouts, 3,
    "timeouts.read: set twice (first on line 2)",
    "timeouts {\n\tread = 5\n\tread = 6\n}\n")
REJECTS(bind_set_twice, 2, "bind: set twice (first on line 1)",
    "bind = {\"::1\"}\nbind = {\"::1\"}\n")
REJECTS(the_timeouts_section_given_twice, 2,
    "timeouts: set twice (first on line 1)",
    "timeouts { read = 5 }\ntimeouts { write = 5 }\n")
REJECTS(hang_not_above_read, 3,
    "timeouts.hang: 60 must be greater than 62, the longest of "
    "timeouts.read (60), timeouts.write (30) and timeouts.keepalive (5), "
    "plus timeouts.linger (2)",
    "timeouts {\n\tread = 60\n\thang = 60\n}\n")
REJECTS(hang_not_above_write, 3,
    "timeouts.hang: 20 must be greater than 42, the longest of "
    "timeouts.read (10), timeouts.write (40) and timeouts.keepalive (5), "
    "plus timeouts.linger (2)",
    "timeouts {\n\tread = 10\n\thang = 20\n\twrite = 40\n}\n")
REJECTS(hang_not_above_linger, 2,
    "timeouts.hang: 100 must be greater than 130, the longest of "
    "timeouts.read (10), timeouts.write (30) and timeouts.keepalive (5), "
    "plus timeouts.linger (100)",
    "timeouts {\n\thang = 100\n\tread = 10\n\tlinger = 100\n}\n")
/* hang left out: told at the closing brace, where the section is checked */
REJECTS(a_read_timeout_above_the_default_hang, 4,
    "timeouts.hang: 120 must be greater than 202, the longest of "
    "timeouts.read (200), timeouts.write (30) and timeouts.keepalive (5), "
    "plus timeouts.linger (2)",
    "timeouts {\n\tread = 200\n\n}\n")
REJECTS(hang_not_above_keepalive, 3,
    "timeouts.hang: 30 must be greater than 32, the longest of "
    "timeouts.read (10), timeouts.write (10) and timeouts.keepalive (30), "
    "plus timeouts.linger (2)",
    "timeouts {\n\tread = 10\n\thang = 30\n\twrite = 10\n"
    "\tkeepalive = 30\n}\n")
/* Each wait alone is shorter than hang, but a read timeout then the
 * lingering drain are not: a silent client would get its worker killed. */
REJECTS(hang_not_above_a_read_then_the_linger, 4,
    "timeouts.hang: 31 must be greater than 32, the longest of "
    "timeouts.read (30), timeouts.write (10) and timeouts.keepalive (5), "
    "plus timeouts.linger (2)",
    "timeouts {\n\tread = 30\n\twrite = 10\n\thang = 31\n}\n")
REJECTS(an_unknown_key_in_http, 3, "http.rot: unknown key",
    "http {\n\n\trot = \"/srv\"\n}\n")
REJECTS(the_http_section_given_twice, 2, "http: set twice (first on line 1)",
    "http { index = \"a.html\" }\nhttp { autoindex = true }\n")
REJECTS(an_empty_root, 2, "http.root: empty; give a directory",
    "http {\n\troot = \"\"\n}\n")
REJECTS(an_index_with_a_slash, 2, "http.index: \"a/index.html\" is not a "
    "file name", "http {\n\tindex = \"a/index.html\"\n}\n")
REJECTS(an_index_of_dot_dot, 2, "http.index: \"..\" is not a file name",
    "http {\n\tindex = \"..\"\n}\n")
REJECTS(a_relative_status_path, 2, "http.status_path: \"status\" does not "
    "begin with '/' (\"\" disables the page)",
    "http {\n\tstatus_path = \"status\"\n}\n")
REJECTS(a_status_path_with_a_query, 2, "http.status_path: \"/s?x\": only "
    "visible ASCII, no '?', '#' or '%'",
    "http {\n\tstatus_path = \"/s?x\"\n}\n")
REJECTS(a_header_size_too_small, 2, "http.max_header_size: 100 is out of "
    "range 1024..65536", "http {\n\tmax_header_size = 100\n}\n")
REJECTS(no_keepalive_requests, 3, "http.keepalive_requests: 0 is out of "
    "range 1..1000000", "http {\n\n\tkeepalive_requests = 0\n}\n")
REJECTS(a_word_for_autoindex, 2, "http.autoindex: not a boolean (true or "
    "false)", "http {\n\tautoindex = maybe\n}\n")
REJECTS(another_word_for_dotfiles, 2, "http.dotfiles: \"hide\": deny or "
    "allow", "http {\n\tdotfiles = hide\n}\n")
REJECTS(dotfiles_twice, 3, "http.dotfiles: set twice (first on line 2)",
    "http {\n\tdotfiles = allow\n\tdotfiles = deny\n}\n")

/* the string runs to the end of the file, where libconfuse stops */
REJECTS(an_unterminated_string, 3, "premature end of file",
    "user = \"nobody\nport = 8080\n")
REJECTS(a_missing_equal_sign, 2, "port: missing '=' after the key",
    "\nport 8080\n")
REJECTS(a_stray_closing_brace, 2, "unexpected closing brace",
    "port = 8080\n}\n")
REJECTS(an_unclosed_section, 2, "this '{' is never closed",
    "port = 8080\ntimeouts {\n\tread = 5\n")
REJECTS(an_error_after_comments_on_its_own_line, 7,
    "workers: 0 is out of range 1..1024",
    "# one\n// two\n/* three\n   four */\nport = 8080 # five\n\n"
    "workers = 0\n")

static void
test_conf_rejects_each_integer_just_outside_its_range(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
#define T(k, v) "timeouts {\n" k " = " #v "\n}\n"
		{ "port = 0", "port: 0 is out of range 1..65535" },
		{ "port = 65536", "port: 65536 is out of range 1..65535" },
		{ "workers = 0", "workers: 0 is out of range 1..1024" },
		{ "workers = 1025", "workers: 1025 is out of range 1..1024" },
		{ "backlog = 0", "backlog: 0 is out of range 1..65535" },
		{ "backlog = 65536", "backlog: 65536 is out of range 1..65535" },
		{ "max_requests = -1",
		  "max_requests: -1 is out of range 0..2147483647" },
		{ "max_requests = 2147483648",
		  "max_requests: 2147483648 is out of range 0..2147483647" },
		{ "max_requests_jitter = -1",
		  "max_requests_jitter: -1 is out of range 0..2147483647" },
		{ "max_requests_jitter = 2147483648", "max_requests_jitter: "
		  "2147483648 is out of range 0..2147483647" },
		{ T("read", 0), "timeouts.read: 0 is out of range 1..86400" },
		{ T("read", 86401),
		  "timeouts.read: 86401 is out of range 1..86400" },
		{ T("write", 0), "timeouts.write: 0 is out of range 1..86400" },
		{ T("write", 86401),
		  "timeouts.write: 86401 is out of range 1..86400" },
		{ T("keepalive", 0),
		  "timeouts.keepalive: 0 is out of range 1..3600" },
		{ T("keepalive", 3601),
		  "timeouts.keepalive: 3601 is out of range 1..3600" },
		{ T("linger", -1), "timeouts.linger: -1 is out of range 0..300" },
		{ T("linger", 301),
		  "timeouts.linger: 301 is out of range 0..300" },
		{ T("graceful", -1),
		  "timeouts.graceful: -1 is out of range 0..86400" },
		{ T("graceful", 86401),
		  "timeouts.graceful: 86401 is out of range 0..86400" },
		{ T("hang", 0), "timeouts.hang: 0 is out of range 1..86400" },
		{ T("hang", 86401),
		  "timeouts.hang: 86401 is out of range 1..86400" },
		{ T("min_rate", -1),
		  "timeouts.min_rate: -1 is out of range 0..1073741824" },
		{ T("min_rate", 1073741825),
		  "timeouts.min_rate: 1073741825 is out of range 0..1073741824" },
		{ "parker {\nconnections = -1\n}\n",
		  "parker.connections: -1 is out of range 0..1000000" },
		{ "parker {\nconnections = 1000001\n}\n",
		  "parker.connections: 1000001 is out of range 0..1000000" },
#undef T
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_rejected(cases[i].text,
		    strncmp(cases[i].text, "timeouts", 8) == 0 ||
		    strncmp(cases[i].text, "parker", 6) == 0 ? 2 : 1,
		    cases[i].msg);
}

/* Every key has a validator, or this catches the one without. */
static void
test_conf_rejects_every_key_set_twice(void **state)
{
	static const char *const top[] = {
		"port = 1", "bind = {\"::1\"}", "workers = 1",
		"service = echo", "user = \"\"", "backlog = 1",
		"max_requests = 1", "max_requests_jitter = 1",
		"log_level = info", "access_log = true",
	};
	static const char *const timeouts[] = {
		"read = 1", "write = 1", "keepalive = 1", "linger = 1",
		"graceful = 1", "hang = 200", "min_rate = 1",
	};
	char text[256], msg[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
		snprintf(text, sizeof(text), "%s\n%s\n", top[i], top[i]);
		snprintf(msg, sizeof(msg), "%.*s: set twice (first on line 1)",
		    (int)strcspn(top[i], " "), top[i]);
		assert_rejected(text, 2, msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(timeouts); i++) {
		snprintf(text, sizeof(text), "timeouts {\n%s\n%s\n}\n",
		    timeouts[i], timeouts[i]);
		snprintf(msg, sizeof(msg), "timeouts.%.*s: set twice "
		    "(first on line 2)", (int)strcspn(timeouts[i], " "),
		    timeouts[i]);
		assert_rejected(text, 3, msg);
	}
	assert_rejected("parker {\nconnections = 1\nconnections = 1\n}\n", 3,
	    "parker.connections: set twice (first on line 2)");
	assert_rejected("parker {\n}\nparker {\n}\n", 4,
	    "parker: set twice (first on line 2)");
}

static void
test_conf_keeps_only_the_first_error(void **state)
{
	(void)state;
	assert_rejected("workers = 0\nport = 0\nprt = 1\n", 1,
	    "workers: 0 is out of range 1..1024");
}

static void
test_conf_forgets_the_previous_file(void **state)
{
	struct loaded l;

	(void)state;
	assert_rejected("workers = 2\nworkers = 0\n", 2,
	    "workers: set twice (first on line 1)");
	assert_loads(&l, "workers = 2\n");
	assert_int_equal(l.cf.workers, 2);
	conf_free(&l.cf);
	assert_loads(&l, "workers = 3\n");
	assert_int_equal(l.cf.workers, 3);
	conf_free(&l.cf);
}

static void
test_conf_truncates_an_error_to_the_buffer(void **state)
{
	char err[8];
	struct conf cf;

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(conf_load("/nonexistent/preforkd.conf", &cf, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "cannot ");
	assert_zeroed(&cf);
	assert_int_equal(conf_load("/nonexistent/preforkd.conf", &cf, NULL, 0),
	    -1);
}

/* ---- files that cannot be read ------------------------------------------ */

static void
assert_cannot_open(const char *path, const char *reason)
{
	char err[PATH_MAX + 100], want[PATH_MAX + 100];
	struct conf cf;

	assert_int_equal(conf_load(path, &cf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot open %s: %s", path, reason);
	assert_string_equal(err, want);
	assert_zeroed(&cf);
}

static void
test_conf_reports_a_missing_file_as_cannot_open(void **state)
{
	char path[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/test_conf.missing/x.conf", tmp_dir());
	assert_cannot_open(path, "No such file or directory");
}

static void
test_conf_reports_a_directory_as_cannot_open(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_conf_dir.XXXXXX", tmp_dir());
	assert_non_null(mkdtemp(dir));
	assert_cannot_open(dir, "Is a directory");
	rmdir(dir);
}

static void
test_conf_reports_an_unreadable_file_as_cannot_open(void **state)
{
	char path[PATH_MAX];

	(void)state;
	if (geteuid() == 0)
		skip();			/* root reads it anyway */
	write_temp(path, sizeof(path), "port = 1\n");
	assert_int_equal(chmod(path, 0), 0);
	assert_cannot_open(path, "Permission denied");
	unlink(path);
}

static void
test_conf_free_is_safe_on_a_zeroed_struct_and_twice(void **state)
{
	struct loaded l;
	struct conf cf;

	(void)state;
	memset(&cf, 0, sizeof(cf));
	conf_free(&cf);
	assert_zeroed(&cf);
	assert_loads(&l, every_key);
	conf_free(&l.cf);
	assert_zeroed(&l.cf);
	conf_free(&l.cf);
	conf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_gives_the_defaults_for_an_empty_file),
		cmocka_unit_test(test_conf_reads_every_key),
		cmocka_unit_test(test_conf_loads_the_shipped_file),
		cmocka_unit_test(
		    test_conf_accepts_integers_at_both_ends_of_their_ranges),
		cmocka_unit_test(test_conf_reads_integers_as_decimal_even_with_a_leading_zero),
		cmocka_unit_test(test_conf_stores_log_level_as_a_syslog_priority),
		cmocka_unit_test(test_conf_accepts_a_single_string_for_bind),
		cmocka_unit_test(
		    test_conf_appends_to_the_default_bind_with_plus_equals),
		cmocka_unit_test(
		    test_conf_keeps_comment_marks_inside_strings_and_words),
		cmocka_unit_test(test_conf_accepts_comments_inside_a_list),
		cmocka_unit_test(
		    test_conf_dir_is_the_absolute_directory_of_the_file),
		cmocka_unit_test(test_conf_print_writes_the_file_syntax),
		cmocka_unit_test(test_conf_print_output_loads_back_the_same),
		cmocka_unit_test(test_conf_rejects_an_unknown_key),
		cmocka_unit_test(test_conf_rejects_an_unknown_section),
		cmocka_unit_test(test_conf_rejects_an_unknown_key_in_timeouts),
		cmocka_unit_test(test_conf_rejects_a_word_for_an_integer),
		cmocka_unit_test(test_conf_rejects_a_fraction_for_an_integer),
		cmocka_unit_test(test_conf_rejects_a_hexadecimal_integer),
		cmocka_unit_test(
		    test_conf_rejects_a_word_for_an_integer_in_timeouts),
		cmocka_unit_test(
		    test_conf_rejects_an_integer_too_large_for_a_long),
		cmocka_unit_test(test_conf_rejects_a_word_for_a_boolean),
		cmocka_unit_test(test_conf_rejects_a_list_for_an_integer),
		cmocka_unit_test(test_conf_rejects_an_unknown_service),
		cmocka_unit_test(test_conf_rejects_an_unknown_log_level),
		cmocka_unit_test(
		    test_conf_rejects_a_bind_address_that_is_not_an_address),
		cmocka_unit_test(test_conf_rejects_a_bind_host_name),
		cmocka_unit_test(test_conf_rejects_an_empty_bind_list),
		cmocka_unit_test(test_conf_rejects_a_bind_address_listed_twice),
		cmocka_unit_test(
		    test_conf_rejects_a_bind_address_spelled_two_ways),
		cmocka_unit_test(test_conf_rejects_a_key_set_twice),
		cmocka_unit_test(test_conf_rejects_a_key_set_twice_in_timeouts),
		cmocka_unit_test(test_conf_rejects_bind_set_twice),
		cmocka_unit_test(
		    test_conf_rejects_the_timeouts_section_given_twice),
		cmocka_unit_test(test_conf_rejects_hang_not_above_read),
		cmocka_unit_test(test_conf_rejects_hang_not_above_write),
		cmocka_unit_test(test_conf_rejects_hang_not_above_linger),
		cmocka_unit_test(test_conf_rejects_hang_not_above_keepalive),
		cmocka_unit_test(
		    test_conf_rejects_hang_not_above_a_read_then_the_linger),
		cmocka_unit_test(test_conf_rejects_an_unknown_key_in_http),
		cmocka_unit_test(test_conf_rejects_the_http_section_given_twice),
		cmocka_unit_test(test_conf_rejects_an_empty_root),
		cmocka_unit_test(test_conf_rejects_an_index_with_a_slash),
		cmocka_unit_test(test_conf_rejects_an_index_of_dot_dot),
		cmocka_unit_test(test_conf_rejects_a_relative_status_path),
		cmocka_unit_test(test_conf_rejects_a_status_path_with_a_query),
		cmocka_unit_test(test_conf_rejects_a_header_size_too_small),
		cmocka_unit_test(test_conf_rejects_no_keepalive_requests),
		cmocka_unit_test(test_conf_rejects_a_word_for_autoindex),
		cmocka_unit_test(test_conf_rejects_another_word_for_dotfiles),
		cmocka_unit_test(test_conf_rejects_dotfiles_twice),
		cmocka_unit_test(test_conf_resolves_a_relative_root_from_the_file),
		cmocka_unit_test(
		    test_conf_rejects_a_read_timeout_above_the_default_hang),
		cmocka_unit_test(test_conf_rejects_an_unterminated_string),
		cmocka_unit_test(test_conf_rejects_a_missing_equal_sign),
		cmocka_unit_test(test_conf_rejects_a_stray_closing_brace),
		cmocka_unit_test(test_conf_rejects_an_unclosed_section),
		cmocka_unit_test(
		    test_conf_rejects_an_error_after_comments_on_its_own_line),
		cmocka_unit_test(
		    test_conf_rejects_each_integer_just_outside_its_range),
		cmocka_unit_test(test_conf_rejects_every_key_set_twice),
		cmocka_unit_test(test_conf_keeps_only_the_first_error),
		cmocka_unit_test(test_conf_forgets_the_previous_file),
		cmocka_unit_test(test_conf_truncates_an_error_to_the_buffer),
		cmocka_unit_test(test_conf_reports_a_missing_file_as_cannot_open),
		cmocka_unit_test(test_conf_reports_a_directory_as_cannot_open),
		cmocka_unit_test(
		    test_conf_reports_an_unreadable_file_as_cannot_open),
		cmocka_unit_test(
		    test_conf_free_is_safe_on_a_zeroed_struct_and_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
