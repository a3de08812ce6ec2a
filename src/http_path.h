/*
 * http_path - from a request path to an open file beneath the root.
 *
 * http_path_normalize() is pure: it percent-decodes the path of a request
 * target and normalises it into a relative path ("" for the root itself,
 * else "a/b/c" with no "." or ".." segment, no empty segment, no leading
 * or trailing '/'); *dir_form says whether the path ended in '/', "." or
 * ".." (so a directory asked for without it can be redirected).  Decoding
 * comes first: "%2F" decodes to '/' and is then normalised like any other
 * '/'.  Refused with 400: a path not starting with '/', a bad escape ("%4",
 * "%zz"), an encoded or raw NUL or control character, a ".." that would
 * climb above the root.  414 when the result does not fit in out.
 *
 * http_path_open() opens a normalised path beneath an open directory
 * (the root), following symlinks only while they stay beneath it:
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) where the kernel has
 * it, and where it does not (ENOSYS, or EPERM from a seccomp filter) a
 * plain openat() whose result is then checked through /proc/self/fd: the
 * file's real path must lie within the root's.  Never follows a path out
 * of the root.
 */
#ifndef PREFORKD_HTTP_PATH_H
#define PREFORKD_HTTP_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* 0 (out holds the relative path), or 400 / 414. */
int http_path_normalize(const char *path, size_t len, char *out,
    size_t outlen, bool *dir_form);

/*
 * An O_RDONLY | O_CLOEXEC descriptor for rel ("" is the root itself) beneath
 * rootfd, or -1 with errno: ENOENT / ENOTDIR (no such file), EACCES (not
 * readable), EXDEV (the path or a symlink on it leads out of the root),
 * ELOOP, or another open error.
 */
int http_path_open(int rootfd, const char *rel);

/* The same, always by the fallback (openat + /proc check); for tests. */
int http_path_open_checked(int rootfd, const char *rel);

/* The HTTP status for an errno from http_path_open: 404, 403 or 500. */
int http_path_status(int err);

/*
 * Does the normalised path rel name a dotfile: a segment beginning with
 * '.' (".env", ".git/config", "a/.htpasswd")?  The first segment
 * ".well-known" (RFC 8615: ACME challenges, security.txt) does not count,
 * but a dotfile beneath it does.  Pure.
 */
bool http_path_hidden(const char *rel);

/*
 * A normalised path (as http_path_normalize() makes it) as the path of a
 * URL on this server: '/', then rel with every byte but an unreserved
 * character or '/' percent-encoded, so that it is always one leading '/'
 * and a segment (never "//host" or "/\host", which a browser would read
 * as another host).  Its length, or SIZE_MAX when it and its NUL do not
 * fit in outlen bytes.  Pure.
 */
size_t http_path_encode(const char *rel, char *out, size_t outlen);

#endif
