/*
 * test_http_path - request paths normalised, and opened beneath a root.
 *
 * normalize is table-driven over plain strings.  The open cases run against
 * a real tree made under $TMPDIR (or /tmp) once for the group: a root with
 * files, a directory and symlinks that stay inside, leave it, or leave and
 * come back, next to an "outside" and a "rootx" directory holding files
 * they must not reach.  Every case goes through both http_path_open
 * (openat2) and http_path_open_checked (openat + /proc); the two differ
 * only where openat2 is stricter, and the table says so.  A seccomp filter
 * in a child makes openat2 fail to check that http_path_open falls back;
 * another child drops root to see a file it may not read.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>

#include "http_path.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NOBODY		65534

struct norm_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int status;
	const char *out;
	bool dir;
};

static const struct norm_case norm_cases[] = {
	{ "/", 0, 0, "", true },
	{ "/index.html", 0, 0, "index.html", false },
	{ "//a///b//", 0, 0, "a/b", true },
	{ "/a/./b/../c", 0, 0, "a/c", false },
	{ "/..", 0, 400, "", false },
	{ "/a/../..", 0, 400, "", false },
	{ "/a/b/../../..", 0, 400, "", false },
	{ "/../a", 0, 400, "", false },
	{ "/a/..", 0, 0, "", true },
	{ "/a/b/..", 0, 0, "a", true },
	{ "/a//../b", 0, 0, "b", false },
	{ "/nce/../nce/", 0, 0, "nce", true },
	{ "/./", 0, 0, "", true },
	{ "/%2e%2e/", 0, 400, "", false },
	{ "/%2e", 0, 0, "", true },
	{ "/a/%2e%2e/b", 0, 0, "b", false },
	{ "/a/%2E%2e/b", 0, 0, "b", false },
	{ "/%2E%2E%2Fetc%2Fpasswd", 0, 400, "", false },
	{ "/a/%2e%2e%2f%2e%2e%2fetc", 0, 400, "", false },
	{ "/a%2Fb", 0, 0, "a/b", false },
	{ "/a%2f", 0, 0, "a", true },
	{ "%2Fa", 0, 400, "", false },
	{ "/%00", 0, 400, "", false },
	{ "/a%0ab", 0, 400, "", false },
	{ "/a%1F", 0, 400, "", false },
	{ "/a%7f", 0, 400, "", false },
	{ "/a\tb", 0, 400, "", false },
	{ "/a\x7f", 0, 400, "", false },
	{ "/a\0b", 4, 400, "", false },
	{ "/%", 0, 400, "", false },
	{ "/%4", 0, 400, "", false },
	{ "/%zz", 0, 400, "", false },
	{ "/%g0", 0, 400, "", false },
	{ "/%0g", 0, 400, "", false },
	{ "/a%", 0, 400, "", false },
	{ "/caf%C3%A9", 0, 0, "caf\xc3\xa9", false },
	{ "/caf\xc3\xa9/", 0, 0, "caf\xc3\xa9", true },
	{ "/%ff", 0, 0, "\xff", false },
	{ "/%25", 0, 0, "%", false },
	{ "/%2541", 0, 0, "%41", false },
	{ "/%%41", 0, 400, "", false },
	{ "/...", 0, 0, "...", false },
	{ "/%2e%2e%2e", 0, 0, "...", false },
	{ "/a/..b", 0, 0, "a/..b", false },
	{ "/a/.hidden", 0, 0, "a/.hidden", false },
	{ "/a?b#c", 0, 0, "a?b#c", false },
	{ "relative", 0, 400, "", false },
	{ "", 0, 400, "", false },
	{ "/a/b/", 0, 0, "a/b", true },
	{ "/a/b", 0, 0, "a/b", false },
	{ "/a/.", 0, 0, "a", true },
};

static void
test_http_path_normalize_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(norm_cases); i++) {
		const struct norm_case *c = &norm_cases[i];
		size_t len = c->len != 0 ? c->len : strlen(c->in);
		char out[64];
		bool dir = !c->dir;
		int rc;

		memset(out, 'X', sizeof(out));
		rc = http_path_normalize(c->in, len, out, sizeof(out), &dir);
		if (rc != c->status || strcmp(out, c->out) != 0 ||
		    dir != c->dir)
			fail_msg("case %zu \"%s\": got %d \"%s\" dir %d, want "
			    "%d \"%s\" dir %d", i, c->in, rc, out, dir,
			    c->status, c->out, c->dir);
	}
}

static int
normalize_into(const char *in, size_t outlen, char *out)
{
	bool dir;

	return http_path_normalize(in, strlen(in), out, outlen, &dir);
}

static void
test_http_path_normalize_fills_out_exactly_or_says_414(void **state)
{
	char in[1 + 100 + 1], out[128], want[101];

	(void)state;
	in[0] = '/';
	memset(in + 1, 'a', 100);
	in[101] = '\0';
	memset(want, 'a', 100);
	want[100] = '\0';
	assert_int_equal(normalize_into(in, 101, out), 0);
	assert_string_equal(out, want);
	out[0] = 'X';
	assert_int_equal(normalize_into(in, 100, out), 414);
	assert_string_equal(out, "");

	assert_int_equal(normalize_into("/ab//cd/", 6, out), 0);
	assert_string_equal(out, "ab/cd");
	assert_int_equal(normalize_into("/ab//cd/", 5, out), 414);
	assert_int_equal(normalize_into("/", 1, out), 0);
	assert_string_equal(out, "");
	out[0] = 'X';
	assert_int_equal(normalize_into("/", 0, out), 414);
	assert_int_equal(out[0], 'X');		/* outlen 0: untouched */
}

