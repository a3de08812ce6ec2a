/*
 * http_cache - open files kept by a worker, checked at every use.
 *
 * A linear table: HTTP_CACHE_ENTRIES is small, and a 32-bit hash of the
 * key is compared before the key itself.  Recency is a counter.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "http_cache.h"
#include "http_mime.h"

struct http_cache_entry {
	uint32_t hash;
	uint64_t used;			/* 0: free */
	char key[HTTP_CACHE_PATH_MAX];
	char path[HTTP_CACHE_PATH_MAX];	/* the file, beneath the root */
	struct http_file file;
};

static struct http_cache_entry http_cache[HTTP_CACHE_ENTRIES];
static uint64_t http_cache_tick;

void
http_file_describe(struct http_file *f, const char *name)
{
	snprintf(f->etag, sizeof(f->etag), "\"%llx-%llx\"",
	    (unsigned long long)f->st.st_size,
	    (unsigned long long)f->st.st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)f->st.st_mtim.tv_nsec);
	http_date_format(f->st.st_mtim.tv_sec, f->modified);
	f->type = http_mime_type(name);
}

static uint32_t
http_cache_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool
http_cache_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mode == b->st_mode &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void
http_cache_drop(struct http_cache_entry *e)
{
	(void)close(e->file.fd);
	memset(e, 0, sizeof(*e));
}

const struct http_file *
http_cache_get(int rootfd, const char *key)
{
	uint32_t h = http_cache_hash(key);
	struct stat st;

	for (size_t i = 0; i < HTTP_CACHE_ENTRIES; i++) {
		struct http_cache_entry *e = &http_cache[i];

		if (e->used == 0 || e->hash != h || strcmp(e->key, key) != 0)
			continue;
		if (fstatat(rootfd, e->path, &st, 0) != 0 ||
		    !http_cache_same(&st, &e->file.st)) {
			http_cache_drop(e);
			return NULL;
		}
		e->used = ++http_cache_tick;
		return &e->file;
	}
	return NULL;
}

/* The lowest descriptor the cache may not keep (descriptors are handed
 * out lowest first, so a high one means few are left); read once. */
static long
http_cache_fd_ceiling(void)
{
	static long ceiling;
	struct rlimit rl;

	if (ceiling == 0) {
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
		    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1L << 30)
			ceiling = 1L << 30;
		else
			ceiling = (long)rl.rlim_cur - HTTP_CACHE_FD_RESERVE;
	}
	return ceiling;
}

const struct http_file *
http_cache_put(const char *key, const char *path, const struct http_file *f)
{
	struct http_cache_entry *e = &http_cache[0];

	if (f->fd >= http_cache_fd_ceiling())
		return NULL;	/* near the limit: accept() needs them more */
	if (strlen(key) >= HTTP_CACHE_PATH_MAX ||
	    strlen(path) >= HTTP_CACHE_PATH_MAX || path[0] == '\0')
		return NULL;
	for (size_t i = 0; i < HTTP_CACHE_ENTRIES; i++) {
		if (http_cache[i].used == 0) {
			e = &http_cache[i];
			break;
		}
		if (http_cache[i].used < e->used)
			e = &http_cache[i];
	}
	if (e->used != 0)
		http_cache_drop(e);
	e->hash = http_cache_hash(key);
	e->used = ++http_cache_tick;
	memcpy(e->key, key, strlen(key) + 1);
	memcpy(e->path, path, strlen(path) + 1);
	e->file = *f;
	e->file.cached = true;
	return &e->file;
}

void
http_cache_clear(void)
{
	for (size_t i = 0; i < HTTP_CACHE_ENTRIES; i++)
		if (http_cache[i].used != 0)
			http_cache_drop(&http_cache[i]);
}
