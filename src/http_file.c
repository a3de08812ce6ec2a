/*
 * http_file - a request path beneath the root: a file, or a directory.
 *
 * The path is decoded and normalised (http_path_normalize), opened beneath
 * the root only (http_path_open: no "..", no symlink out), then:
 *   a dotfile (http_path_hidden) -> 404, unless http.dotfiles = allow;
 *   directory without its '/'  -> 301 to the '/' form;
 *   directory                  -> its index file, else a listing if
 *                                 autoindex is on, else 403;
 *   regular file               -> 200, 206 (Range), 304 (If-None-Match,
 *                                 If-Modified-Since) or 416;
 *   anything else (a FIFO...)  -> 403.
 * Validators: Last-Modified from the file's mtime, and a strong ETag from
 * its size and mtime in nanoseconds.  The body is the open file itself;
 * the driver sends it with sendfile().  A regular file served is kept
 * open in the worker's cache (http_cache.c), checked at each use, so a
 * file asked for again is not opened again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "http.h"
#include "http_cache.h"
#include "http_date.h"
#include "http_mime.h"
#include "http_path.h"
#include "http_range.h"

/*
 * If-None-Match: "*" or a list of entity tags; compared weakly (a "W/"
 * prefix is ignored), as RFC 9110 says for this field.
 */
static bool
http_file_etag_matches(struct http_str inm, const char *etag)
{
	const char *p = inm.ptr, *end = inm.ptr + inm.len;
	size_t elen = strlen(etag);

	while (p < end) {
		const char *start;

		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p == end)
			break;
		if (*p == '*')
			return true;
		if (end - p > 2 && p[0] == 'W' && p[1] == '/')
			p += 2;
		start = p;
		while (p < end && *p != ',')
			p++;
		while (p > start && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		if ((size_t)(p - start) == elen && memcmp(start, etag, elen) == 0)
			return true;
		while (p < end && *p != ',')
			p++;
	}
	return false;
}

/* 304 when the client's copy is current (RFC 9110 section 13.2.2). */
static bool
http_file_not_modified(const struct http_request *req,
    const struct http_file *f)
{
	time_t since;

	if (req->if_none_match.ptr != NULL)
		return http_file_etag_matches(req->if_none_match, f->etag);
	if (req->if_modified_since.ptr != NULL &&
	    http_date_parse(req->if_modified_since.ptr,
	    req->if_modified_since.len, &since) == 0)
		return f->st.st_mtim.tv_sec <= since;
	return false;
}

/* Done with f without sending it. */
static void
http_file_release(const struct http_file *f)
{
	if (!f->cached)
		(void)close(f->fd);
}

/* A regular file: the reply sends f (and closes it unless it is cached). */
static void
http_file_serve(const struct http_request *req, const struct http_file *f,
    struct http_reply *rp)
{
	uint64_t size = (uint64_t)f->st.st_size, first, last;

	http_reply_field_str(rp, "Last-Modified", f->modified);
	http_reply_field_str(rp, "ETag", f->etag);
	if (http_file_not_modified(req, f)) {
		rp->status = HTTP_NOT_MODIFIED;
		rp->no_length = true;
		http_file_release(f);
		return;
	}
	http_reply_field_str(rp, "Accept-Ranges", "bytes");
	switch (http_range_parse(req->range.ptr, req->range.len, size, &first,
	    &last)) {
	case HTTP_RANGE_UNSATISFIABLE:
		http_file_release(f);
		http_reply_field(rp, "Content-Range", "bytes */%llu",
		    (unsigned long long)size);
		http_reply_error(rp, HTTP_RANGE_NOT_SATISFIABLE);
		return;
	case HTTP_RANGE_OK:
		rp->status = HTTP_PARTIAL_CONTENT;
		http_reply_field(rp, "Content-Range", "bytes %llu-%llu/%llu",
		    (unsigned long long)first, (unsigned long long)last,
		    (unsigned long long)size);
		rp->body_offset = (off_t)first;
		rp->length = last - first + 1;
		break;
	case HTTP_RANGE_NONE:
		rp->status = HTTP_OK;
		rp->length = size;
		break;
	}
	rp->content_type = f->type;
	rp->body_fd = f->fd;
	rp->body_fd_kept = f->cached;
}

/* The regular file at path, open as fd (taken over), asked for as key:
 * kept in the cache when it can be, and served. */
static void
http_file_serve_new(const struct http_request *req, const char *key,
    const char *path, int fd, const struct stat *st, struct http_reply *rp)
{
	struct http_file f = { .fd = fd, .cached = false, .st = *st };
	const struct http_file *kept;

	http_file_describe(&f, path);
	kept = http_cache_put(key, path, &f);
	http_file_serve(req, kept != NULL ? kept : &f, rp);
}

