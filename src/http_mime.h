/*
 * http_mime - Content-Type by file name extension.
 *
 * One process-wide table, loaded once by the master before it forks (the
 * workers share its pages): from /etc/mime.types when it can be read, else
 * a built-in table of the common types.  Lookup is by the extension after
 * the last '.' of the file name, case-insensitive, by binary search.  Text
 * types (every text/ type, and application/javascript, application/json,
 * application/xml, image/svg+xml) get "; charset=utf-8".  An unknown or
 * missing extension gives "application/octet-stream".
 */
#ifndef PREFORKD_HTTP_MIME_H
#define PREFORKD_HTTP_MIME_H

#include <stddef.h>
#include <stdio.h>

#define HTTP_MIME_DEFAULT	"application/octet-stream"
#define HTTP_MIME_FILE		"/etc/mime.types"

/*
 * Loads the table from a mime.types stream ("type ext1 ext2 ...", '#'
 * comments); returns the number of extensions, or -1 on a read error or
 * no memory.  Replaces any table loaded before.
 */
int http_mime_load(FILE *fp);

/* Loads path (HTTP_MIME_FILE in the daemon), or the built-in table when it
 * cannot be read or holds nothing; returns the number of extensions. */
int http_mime_init(const char *path);

/* The built-in table only. */
void http_mime_builtin(void);

/* The Content-Type for a file name (a path is fine: the last '.' after the
 * last '/' counts).  Never NULL; valid until the next load. */
const char *http_mime_type(const char *name);

void http_mime_free(void);

#endif
