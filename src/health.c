/*
 * health - encode and decode the health-pipe record.
 *
 * Wire layout (big-endian, HEALTH_RECORD_SIZE bytes):
 *
 *   0  u16 magic "PF"     2  u8 version      3  u8 state
 *   4  u32 pid            8  u32 cookie     12  u32 generation
 *  16  u32 seq           20  u8 reason      21  u8 client family
 *  22  u16 client port   24  u64 time_ms    32  u64 busy_since_ms
 *  40  u64 served        48  16 bytes client address
 *  64  u8 role           65  3 zero bytes   68  u32 held
 *  72  u32 held_reading  76  u32 held_sending      80  u64 parked
 *  88  u64 shed
 *
 * Pure functions: no syscalls, no allocation, no logging.  Decoding checks
 * length, magic, version, state and role; everything else is data the reader
 * (the master's scoreboard) judges against what it knows.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "health.h"
#include "wire.h"

_Static_assert(HEALTH_RECORD_SIZE <= 512, "a record must fit in PIPE_BUF");

void
health_encode(const struct health_record *r, uint8_t out[HEALTH_RECORD_SIZE])
{
	memset(out, 0, HEALTH_RECORD_SIZE);
	wire_put16(out, HEALTH_MAGIC);
	out[2] = HEALTH_VERSION;
	out[3] = r->state;
	wire_put32(out + 4, r->pid);
	wire_put32(out + 8, r->cookie);
	wire_put32(out + 12, r->generation);
	wire_put32(out + 16, r->seq);
	out[20] = r->reason;
	out[21] = r->client.family;
	wire_put16(out + 22, r->client.port);
	wire_put64(out + 24, r->time_ms);
	wire_put64(out + 32, r->busy_since_ms);
	wire_put64(out + 40, r->served);
	memcpy(out + 48, r->client.addr, sizeof(r->client.addr));
	out[64] = r->role;
	wire_put32(out + 68, r->held);
	wire_put32(out + 72, r->held_reading);
	wire_put32(out + 76, r->held_sending);
	wire_put64(out + 80, r->parked);
	wire_put64(out + 88, r->shed);
}

enum health_decode_status
health_decode(const uint8_t *buf, size_t len, struct health_record *r)
{
	memset(r, 0, sizeof(*r));
	if (len < HEALTH_RECORD_SIZE)
		return HEALTH_DECODE_SHORT;
	if (wire_get16(buf) != HEALTH_MAGIC)
		return HEALTH_DECODE_BAD_MAGIC;
	if (buf[2] != HEALTH_VERSION)
		return HEALTH_DECODE_BAD_VERSION;
	if (buf[3] < HEALTH_READY || buf[3] > HEALTH_EXITING)
		return HEALTH_DECODE_BAD_STATE;
	if (buf[64] != HEALTH_ROLE_WORKER && buf[64] != HEALTH_ROLE_PARKER)
		return HEALTH_DECODE_BAD_ROLE;
	r->version = buf[2];
	r->state = buf[3];
	r->pid = wire_get32(buf + 4);
	r->cookie = wire_get32(buf + 8);
	r->generation = wire_get32(buf + 12);
	r->seq = wire_get32(buf + 16);
	r->reason = buf[20];
	r->client.family = buf[21];
	r->client.port = wire_get16(buf + 22);
	r->time_ms = wire_get64(buf + 24);
	r->busy_since_ms = wire_get64(buf + 32);
	r->served = wire_get64(buf + 40);
	memcpy(r->client.addr, buf + 48, sizeof(r->client.addr));
	r->role = buf[64];
	r->held = wire_get32(buf + 68);
	r->held_reading = wire_get32(buf + 72);
	r->held_sending = wire_get32(buf + 76);
	r->parked = wire_get64(buf + 80);
	r->shed = wire_get64(buf + 88);
	return HEALTH_DECODE_OK;
}

size_t
health_resync(const uint8_t *buf, size_t len)
{
	static const uint8_t head[3] = { HEALTH_MAGIC >> 8, HEALTH_MAGIC & 0xff,
	    HEALTH_VERSION };

	for (size_t i = 1; i < len; i++) {
		size_t n = len - i < sizeof(head) ? len - i : sizeof(head);

		if (memcmp(buf + i, head, n) == 0)
			return i;
	}
	return len;
}

const char *
health_decode_strerror(enum health_decode_status st)
{
	switch (st) {
	case HEALTH_DECODE_OK:		return "ok";
	case HEALTH_DECODE_SHORT:	return "short record";
	case HEALTH_DECODE_BAD_MAGIC:	return "bad magic";
	case HEALTH_DECODE_BAD_VERSION:	return "unknown version";
	case HEALTH_DECODE_BAD_STATE:	return "unknown state";
	case HEALTH_DECODE_BAD_ROLE:	return "unknown role";
	}
	return "unknown error";
}

const char *
health_state_name(enum health_state st)
{
	switch (st) {
	case HEALTH_READY:	return "ready";
	case HEALTH_BUSY:	return "busy";
	case HEALTH_IDLE:	return "idle";
	case HEALTH_EXITING:	return "exiting";
	}
	return "unknown";
}

const char *
health_exit_reason_name(enum health_exit_reason reason)
{
	switch (reason) {
	case HEALTH_EXIT_NONE:		return "none";
	case HEALTH_EXIT_STOP:		return "stop requested";
	case HEALTH_EXIT_MAX_REQUESTS:	return "max_requests reached";
	case HEALTH_EXIT_LIFELINE:	return "master gone";
	case HEALTH_EXIT_ERROR:		return "error";
	}
	return "unknown";
}

void
health_client_set(struct health_client *hc, const struct sockaddr *sa)
{
	memset(hc, 0, sizeof(*hc));
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;
		hc->family = AF_INET;
		hc->port = ntohs(sin->sin_port);
		memcpy(hc->addr, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;
		hc->family = AF_INET6;
		hc->port = ntohs(sin6->sin6_port);
		memcpy(hc->addr, &sin6->sin6_addr, 16);
	}
}

/* hc as a sockaddr in ss; its length, or 0 for no client. */
static socklen_t
health_client_sockaddr(const struct health_client *hc,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (hc->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(hc->port);
		memcpy(&sin->sin_addr, hc->addr, 4);
		return sizeof(*sin);
	}
	if (hc->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(hc->port);
		memcpy(&sin6->sin6_addr, hc->addr, 16);
		return sizeof(*sin6);
	}
	return 0;
}

void
health_client_format(const struct health_client *hc, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = health_client_sockaddr(hc, &ss);

	if (sslen == 0)
		snprintf(buf, len, "-");
	else
		addr_format((const struct sockaddr *)&ss, sslen, buf, len);
}

unsigned
health_client_host(const struct health_client *hc, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = health_client_sockaddr(hc, &ss);

	if (sslen == 0) {
		snprintf(buf, len, "-");
		return 0;
	}
	return addr_host((const struct sockaddr *)&ss, sslen, buf, len);
}
