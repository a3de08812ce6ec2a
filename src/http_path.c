/*
 * http_path - from a request path to an open file beneath the root.
 *
 * Owns the decoding and normalising of a request path and the one open of
 * the file it names.  Normalising is pure, bounded and allocates nothing:
 * a forward pass checks every byte and escape, then two backward passes
 * measure and write the segments that survive.  Going backwards, a ".."
 * just cancels the next segment to its left, so no stack is needed and
 * the answer (414 included) depends only on the result, never on how long
 * the path was on its way there.  Opening trusts the kernel (openat2 with
 * RESOLVE_BENEATH) where it can, checks the opened file's path through
 * /proc where it cannot, and remembers per process which one it is.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "http_chars.h"
#include "http_parse.h"
#include "http_path.h"

/*
 * openat2 says EAGAIN when a rename or mount raced its check for an escape.
 * Retrying is right, but not forever: someone could keep renaming.
 */
#define HTTP_PATH_AGAIN_MAX	8

/*
 * O_NONBLOCK: opening a FIFO (or a device) that someone left in the root
 * must not block the worker; only regular files and directories are ever
 * served, and for them the flag changes nothing (sendfile, getdents).
 */
#define HTTP_PATH_OPEN_FLAGS	(O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* Set once openat2 is known to be missing or blocked in this process. */
static bool http_path_no_openat2;

/* They end lines and strings in headers, logs and file names. */
static bool
http_path_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* A segment of n decoded bytes, dots of them '.', is "", "." or "..". */
static bool
http_path_dot(size_t n, size_t dots)
{
	return n == dots && n <= 2;
}

/* 0, or 400 for a path that is not absolute, a bad escape or a control. */
static int
http_path_check(const unsigned char *p, size_t len)
{
	if (len == 0 || p[0] != '/')
		return HTTP_BAD_REQUEST;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3 || (hi = http_char_hex(p[i + 1])) < 0 ||
			    (lo = http_char_hex(p[i + 2])) < 0)
				return HTTP_BAD_REQUEST;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (http_path_control(c))
			return HTTP_BAD_REQUEST;
	}
	return 0;
}

/*
 * The decoded byte that ends at *end, moving *end back before it.  Only
 * for a path http_path_check accepted: there every '%' starts a complete
 * escape and no escape holds a '%', so the byte before *end belongs to an
 * escape exactly when there is a '%' three bytes back.
 */
static unsigned char
http_path_prev(const unsigned char *p, size_t *end)
{
	size_t e = *end;

	if (e >= 3 && p[e - 3] == '%') {
		*end = e - 3;
		return (unsigned char)(http_char_hex(p[e - 2]) << 4 |
		    http_char_hex(p[e - 1]));
	}
	*end = e - 1;
	return p[e - 1];
}

/*
 * Walks the segments from the last to the first.  A ".." is owed one
 * segment further left; a segment that pays a debt is dropped.  Debt left
 * at the start means a ".." climbed above the root: SIZE_MAX.  Otherwise
 * the length of the result, which is also written to out[0..total) when
 * out is not NULL (total being what a first call with NULL returned).
 */
static size_t
http_path_build(const unsigned char *p, size_t len, char *out, size_t total)
{
	size_t pos = len, w = total, owed = 0, bytes = 0, segs = 0;

	for (;;) {
		size_t end, q, n = 0, dots = 0;
		unsigned char c;

		for (q = pos; pos > 0 && http_path_prev(p, &q) == '/'; q = pos)
			pos = q;
		if (pos == 0)
			break;
		end = pos;
		for (q = pos; pos > 0 && (c = http_path_prev(p, &q)) != '/';
		    q = pos) {
			pos = q;
			n++;
			dots += c == '.';
		}
		if (http_path_dot(n, dots)) {
			if (n == 2)
				owed++;
			continue;
		}
		if (owed > 0) {
			owed--;
			continue;
		}
		if (out != NULL) {
			if (w != total)
				out[--w] = '/';
			for (q = end; q > pos;)
				out[--w] = (char)http_path_prev(p, &q);
		}
		bytes += n;
		segs++;
	}
	if (owed > 0)
		return SIZE_MAX;
	return segs == 0 ? 0 : bytes + segs - 1;
}

/* Whether the last segment is empty (a trailing '/'), "." or "..". */
static bool
http_path_dir_form(const unsigned char *p, size_t len)
{
	size_t pos = len, n = 0, dots = 0;
	unsigned char c;

	while (pos > 0 && (c = http_path_prev(p, &pos)) != '/') {
		n++;
		dots += c == '.';
	}
	return http_path_dot(n, dots);
}

bool
http_path_hidden(const char *rel)
{
	static const char wk[] = ".well-known";
	const char *seg = rel;

	if (strncmp(rel, wk, sizeof(wk) - 1) == 0 &&
	    (rel[sizeof(wk) - 1] == '/' || rel[sizeof(wk) - 1] == '\0'))
		seg = rel[sizeof(wk) - 1] == '/' ? rel + sizeof(wk) : "";
	for (; *seg != '\0'; seg++) {
		if (*seg == '.')
			return true;
		if ((seg = strchr(seg, '/')) == NULL)
			return false;
	}
	return false;
}

