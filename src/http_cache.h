/*
 * http_cache - a worker's open files, so that a file asked for again is
 * not opened again.
 *
 * An entry maps a normalised request path ("docs/a.txt", or "docs/" for
 * a directory's index) to the regular file served for it, kept open, with
 * its stat and the validators formatted once (ETag, Last-Modified) and its
 * Content-Type.  Every use checks it first with one fstatat() of the
 * file's path beneath the root: the same device, inode, size, mtime and
 * ctime, or the entry is dropped and the path opened again the safe way
 * (http_path_open).  So a changed, replaced, removed or re-permissioned
 * file is seen at once, as without the cache; what is saved is the open,
 * the close and the formatting.  fstatat() follows symbolic links that the
 * safe open would refuse (out of the root), but the entry passes only
 * while its path leads to the very file, unchanged, that was served from
 * beneath the root, so nothing is served that was not served before.
 *
 * HTTP_CACHE_ENTRIES entries per worker, the least recently used one
 * replaced; paths longer than HTTP_CACHE_PATH_MAX are not cached, and
 * neither is a file whose descriptor lies within HTTP_CACHE_FD_RESERVE of
 * the limit on open files: the cache yields, so that accept() always has
 * descriptors left.  The
 * table is the worker's own (static, touched only once used), so an idle
 * worker pays nothing for it.
 */
#ifndef PREFORKD_HTTP_CACHE_H
#define PREFORKD_HTTP_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "http_date.h"

#define HTTP_CACHE_ENTRIES	64
#define HTTP_CACHE_PATH_MAX	256
#define HTTP_CACHE_FD_RESERVE	16	/* descriptors the cache leaves free */
#define HTTP_ETAG_MAX		64

/* A regular file ready to be served. */
struct http_file {
	int fd;
	bool cached;			/* the cache owns fd: do not close it */
	struct stat st;
	const char *type;		/* Content-Type */
	char etag[HTTP_ETAG_MAX];
	char modified[HTTP_DATE_LEN + 1];
};

/* Fills in f's validators and type from f->st and name (the file's path). */
void http_file_describe(struct http_file *f, const char *name);

/*
 * The entry for key, checked against the file at its path beneath rootfd
 * now: NULL when there is none or it went stale (then it is dropped).
 */
const struct http_file *http_cache_get(int rootfd, const char *key);

/*
 * Keeps f (described, f->fd open, f->cached false) for key, the file
 * being at path beneath the root; on success the cache owns the
 * descriptor and the entry is returned, else NULL and f is unchanged.
 */
const struct http_file *http_cache_put(const char *key, const char *path,
    const struct http_file *f);

/* Closes every cached descriptor and empties the table. */
void http_cache_clear(void);

#endif
