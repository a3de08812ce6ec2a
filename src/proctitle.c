/*
 * proctitle - set the process title shown by ps(1) and in /proc/PID/cmdline.
 *
 * Linux shows the bytes of the original argv area; the environment strings
 * usually follow it contiguously.  proctitle_init() copies argv strings and
 * the environment to the heap, then claims the whole contiguous area.
 * proctitle_set() writes the title there, NUL-padded, and may also set
 * the short command name (PR_SET_NAME, /proc/PID/comm, 15 bytes) that
 * top(1), pgrep(1) and pidof(1) match.
 * If copying fails the area is simply not claimed: titles are cosmetic.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "proctitle.h"

extern char **environ;

static char *proctitle_area;
static size_t proctitle_size;
/* Ours for good: glibc's clearenv() at exit must not orphan it. */
static char **volatile proctitle_environ;

/* End of the contiguous block of strings starting at argv[0]. */
static char *
proctitle_area_end(int argc, char **argv)
{
	char *end = argv[0] + strlen(argv[0]) + 1;

	for (int i = 1; i < argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	for (int i = 0; environ[i] != NULL && environ[i] == end; i++)
		end = environ[i] + strlen(environ[i]) + 1;
	return end;
}

/*
 * The environment moves out of the way of the title: one block holds every
 * string, so that a variable removed later (sd_listen_fds() unsets
 * LISTEN_FDS) still belongs to it and nothing is lost.
 */
static int
proctitle_move_environ(void)
{
	static char *block;
	size_t n = 0, size = 0;
	char **env, *p;

	while (environ[n] != NULL)
		size += strlen(environ[n++]) + 1;
	env = calloc(n + 1, sizeof(*env));
	block = malloc(size > 0 ? size : 1);
	if (env == NULL || block == NULL) {
		free(env);
		free(block);
		block = NULL;
		return -1;
	}
	p = block;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(environ[i]) + 1;

		env[i] = memcpy(p, environ[i], len);
		p += len;
	}
	environ = proctitle_environ = env;
	return 0;
}

void
proctitle_init(int argc, char **argv)
{
	char *start, *end;

	if (argc < 1 || argv[0] == NULL)
		return;
	start = argv[0];
	end = proctitle_area_end(argc, argv);
	if (proctitle_move_environ() != 0)
		return;
	for (int i = 0; i < argc; i++)
		if ((argv[i] = strdup(argv[i])) == NULL)
			return;
	proctitle_area = start;
	proctitle_size = (size_t)(end - start);
}

void
proctitle_set(const char *title, const char *comm)
{
	size_t n = strlen(title);

	if (comm != NULL)
		(void)prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (proctitle_area == NULL || proctitle_size < 2)
		return;
	if (n > proctitle_size - 1)
		n = proctitle_size - 1;
	memcpy(proctitle_area, title, n);
	memset(proctitle_area + n, 0, proctitle_size - n);
}