size_t
http_path_encode(const char *rel, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen < 2)
		return SIZE_MAX;
	out[n++] = '/';
	for (; *rel != '\0'; rel++) {
		bool keep = http_char_is_unreserved(*rel) || *rel == '/';

		if (n + (keep ? 1 : 3) >= outlen)
			return SIZE_MAX;
		if (keep) {
			out[n++] = *rel;
		} else {
			http_char_pct_encode((unsigned char)*rel, out + n);
			n += 3;
		}
	}
	out[n] = '\0';
	return n;
}

int
http_path_normalize(const char *path, size_t len, char *out, size_t outlen,
    bool *dir_form)
{
	const unsigned char *p = (const unsigned char *)path;
	size_t total;

	/* Whatever a careless caller prints on failure is then harmless. */
	if (outlen > 0)
		out[0] = '\0';
	*dir_form = false;
	if (http_path_check(p, len) != 0)
		return HTTP_BAD_REQUEST;
	if ((total = http_path_build(p, len, NULL, 0)) == SIZE_MAX)
		return HTTP_BAD_REQUEST;
	if (total >= outlen)
		return HTTP_URI_TOO_LONG;
	(void)http_path_build(p, len, out, total);
	out[total] = '\0';
	*dir_form = http_path_dir_form(p, len);
	return 0;
}

static int
http_path_openat2(int rootfd, const char *name)
{
	struct open_how how;
	int fd, again = 0;

	memset(&how, 0, sizeof(how));
	how.flags = HTTP_PATH_OPEN_FLAGS;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	do
		fd = (int)syscall(SYS_openat2, rootfd, name, &how,
		    sizeof(how));
	while (fd < 0 && (errno == EINTR ||
	    (errno == EAGAIN && ++again < HTTP_PATH_AGAIN_MAX)));
	return fd;
}

/*
 * After an EPERM: a seccomp filter that blocks openat2 says EPERM for the
 * root itself too, while an EPERM about one file (an LSM, say) must reach
 * the client as 403 and must not turn the fallback on for good.
 */
static bool
http_path_openat2_blocked(int rootfd)
{
	int fd = http_path_openat2(rootfd, ".");

	if (fd >= 0) {
		close(fd);
		errno = EPERM;
		return false;
	}
	if (errno == EPERM || errno == ENOSYS)
		return true;
	errno = EPERM;
	return false;
}

int
http_path_open(int rootfd, const char *rel)
{
	int fd;

	if (http_path_no_openat2)
		return http_path_open_checked(rootfd, rel);
	if ((fd = http_path_openat2(rootfd, *rel == '\0' ? "." : rel)) >= 0)
		return fd;
	if (errno == ENOSYS || (errno == EPERM &&
	    http_path_openat2_blocked(rootfd))) {
		http_path_no_openat2 = true;
		return http_path_open_checked(rootfd, rel);
	}
	return -1;
}

/*
 * The path the kernel has for fd.  Fails on anything it cannot vouch for:
 * no /proc, a path too long for buf (readlink truncates silently), or one
 * that is not absolute ("(unreachable)/..." outside our root directory).
 */
static int
http_path_fd_path(int fd, char *buf, size_t len)
{
	char link[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, buf, len)) < 0)
		return -1;
	if ((size_t)n >= len || n == 0 || buf[0] != '/')
		return -1;
	buf[n] = '\0';
	return 0;
}

/* No segment holds a '/', so a prefix ending at one is a real ancestor. */
static bool
http_path_within(const char *root, const char *file)
{
	size_t n = strlen(root);

	if (strncmp(file, root, n) != 0)
		return false;
	return n == 1 || file[n] == '\0' || file[n] == '/';
}

/*
 * rel holds no "..", so only a symlink can lead out, and the file that was
 * opened is what gets checked, so a rename in between cannot fool it.
 * When /proc cannot tell where the file is (not mounted, say, in a chroot)
 * this fails closed with EXDEV: a 403 for every file, never a leak.
 */
int
http_path_open_checked(int rootfd, const char *rel)
{
	char root[PATH_MAX], file[PATH_MAX];
	int fd;

	do
		fd = openat(rootfd, *rel == '\0' ? "." : rel,
		    HTTP_PATH_OPEN_FLAGS);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	if (http_path_fd_path(rootfd, root, sizeof(root)) != 0 ||
	    http_path_fd_path(fd, file, sizeof(file)) != 0 ||
	    !http_path_within(root, file)) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

int
http_path_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return HTTP_NOT_FOUND;
	case EACCES:
	case EPERM:
	case EXDEV:
	case ELOOP:
		return HTTP_FORBIDDEN;
	}
	return HTTP_INTERNAL_ERROR;
}