/* What a redirect's Location is made of: one leading '/', never a second
 * one or a backslash a browser would take for another host. */
static void
test_http_path_encode_makes_a_path_on_this_server(void **state)
{
	static const struct {
		const char *target, *location;
	} rows[] = {
		{ "/docs", "/docs" },
		{ "//evil.example/..%2Fdocs", "/docs" },
		{ "/%2F%2Fevil.example", "/evil.example" },
		{ "/\\evil.example", "/%5Cevil.example" },
		{ "/a b/c%25d", "/a%20b/c%25d" },
		{ "/caf%C3%A9/x?y", "/caf%C3%A9/x%3Fy" },
		{ "/-._~", "/-._~" },
	};
	char rel[256], out[256];
	bool dir_form;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(http_path_normalize(rows[i].target,
		    strlen(rows[i].target), rel, sizeof(rel), &dir_form), 0);
		assert_int_equal(http_path_encode(rel, out, sizeof(out)),
		    strlen(rows[i].location));
		assert_string_equal(out, rows[i].location);
	}
	/* exactly its length and a NUL, or nothing */
	assert_int_equal(http_path_encode("ab", out, 4), 3);
	assert_int_equal(http_path_encode("ab", out, 3), SIZE_MAX);
	assert_int_equal(http_path_encode(" ", out, 4), SIZE_MAX);
	assert_int_equal(http_path_encode(" ", out, 5), 4);
	assert_int_equal(http_path_encode("", out, 2), 1);
	assert_string_equal(out, "/");
}

/* Dotfiles: any segment beginning with '.', but .well-known itself. */
static void
test_http_path_hidden_names_dotfiles_but_well_known(void **state)
{
	(void)state;
	assert_true(http_path_hidden(".env"));
	assert_true(http_path_hidden(".git/config"));
	assert_true(http_path_hidden("a/.htpasswd"));
	assert_true(http_path_hidden("a/b/.c/d"));
	assert_true(http_path_hidden(".well-known/.secret"));
	assert_true(http_path_hidden(".well-knownx"));
	assert_true(http_path_hidden("a/.well-known/x"));
	assert_false(http_path_hidden(""));
	assert_false(http_path_hidden("index.html"));
	assert_false(http_path_hidden("a.b/c.d"));
	assert_false(http_path_hidden("a/b."));
	assert_false(http_path_hidden(".well-known"));
	assert_false(http_path_hidden(".well-known/acme-challenge/tok.en"));
}

static void
test_http_path_normalize_414_is_about_the_result_only(void **state)
{
	char in[256], out[2];

	(void)state;
	/* far longer than out on the way, one byte at the end */
	snprintf(in, sizeof(in), "/%0200d/../b", 0);
	assert_int_equal(normalize_into(in, sizeof(out), out), 0);
	assert_string_equal(out, "b");
	/* a bad path is 400 however long its result would have been */
	snprintf(in, sizeof(in), "/%0200d/%%zz", 0);
	assert_int_equal(normalize_into(in, sizeof(out), out), 400);
	snprintf(in, sizeof(in), "/%0200d/../../x", 0);
	assert_int_equal(normalize_into(in, sizeof(out), out), 400);
}

/* The tree the open cases run in, made once for the group. */
static struct tree {
	char top[PATH_MAX];
	int rootfd;
} tree;

