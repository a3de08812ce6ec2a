/*
 * fault - the test switch for startup faults (see fault.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"

void
fault_announce(void)
{
	const char *path = getenv(FAULT_ENV);

	if (path != NULL && *path != '\0')
		log_warning("%s=%s: workers fail at startup while that file "
		    "exists (a test switch)", FAULT_ENV, path);
}

enum fault_start
fault_worker_start(void)
{
	const char *path = getenv(FAULT_ENV);
	char head[4] = { 0 };
	FILE *fp;

	if (path == NULL || *path == '\0' || (fp = fopen(path, "re")) == NULL)
		return FAULT_START_OK;
	if (fread(head, 1, sizeof(head), fp) != sizeof(head))
		head[0] = '\0';
	(void)fclose(fp);
	return memcmp(head, "hang", sizeof(head)) == 0 ? FAULT_START_HANG :
	    FAULT_START_EXIT;
}
