/*
 * service - the table of services: name to handler and site.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "service.h"

static const struct service services[] = {
	{ "echo", NULL, NULL, NULL, echo_handle },
	{ "http", http_open_site, http_close_site, http_check_site,
	    http_handle },
};

const struct service *
service_find(const char *name)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].name, name) == 0)
			return &services[i];
	return NULL;
}

unsigned
service_number(const struct service *svc)
{
	return (unsigned)(svc - services) + 1;
}

const struct service *
service_by_number(unsigned n)
{
	if (n == 0 || n > sizeof(services) / sizeof(services[0]))
		return NULL;
	return &services[n - 1];
}

const char *
service_names(void)
{
	static char names[64];

	if (names[0] == '\0')
		for (size_t i = 0; i < sizeof(services) / sizeof(services[0]);
		    i++)
			snprintf(names + strlen(names),
			    sizeof(names) - strlen(names), "%s%s",
			    i > 0 ? ", " : "", services[i].name);
	return names;
}

int
service_open_site(const struct service *svc, const struct conf *cf,
    void **site, char *err, size_t errlen)
{
	*site = NULL;
	if (svc->open_site == NULL)
		return 0;
	return svc->open_site(cf, site, err, errlen);
}

void
service_close_site(const struct service *svc, void *site)
{
	if (svc->close_site != NULL && site != NULL)
		svc->close_site(site);
}

int
service_check_site(const struct service *svc, const struct conf *cf,
    void *site, char *err, size_t errlen)
{
	if (svc->check_site == NULL || site == NULL)
		return 0;
	return svc->check_site(cf, site, err, errlen);
}
