/*
 * reload - re-read the configuration and start a new generation.
 *
 * All or nothing: the file is parsed and checked, the user looked up, the
 * scoreboard given room and the new listeners opened before anything is
 * switched, so an error at any step leaves the running generation exactly
 * as it was.  Sockets whose address did not change are carried over (see
 * listen_reopen), so the kernel's accept queue is never dropped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "master.h"
#include "notify.h"
#include "pool.h"
#include "privs.h"
#include "reload.h"
#include "service.h"
#include "spawn.h"

#define RELOAD_ERR_MAX	1024

/* What cannot change without a restart: say so, keep the running value. */
static void
reload_keep_user(const struct conf *cur, struct conf *next)
{
	char *user;

	if (strcmp(cur->user, next->user) == 0)
		return;
	if ((user = strdup(cur->user)) == NULL)
		return;		/* then the new name stays, unused */
	log_warning("reload: user changed from \"%s\" to \"%s\"; that takes "
	    "a restart, still running as before", cur->user, next->user);
	free(next->user);
	next->user = user;
}

/* The new configuration, checked; -1 when it is refused (logged). */
static int
reload_load(struct master *m, struct conf *next)
{
	char err[RELOAD_ERR_MAX];

	if (conf_load(m->cf->path, next, err, sizeof(err)) != 0) {
		log_error("reload failed: %s; still serving generation %lu "
		    "with the previous configuration", err,
		    (unsigned long)m->score.generation);
		return -1;
	}
	if (privs_check(next, err, sizeof(err)) != 0) {
		log_error("reload failed: %s: %s; still serving generation "
		    "%lu with the previous configuration", next->path, err,
		    (unsigned long)m->score.generation);
		conf_free(next);
		return -1;
	}
	conf_override(next, m->ov);
	reload_keep_user(m->cf, next);
	return 0;
}

/* 0 when generation G+1 is starting; -1 when nothing changed (logged). */
static int
reload_apply(struct master *m, uint64_t now_ms)
{
	struct conf next;
	struct listeners ls;
	const struct service *svc;
	void *site;
	char err[RELOAD_ERR_MAX];

	if (reload_load(m, &next) != 0)
		return -1;
	if ((svc = service_find(next.service)) == NULL) {
		log_error("reload failed: service %s is not available; still "
		    "serving with the previous configuration", next.service);
		conf_free(&next);
		return -1;
	}
	if (score_reserve(&m->score, (size_t)next.workers + 1) != 0) {
		log_error_errno("reload failed: scoreboard");
		conf_free(&next);
		return -1;
	}
	if (service_open_site(svc, &next, &site, err, sizeof(err)) != 0) {
		log_error("reload failed: %s; still serving generation %lu "
		    "with the previous configuration", err,
		    (unsigned long)m->score.generation);
		conf_free(&next);
		return -1;
	}
	if (listen_reopen(&next, m->ls, &m->retired, &ls, err,
	    sizeof(err)) != 0) {
		log_error("reload failed: %s; still serving generation %lu "
		    "with the previous configuration", err,
		    (unsigned long)m->score.generation);
		service_close_site(svc, site);
		conf_free(&next);
		return -1;
	}
	/* Commit: nothing below can fail (the room was reserved). */
	(void)score_reload(&m->score, (size_t)next.workers,
	    next.parker.connections > 0);
	listen_retire(m->ls, &m->retired);
	*m->ls = ls;
	conf_free(m->cf);
	*m->cf = next;
	service_close_site(m->svc, m->site);	/* old workers keep theirs */
	m->svc = svc;
	m->site = site;
	log_set_level(m->cf->log_level);
	spawn_set_cap(m, (unsigned)m->cf->workers, now_ms);
	log_notice("generation %lu: starting %d workers for %s",
	    (unsigned long)m->score.generation, m->cf->workers, svc->name);
	return 0;
}

void
reload_run(struct master *m, uint64_t now_ms)
{
	if (m->phase != MASTER_RUNNING) {
		log_notice("SIGHUP ignored: stopping");
		return;
	}
	log_notice("reloading %s", m->cf->path);
	notify_reloading();
	if (reload_apply(m, now_ms) == 0) {
		/* READY=1 once the new generation serves, or at the latest
		 * when waiting for it stops making sense. */
		m->reload_ready_by = now_ms +
		    (uint64_t)m->cf->timeouts.graceful * 1000;
		return;
	}
	pool_status(m);
	notify_ready(m->status, now_ms);
}

void
reload_check_late(struct master *m, uint64_t now_ms)
{
	if (m->reload_ready_by == 0 || now_ms < m->reload_ready_by)
		return;
	m->reload_ready_by = 0;
	pool_status(m);
	log_warning("reload: generation %lu is not ready after %d s; "
	    "the previous generation still serves (%s)",
	    (unsigned long)m->score.generation, m->cf->timeouts.graceful,
	    m->status);
	notify_ready(m->status, now_ms);
}
