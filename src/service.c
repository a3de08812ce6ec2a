/*
 * service - the table of services: name to handler.
 */
#include "config.h"

#include <string.h>

#include "service.h"

static const struct service services[] = {
	{ "echo", echo_handle },
};

const struct service *
service_find(const char *name)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].name, name) == 0)
			return &services[i];
	return NULL;
}

const char *
service_names(void)
{
	return "echo";
}