static int
tree_path(char *buf, size_t len, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", tree.top, rel);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
tree_file(const char *rel, mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	if (tree_path(path, sizeof(path), rel) != 0 ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) < 0)
		return -1;
	if (write(fd, rel, strlen(rel)) != (ssize_t)strlen(rel)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
tree_dir(const char *rel)
{
	char path[PATH_MAX];

	if (tree_path(path, sizeof(path), rel) != 0)
		return -1;
	return mkdir(path, 0755);
}

/* target may start with '@': the tree's own absolute path goes there. */
static int
tree_link(const char *rel, const char *target)
{
	char path[PATH_MAX], abs[PATH_MAX];

	if (target[0] == '@') {
		if (tree_path(abs, sizeof(abs), target + 1) != 0)
			return -1;
		target = abs;
	}
	if (tree_path(path, sizeof(path), rel) != 0)
		return -1;
	return symlink(target, path);
}

static int
tree_remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
tree_remove(void)
{
	if (tree.top[0] == '\0')
		return 0;
	return nftw(tree.top, tree_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
tree_build(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX], magic[PATH_MAX];

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(tree.top, sizeof(tree.top), "%s/test_http_path.XXXXXX", tmp);
	if (mkdtemp(tree.top) == NULL) {
		tree.top[0] = '\0';
		return -1;
	}
	/* /proc names the real path: no symlink in $TMPDIR may hide it */
	if (realpath(tree.top, path) == NULL || strlen(path) >= PATH_MAX ||
	    chmod(path, 0755) != 0)
		return -1;
	strcpy(tree.top, path);
	if (snprintf(magic, sizeof(magic), "/proc/self/root%s/outside/f",
	    tree.top) >= (int)sizeof(magic))
		return -1;
	if (tree_dir("root") != 0 || tree_dir("root/sub") != 0 ||
	    tree_dir("outside") != 0 || tree_dir("rootx") != 0 ||
	    tree_file("root/file", 0644) != 0 ||
	    tree_file("root/sub/inner", 0644) != 0 ||
	    tree_file("root/secret", 0) != 0 ||
	    tree_file("outside/f", 0644) != 0 ||
	    tree_file("rootx/f", 0644) != 0 ||
	    tree_link("root/link_in", "file") != 0 ||
	    tree_link("root/link_via_sub", "sub/../file") != 0 ||
	    tree_link("root/sub/up", "../file") != 0 ||
	    tree_link("root/link_dir", "sub") != 0 ||
	    tree_link("root/link_abs_out", "@outside/f") != 0 ||
	    tree_link("root/link_rel_out", "../outside/f") != 0 ||
	    tree_link("root/link_out_dir", "../outside") != 0 ||
	    tree_link("root/link_sibling", "../rootx/f") != 0 ||
	    tree_link("root/link_out_back", "../root/file") != 0 ||
	    tree_link("root/link_abs_in", "@root/file") != 0 ||
	    tree_link("root/link_proc", magic) != 0 ||
	    tree_link("root/dangling", "nothing") != 0 ||
	    tree_link("root/loop1", "loop2") != 0 ||
	    tree_link("root/loop2", "loop1") != 0)
		return -1;
	if (tree_path(path, sizeof(path), "root") != 0 ||
	    (tree.rootfd = open(path, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return -1;
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	tree.rootfd = -1;
	if (tree_build() != 0) {
		fprintf(stderr, "cannot build the tree in %s: %s\n",
		    tree.top, strerror(errno));
		(void)tree_remove();
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (tree.rootfd >= 0)
		close(tree.rootfd);
	return tree_remove();
}

struct open_case {
	const char *rel;
	int err;		/* http_path_open: 0 or errno */
	int err_checked;	/* http_path_open_checked */
	const char *file;	/* what opens, beneath the tree's top */
};

static const struct open_case open_cases[] = {
	{ "", 0, 0, "root" },
	{ "file", 0, 0, "root/file" },
	{ "sub", 0, 0, "root/sub" },
	{ "sub/inner", 0, 0, "root/sub/inner" },
	{ "link_in", 0, 0, "root/file" },
	{ "link_via_sub", 0, 0, "root/file" },
	{ "sub/up", 0, 0, "root/file" },
	{ "link_dir", 0, 0, "root/sub" },
	{ "link_dir/inner", 0, 0, "root/sub/inner" },
	{ "link_abs_out", EXDEV, EXDEV, NULL },
	{ "link_rel_out", EXDEV, EXDEV, NULL },
	{ "link_out_dir/f", EXDEV, EXDEV, NULL },
	/* "root" is a prefix of "rootx" but not its ancestor */
	{ "link_sibling", EXDEV, EXDEV, NULL },
	{ "link_proc", EXDEV, EXDEV, NULL },
	/* openat2 refuses any trip out, even one that comes back */
	{ "link_out_back", EXDEV, 0, "root/file" },
	{ "link_abs_in", EXDEV, 0, "root/file" },
	{ "dangling", ENOENT, ENOENT, NULL },
	{ "loop1", ELOOP, ELOOP, NULL },
	{ "missing", ENOENT, ENOENT, NULL },
	{ "sub/missing/x", ENOENT, ENOENT, NULL },
	{ "file/x", ENOTDIR, ENOTDIR, NULL },
	{ "link_in/x", ENOTDIR, ENOTDIR, NULL },
};

/* NULL if fd (or -1 and errno) is what c wants, else what went wrong. */
static const char *
open_mismatch(const struct open_case *c, int want, int fd, int err,
    char *why, size_t len)
{
	char path[PATH_MAX];
	struct stat got, st;
	int fl;

	if (want != 0) {
		if (fd >= 0) {
			close(fd);
			snprintf(why, len, "opened, want %s", strerror(want));
			return why;
		}
		if (err != want) {
			snprintf(why, len, "%s, want %s", strerror(err),
			    strerror(want));
			return why;
		}
		return NULL;
	}
	if (fd < 0) {
		snprintf(why, len, "%s, want it open", strerror(err));
		return why;
	}
	fl = fcntl(fd, F_GETFD);
	if (fstat(fd, &got) != 0 || tree_path(path, sizeof(path),
	    c->file) != 0 || stat(path, &st) != 0)
		snprintf(why, len, "cannot stat: %s", strerror(errno));
	else if (got.st_dev != st.st_dev || got.st_ino != st.st_ino)
		snprintf(why, len, "opened another file than %s", c->file);
	else if (fl < 0 || !(fl & FD_CLOEXEC))
		snprintf(why, len, "no FD_CLOEXEC");
	else if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDONLY)
		snprintf(why, len, "not O_RDONLY");
	else
		why = NULL;
	close(fd);
	return why;
}

/* Not under valgrind 3.19, say, which answers ENOSYS to openat2. */
static bool
have_openat2(void)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC;
	if ((fd = (int)syscall(SYS_openat2, tree.rootfd, ".", &how,
	    sizeof(how))) < 0)
		return errno != ENOSYS && errno != EPERM;
	close(fd);
	return true;
}

static void
test_http_path_open_table(void **state)
{
	static const struct {
		const char *name;
		int (*open)(int, const char *);
		bool checked;
	} how[] = {
		{ "http_path_open", http_path_open, false },
		{ "http_path_open_checked", http_path_open_checked, true },
	};

	bool openat2 = have_openat2();

	(void)state;
	if (!openat2)
		print_message("no openat2 here: http_path_open must fall "
		    "back\n");
	for (size_t h = 0; h < ARRAY_SIZE(how); h++)
		for (size_t i = 0; i < ARRAY_SIZE(open_cases); i++) {
			const struct open_case *c = &open_cases[i];
			int want = how[h].checked || !openat2 ?
			    c->err_checked : c->err;
			char why[256];
			int fd, err;

			errno = 0;
			fd = how[h].open(tree.rootfd, c->rel);
			err = errno;
			if (open_mismatch(c, want, fd, err, why,
			    sizeof(why)) != NULL)
				fail_msg("%s(\"%s\"): %s", how[h].name,
				    c->rel, why);
		}
}

/* With "/" as the root, the check must not want "//" as a prefix. */
static void
test_http_path_open_beneath_slash_itself(void **state)
{
	static const struct open_case c = { NULL, 0, 0, "root/sub/inner" };
	char rel[PATH_MAX], why[256];
	int slash, fd, err;

	(void)state;
	assert_int_equal(tree_path(rel, sizeof(rel), "root/sub/inner"), 0);
	assert_true((slash = open("/", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0);
	fd = http_path_open_checked(slash, rel + 1);
	err = errno;
	if (open_mismatch(&c, 0, fd, err, why, sizeof(why)) != NULL)
		fail_msg("http_path_open_checked(\"%s\"): %s", rel + 1, why);
	fd = http_path_open(slash, rel + 1);
	err = errno;
	if (open_mismatch(&c, 0, fd, err, why, sizeof(why)) != NULL)
		fail_msg("http_path_open(\"%s\"): %s", rel + 1, why);
	close(slash);
}

/* Runs fn in a child; a nonzero exit is a failure, 77 a skip. */
static void
in_child(int (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn());
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		skip();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child failed (status %#x)", st);
}

/* Makes openat2 fail with err in this process, as a container might. */
static int
block_openat2(int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO |
		    ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return -1;
	return 0;
}

/* Every case through http_path_open must now give the fallback's answer. */
static int
open_all_as_checked(int blocked_with)
{
	char why[256];
	int bad = 0;

	if (block_openat2(blocked_with) != 0) {
		fprintf(stderr, "no seccomp filter: %s\n", strerror(errno));
		return 77;
	}
	for (size_t i = 0; i < ARRAY_SIZE(open_cases); i++) {
		const struct open_case *c = &open_cases[i];
		int fd, err;

		errno = 0;
		fd = http_path_open(tree.rootfd, c->rel);
		err = errno;
		if (open_mismatch(c, c->err_checked, fd, err, why,
		    sizeof(why)) != NULL) {
			fprintf(stderr, "openat2 blocked with %s: "
			    "http_path_open(\"%s\"): %s\n",
			    strerror(blocked_with), c->rel, why);
			bad = 1;
		}
	}
	return bad;
}

static int
open_with_openat2_eperm(void)
{
	return open_all_as_checked(EPERM);
}

static int
open_with_openat2_enosys(void)
{
	return open_all_as_checked(ENOSYS);
}

static void
test_http_path_open_falls_back_when_seccomp_says_eperm(void **state)
{
	(void)state;
	in_child(open_with_openat2_eperm);
}

static void
test_http_path_open_falls_back_when_the_kernel_says_enosys(void **state)
{
	(void)state;
	in_child(open_with_openat2_enosys);
}

/* As nobody if we are root (root reads anything). */
static int
open_unreadable(void)
{
	int fd, bad = 0;

	if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
	    setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) != 0)) {
		fprintf(stderr, "cannot drop root: %s\n", strerror(errno));
		return 77;
	}
	if ((fd = http_path_open(tree.rootfd, "secret")) >= 0 ||
	    errno != EACCES) {
		fprintf(stderr, "http_path_open: %d %s\n", fd,
		    strerror(errno));
		bad = 1;
	}
	if ((fd = http_path_open_checked(tree.rootfd, "secret")) >= 0 ||
	    errno != EACCES) {
		fprintf(stderr, "http_path_open_checked: %d %s\n", fd,
		    strerror(errno));
		bad = 1;
	}
	if ((fd = http_path_open(tree.rootfd, "file")) < 0) {
		fprintf(stderr, "file: %s\n", strerror(errno));
		bad = 1;
	} else
		close(fd);
	return bad;
}

static void
test_http_path_open_an_unreadable_file_is_eacces(void **state)
{
	(void)state;
	in_child(open_unreadable);
}

static void
test_http_path_status_maps_errno(void **state)
{
	static const struct {
		int err, status;
	} cases[] = {
		{ ENOENT, 404 }, { ENOTDIR, 404 }, { ENAMETOOLONG, 404 },
		{ EACCES, 403 }, { EPERM, 403 }, { EXDEV, 403 },
		{ ELOOP, 403 },
		{ EMFILE, 500 }, { ENFILE, 500 }, { EIO, 500 },
		{ ENOMEM, 500 }, { EAGAIN, 500 }, { 0, 500 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (http_path_status(cases[i].err) != cases[i].status)
			fail_msg("%s: %d, want %d", strerror(cases[i].err),
			    http_path_status(cases[i].err), cases[i].status);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_path_normalize_table),
		cmocka_unit_test(
		    test_http_path_normalize_fills_out_exactly_or_says_414),
		cmocka_unit_test(
		    test_http_path_normalize_414_is_about_the_result_only),
		cmocka_unit_test(test_http_path_encode_makes_a_path_on_this_server),
		cmocka_unit_test(test_http_path_hidden_names_dotfiles_but_well_known),
		cmocka_unit_test(test_http_path_open_table),
		cmocka_unit_test(test_http_path_open_beneath_slash_itself),
		cmocka_unit_test(
		    test_http_path_open_falls_back_when_seccomp_says_eperm),
		cmocka_unit_test(
		    test_http_path_open_falls_back_when_the_kernel_says_enosys),
		cmocka_unit_test(
		    test_http_path_open_an_unreadable_file_is_eacces),
		cmocka_unit_test(test_http_path_status_maps_errno),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
