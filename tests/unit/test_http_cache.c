/*
 * test_http_cache - a worker's open files: kept, checked at each use,
 * dropped when the file changed, replaced least recently used first.
 *
 * Each test works in a fresh directory under $TMPDIR (or /tmp), opened
 * as the root the cache checks paths beneath.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http_cache.h"

struct fixture {
	char dir[256];
	int rootfd;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/test_http_cache.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	fx->rootfd = open(fx->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*state = fx;
	return fx->rootfd < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[300];

	http_cache_clear();
	close(fx->rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static void
write_file(const struct fixture *fx, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Opens name and puts it in the cache as key; the entry. */
static const struct http_file *
put(const struct fixture *fx, const char *key, const char *name)
{
	struct http_file f = { .cached = false };

	f.fd = openat(fx->rootfd, name, O_RDONLY | O_CLOEXEC);
	assert_true(f.fd >= 0);
	assert_int_equal(fstat(f.fd, &f.st), 0);
	http_file_describe(&f, name);
	return http_cache_put(key, name, &f);
}

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void
test_a_file_put_is_found_again_with_its_validators(void **state)
{
	struct fixture *fx = *state;
	const struct http_file *e, *again;

	write_file(fx, "a.txt", "hello\n");
	e = put(fx, "a.txt", "a.txt");
	assert_non_null(e);
	assert_true(e->cached);
	assert_int_equal(e->st.st_size, 6);
	assert_string_equal(e->type, "text/plain; charset=utf-8");
	assert_int_equal(e->etag[0], '"');
	assert_int_equal(strlen(e->modified), HTTP_DATE_LEN);
	again = http_cache_get(fx->rootfd, "a.txt");
	assert_ptr_equal(again, e);
	assert_null(http_cache_get(fx->rootfd, "b.txt"));
	assert_null(http_cache_get(fx->rootfd, "a.txt/"));
}

static void
test_a_changed_file_is_dropped_at_once(void **state)
{
	struct fixture *fx = *state;
	const struct http_file *e;
	int fd;

	write_file(fx, "a.txt", "hello\n");
	e = put(fx, "a.txt", "a.txt");
	assert_non_null(e);
	fd = e->fd;
	write_file(fx, "a.txt", "hello, world\n");	/* same inode */
	assert_null(http_cache_get(fx->rootfd, "a.txt"));
	assert_false(fd_open(fd));
}

static void
test_a_replaced_or_removed_file_is_dropped(void **state)
{
	struct fixture *fx = *state;
	char from[512], to[512];

	write_file(fx, "a.txt", "hello\n");
	assert_non_null(put(fx, "a.txt", "a.txt"));
	write_file(fx, "new.txt", "hello\n");
	snprintf(from, sizeof(from), "%s/new.txt", fx->dir);
	snprintf(to, sizeof(to), "%s/a.txt", fx->dir);
	assert_int_equal(rename(from, to), 0);		/* another inode */
	assert_null(http_cache_get(fx->rootfd, "a.txt"));

	assert_non_null(put(fx, "a.txt", "a.txt"));
	assert_int_equal(unlink(to), 0);
	assert_null(http_cache_get(fx->rootfd, "a.txt"));
}

static void
test_a_permission_change_drops_the_entry(void **state)
{
	struct fixture *fx = *state;
	char path[512];

	write_file(fx, "a.txt", "hello\n");
	assert_non_null(put(fx, "a.txt", "a.txt"));
	snprintf(path, sizeof(path), "%s/a.txt", fx->dir);
	assert_int_equal(chmod(path, 0), 0);
	assert_null(http_cache_get(fx->rootfd, "a.txt"));
}

static void
test_a_directory_index_is_kept_under_the_directory_key(void **state)
{
	struct fixture *fx = *state;
	char path[512];
	const struct http_file *e;

	snprintf(path, sizeof(path), "%s/docs", fx->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(fx, "docs/index.html", "<p>hi</p>\n");
	e = put(fx, "docs/", "docs/index.html");
	assert_non_null(e);
	assert_string_equal(e->type, "text/html; charset=utf-8");
	assert_ptr_equal(http_cache_get(fx->rootfd, "docs/"), e);
	assert_null(http_cache_get(fx->rootfd, "docs"));
}

static void
test_the_least_recently_used_entry_makes_room(void **state)
{
	struct fixture *fx = *state;
	int first_fd = -1, second_fd = -1;
	char name[32];

	for (int i = 0; i < HTTP_CACHE_ENTRIES; i++) {
		const struct http_file *e;

		snprintf(name, sizeof(name), "f%d", i);
		write_file(fx, name, "x");
		e = put(fx, name, name);
		assert_non_null(e);
		if (i == 0)
			first_fd = e->fd;
		if (i == 1)
			second_fd = e->fd;
	}
	/* f0 used again: f1 is now the least recently used. */
	assert_non_null(http_cache_get(fx->rootfd, "f0"));
	write_file(fx, "extra", "y");
	assert_non_null(put(fx, "extra", "extra"));
	assert_null(http_cache_get(fx->rootfd, "f1"));
	assert_false(fd_open(second_fd));
	assert_non_null(http_cache_get(fx->rootfd, "f0"));
	assert_true(fd_open(first_fd));
	assert_non_null(http_cache_get(fx->rootfd, "extra"));
}

static void
test_long_paths_are_not_cached_and_clear_closes_all(void **state)
{
	struct fixture *fx = *state;
	struct http_file f = { .cached = false };
	char key[HTTP_CACHE_PATH_MAX + 8];
	const struct http_file *e;
	int fd;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	write_file(fx, "a.txt", "hello\n");
	f.fd = openat(fx->rootfd, "a.txt", O_RDONLY | O_CLOEXEC);
	assert_int_equal(fstat(f.fd, &f.st), 0);
	http_file_describe(&f, "a.txt");
	assert_null(http_cache_put(key, "a.txt", &f));
	assert_true(fd_open(f.fd));			/* still the caller's */
	close(f.fd);

	e = put(fx, "a.txt", "a.txt");
	assert_non_null(e);
	fd = e->fd;
	http_cache_clear();
	assert_false(fd_open(fd));
	assert_null(http_cache_get(fx->rootfd, "a.txt"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_a_file_put_is_found_again_with_its_validators),
		T(test_a_changed_file_is_dropped_at_once),
		T(test_a_replaced_or_removed_file_is_dropped),
		T(test_a_permission_change_drops_the_entry),
		T(test_a_directory_index_is_kept_under_the_directory_key),
		T(test_the_least_recently_used_entry_makes_room),
		T(test_long_paths_are_not_cached_and_clear_closes_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
