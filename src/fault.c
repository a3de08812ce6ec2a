/*
 * fault - the test switch for startup faults (see fault.h).
 */
#include "config.h"

#include <stdlib.h>
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

bool
fault_worker_start(void)
{
	const char *path = getenv(FAULT_ENV);

	return path != NULL && *path != '\0' && access(path, F_OK) == 0;
}
