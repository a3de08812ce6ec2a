/*
 * http_file - a request path beneath the root: a file, or a directory.
 *
 * The path is decoded and normalised (http_path_normalize), opened beneath
 * the root only (http_path_open: no "..", no symlink out), then:
 *   directory without its '/'  -> 301 to the '/' form;
 *   directory                  -> its index file, else a listing if
 *                                 autoindex is on, else 403;
 *   regular file               -> 200, 206 (Range), 304 (If-None-Match,
 *                                 If-Modified-Since) or 416;
 *   anything else (a FIFO...)  -> 403.
 * Validators: Last-Modified from the file's mtime, and a strong ETag from
 * its size and mtime in nanoseconds.  The body is the open file itself;
 * the driver sends it with sendfile().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "http.h"
#include "http_date.h"
#include "http_mime.h"
#include "http_path.h"
#include "http_range.h"

#define HTTP_ETAG_MAX	64

static void
http_file_etag(const struct stat *st, char *buf, size_t len)
{
	snprintf(buf, len, "\"%llx-%llx\"", (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st->st_mtim.tv_nsec);
}

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
http_file_not_modified(const struct http_request *req, const struct stat *st,
    const char *etag)
{
	time_t since;

	if (req->if_none_match.ptr != NULL)
		return http_file_etag_matches(req->if_none_match, etag);
	if (req->if_modified_since.ptr != NULL &&
	    http_date_parse(req->if_modified_since.ptr,
	    req->if_modified_since.len, &since) == 0)
		return st->st_mtim.tv_sec <= since;
	return false;
}

/* A regular file, open as fd: the reply takes fd over. */
static void
http_file_serve(const struct http_request *req, const char *name, int fd,
    const struct stat *st, struct http_reply *rp)
{
	char etag[HTTP_ETAG_MAX], modified[HTTP_DATE_LEN + 1];
	uint64_t size = (uint64_t)st->st_size, first, last;

	http_file_etag(st, etag, sizeof(etag));
	http_date_format(st->st_mtim.tv_sec, modified);
	http_reply_field(rp, "Last-Modified", "%s", modified);
	http_reply_field(rp, "ETag", "%s", etag);
	if (http_file_not_modified(req, st, etag)) {
		rp->status = HTTP_NOT_MODIFIED;
		rp->no_length = true;
		(void)close(fd);
		return;
	}
	http_reply_field(rp, "Accept-Ranges", "bytes");
	switch (http_range_parse(req->range.ptr, req->range.len, size, &first,
	    &last)) {
	case HTTP_RANGE_UNSATISFIABLE:
		(void)close(fd);
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
	rp->content_type = http_mime_type(name);
	rp->body_fd = fd;
}

/*
 * "/a/b" asked for a directory: to "/a/b/", with the query kept.  The
 * Location repeats the target, which may be far longer than a response
 * head has room for: then the answer is 414.
 */
static void
http_file_redirect(const struct http_request *req, struct http_reply *rp)
{
	bool fits;

	if (req->query.ptr != NULL)
		fits = http_reply_field(rp, "Location", "%.*s/?%.*s",
		    (int)req->path.len, req->path.ptr, (int)req->query.len,
		    req->query.ptr);
	else
		fits = http_reply_field(rp, "Location", "%.*s/",
		    (int)req->path.len, req->path.ptr);
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

/* A directory asked for in its '/' form, open as dirfd. */
static void
http_file_directory(const struct http_site *site, const struct conf *cf,
    const struct http_request *req, const char *rel, int dirfd,
    struct http_reply *rp)
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
		http_file_serve(req, index, fd, &st, rp);
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
	char rel[PATH_MAX];
	struct stat st;
	bool dir_form;
	int fd, status;

	status = http_path_normalize(req->path.ptr, req->path.len, rel,
	    sizeof(rel), &dir_form);
	if (status == 0)
		status = http_file_open(site, rel, &fd, &st);
	if (status != 0) {
		http_reply_error(rp, status);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!dir_form) {
			(void)close(fd);
			http_file_redirect(req, rp);
			return;
		}
		http_file_directory(site, cf, req, rel, fd, rp);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		http_reply_error(rp, HTTP_FORBIDDEN);
		return;
	}
	http_file_serve(req, rel, fd, &st, rp);
}
