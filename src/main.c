/*
 * main - command line, configuration check, and hand-over to the master.
 *
 * Exit status: 0 clean stop or successful -t; 64 bad command line; 78 bad
 * configuration; 1 any other failure to start (e.g. a port in use).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "listen.h"
#include "log.h"
#include "master.h"
#include "privs.h"
#include "proctitle.h"
#include "service.h"

#define EXIT_USAGE	64	/* EX_USAGE */
#define EXIT_CONFIG	78	/* EX_CONFIG */

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/preforkd/preforkd.conf"

struct options {
	const char *config;
	int check_only;
	struct conf_overrides ov;	/* also applied on reload */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: preforkd [-f FILE] [-t] [-p PORT] [-w N] [-l LEVEL] [-V] [-h]\n"
	    "\n"
	    "  -f, --config FILE      configuration file (default %s)\n"
	    "  -t, --check-config     check the configuration, print it, exit\n"
	    "  -p, --port PORT        listen on PORT (1-65535) instead\n"
	    "  -w, --workers N        run N workers (1-1024) instead\n"
	    "  -l, --log-level LEVEL  err, warning, notice, info or debug\n"
	    "  -V, --version          print the version and exit\n"
	    "  -h, --help             print this help and exit\n"
	    "\n"
	    "Signals: TERM/INT graceful stop, QUIT fast stop, HUP reload,\n"
	    "TTIN/TTOU one worker more/fewer, USR1 log the scoreboard.\n",
	    DEFAULT_CONFIG);
}

/* A whole decimal number in [min, max], or -1. */
static long
parse_number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

static __attribute__((noreturn, format(printf, 1, 2))) void
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "preforkd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_USAGE);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "workers", required_argument, NULL, 'w' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, ":f:tp:w:l:Vh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->config = optarg;
			break;
		case 't':
			o->check_only = 1;
			break;
		case 'p':
			o->ov.port = (int)parse_number(optarg, CONF_PORT_MIN,
			    CONF_PORT_MAX);
			if (o->ov.port < 0)
				bad_usage("-p: \"%s\" is not a port (1-65535)",
				    optarg);
			break;
		case 'w':
			o->ov.workers = (int)parse_number(optarg,
			    CONF_WORKERS_MIN, CONF_WORKERS_MAX);
			if (o->ov.workers < 0)
				bad_usage("-w: \"%s\" is not a worker count "
				    "(1-1024)", optarg);
			break;
		case 'l':
			if ((o->ov.log_level = log_level_parse(optarg)) < 0)
				bad_usage("-l: unknown level \"%s\" (err, "
				    "warning, notice, info, debug)", optarg);
			break;
		case 'V':
			printf("preforkd %s\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		case ':':
			if (optopt != 0)
				bad_usage("option -%c needs a value", optopt);
			bad_usage("option %s needs a value", argv[optind - 1]);
		default:
			if (optopt != 0)
				bad_usage("unknown option -%c", optopt);
			bad_usage("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument \"%s\"", argv[optind]);
}

/* Descriptors 0-2 must be open, or the first socket would become stderr. */
static void
open_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		null = open("/dev/null", O_RDWR);	/* the lowest free: fd */
		if (null != fd)
			exit(EXIT_FAILURE);		/* nowhere to say it */
	}
}

/* The open site, for a check in a child that has become the user. */
struct site_check {
	const struct service *svc;
	const struct conf *cf;
	void *site;
};

static int
check_site_as_user(void *arg, char *err, size_t errlen)
{
	const struct site_check *sc = arg;

	return service_check_site(sc->svc, sc->cf, sc->site, err, errlen);
}

/* What the service needs from the file system (the http root) is there;
 * the master opens it again for good and, once it has become the user it
 * serves as, checks again as that user.  -t (as_user) makes that check
 * now, in a child that has become the user. */
static int
check_site(const struct conf *cf, bool as_user, char *err, size_t errlen)
{
	const struct service *svc = service_find(cf->service);
	struct site_check sc = { svc, cf, NULL };
	int status = 0;

	if (svc == NULL) {
		snprintf(err, errlen, "%s: service %s is not available",
		    cf->path, cf->service);
		return -1;
	}
	if (service_open_site(svc, cf, &sc.site, err, errlen) != 0)
		return -1;
	if (as_user)
		status = privs_check_as_user(cf, check_site_as_user, &sc, err,
		    errlen);
	service_close_site(svc, sc.site);
	return status;
}

/* Loads and checks the file, applies the overrides; exits 78 on error. */
static void
load_config(const struct options *o, struct conf *cf)
{
	char err[1024];

	if (conf_load(o->config, cf, err, sizeof(err)) != 0) {
		log_error("%s", err);
		exit(EXIT_CONFIG);
	}
	if (privs_check(cf, err, sizeof(err)) != 0) {
		log_error("%s: %s", cf->path, err);
		conf_free(cf);
		exit(EXIT_CONFIG);
	}
	if (check_site(cf, o->check_only, err, sizeof(err)) != 0) {
		log_error("%s", err);
		conf_free(cf);
		exit(EXIT_CONFIG);
	}
	conf_override(cf, &o->ov);
}

/* The service manager's sockets if it passed some, else the file's. */
static int
open_listeners(const struct conf *cf, struct listeners *ls, char *err,
    size_t errlen)
{
	char names[512];
	int r = listen_inherit(ls, err, errlen);

	if (r <= 0)
		return r < 0 ? -1 : listen_open(cf, ls, err, errlen);
	listen_names(ls, names, sizeof(names));
	log_notice("socket activation: serving the %zu socket%s the service "
	    "manager passed (%s); port and bind (from %s or -p) are ignored",
	    ls->n, ls->n == 1 ? "" : "s", names, cf->path);
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o = { DEFAULT_CONFIG, 0, { 0, 0, -1 } };
	struct listeners ls = { NULL, 0, false };
	struct conf cf;
	char err[512];
	int status;

	open_std_fds();
	proctitle_init(argc, argv);
	log_init("preforkd");
	parse_options(argc, argv, &o);
	load_config(&o, &cf);
	log_set_level(cf.log_level);
	if (o.check_only) {
		conf_print(&cf, stdout);
		printf("configuration OK\n");
		conf_free(&cf);
		return EXIT_SUCCESS;
	}
	if (privs_check_start(&cf, err, sizeof(err)) != 0) {
		log_error("%s", err);
		conf_free(&cf);
		return EXIT_CONFIG;
	}
	if (open_listeners(&cf, &ls, err, sizeof(err)) != 0) {
		log_error("%s", err);
		listen_close(&ls);
		conf_free(&cf);
		return EXIT_FAILURE;
	}
	proctitle_set("preforkd: master", NULL);
	status = master_run(&cf, &ls, &o.ov);
	listen_close(&ls);
	conf_free(&cf);
	return status;
}