/*
 * "/a/b" asked for a directory: to "/a/b/", with the query kept.  The
 * Location is made from the normalised path rel, never from the target
 * as sent: "//evil.example/..%2Fdocs" leads to "/docs/", not to another
 * host.  It may be far longer than a response head has room for: then
 * the answer is 414.
 */
static void
http_file_redirect(const struct http_request *req, const char *rel,
    struct http_reply *rp)
{
	char loc[3 * PATH_MAX + 2];
	bool fits = http_path_encode(rel, loc, sizeof(loc)) != SIZE_MAX;
	const char *slash = rel[0] != '\0' ? "/" : "";	/* the root: "/" */

	if (fits && req->query.ptr != NULL)
		fits = http_reply_field(rp, "Location", "%s%s?%.*s", loc, slash,
		    (int)req->query.len, req->query.ptr);
	else if (fits)
		fits = http_reply_field(rp, "Location", "%s%s", loc, slash);
	if (!fits) {
		http_reply_init(rp);
		http_reply_error(rp, HTTP_URI_TOO_LONG);
		return;
	}
	http_reply_error(rp, HTTP_MOVED_PERMANENTLY);
}

/* Opens rel beneath the root and stats it; an error status, or 0. */
static int
http_file_open(const struct http_site *site, const char *rel, int *fd,
    struct stat *st)
{
	*fd = http_path_open(site->rootfd, rel);
	if (*fd < 0)
		return http_path_status(errno);
	if (fstat(*fd, st) != 0) {
		int status = http_path_status(errno);

		(void)close(*fd);
		*fd = -1;
		return status;
	}
	return 0;
}

/* A directory asked for in its '/' form (key), open as dirfd. */
static void
http_file_directory(const struct http_site *site, const struct conf *cf,
    const struct http_request *req, const char *key, const char *rel,
    int dirfd, struct http_reply *rp)
{
	char index[PATH_MAX];
	struct stat st;
	int fd, status;

	if (snprintf(index, sizeof(index), "%s%s%s", rel, rel[0] ? "/" : "",
	    cf->http.index) >= (int)sizeof(index)) {
		(void)close(dirfd);
		http_reply_error(rp, HTTP_URI_TOO_LONG);
		return;
	}
	status = http_file_open(site, index, &fd, &st);
	if (status == 0 && S_ISREG(st.st_mode)) {
		(void)close(dirfd);
		http_file_serve_new(req, key, index, fd, &st, rp);
		return;
	}
	if (fd >= 0)
		(void)close(fd);
	if (status == HTTP_NOT_FOUND && cf->http.autoindex) {
		http_autoindex_reply(dirfd, req->path, rp);
		return;
	}
	(void)close(dirfd);
	http_reply_error(rp, status == HTTP_NOT_FOUND || status == 0 ?
	    HTTP_FORBIDDEN : status);
}

void
http_file_reply(const struct http_site *site, const struct conf *cf,
    const struct http_request *req, struct http_reply *rp)
{
	char rel[PATH_MAX], key[PATH_MAX + 1];
	const struct http_file *cached;
	struct stat st;
	bool dir_form;
	int fd, status;
	size_t n;

	status = http_path_normalize(req->path.ptr, req->path.len, rel,
	    sizeof(rel), &dir_form);
	if (status != 0) {
		http_reply_error(rp, status);
		return;
	}
	/* .env, .git/...: as if absent, unless http.dotfiles = allow */
	if (!cf->http.dotfiles && http_path_hidden(rel)) {
		http_reply_error(rp, HTTP_NOT_FOUND);
		return;
	}
	/* The key tells "docs" (a redirect) from "docs/" (its index). */
	n = strlen(rel);
	memcpy(key, rel, n);
	if (dir_form)
		key[n++] = '/';
	key[n] = '\0';
	if ((cached = http_cache_get(site->rootfd, key)) != NULL) {
		http_file_serve(req, cached, rp);
		return;
	}
	if ((status = http_file_open(site, rel, &fd, &st)) != 0) {
		http_reply_error(rp, status);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!dir_form) {
			(void)close(fd);
			http_file_redirect(req, rel, rp);
			return;
		}
		http_file_directory(site, cf, req, key, rel, fd, rp);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		http_reply_error(rp, HTTP_FORBIDDEN);
		return;
	}
	http_file_serve_new(req, key, rel, fd, &st, rp);
}
