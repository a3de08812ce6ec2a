/*
 * health - the record a worker writes on the health pipe, and its codec.
 *
 * A record is HEALTH_RECORD_SIZE bytes, far below PIPE_BUF, so each write of
 * one record to the pipe is atomic and a reader never sees half of one.  The
 * wire form is explicit big-endian, versioned and tagged with a magic, so a
 * record is never confused with stray bytes.  Encode and decode are pure:
 * no syscalls, no allocation.  Decoding treats the bytes as untrusted.
 */
#ifndef PREFORKD_HEALTH_H
#define PREFORKD_HEALTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define HEALTH_MAGIC		0x5046u		/* "PF" */
#define HEALTH_VERSION		2
#define HEALTH_RECORD_SIZE	96

enum health_state {
	HEALTH_READY = 1,	/* started, about to accept */
	HEALTH_BUSY = 2,	/* serving a client */
	HEALTH_IDLE = 3,	/* done with a client, back to accept */
	HEALTH_EXITING = 4,	/* leaving, for the reason given */
};

/* Who writes the record: a worker, or the parker (park.h), which holds
 * the connections that wait for their client while the workers serve. */
enum health_role {
	HEALTH_ROLE_WORKER = 1,
	HEALTH_ROLE_PARKER = 2,
};

enum health_exit_reason {
	HEALTH_EXIT_NONE = 0,
	HEALTH_EXIT_STOP = 1,		/* told to stop */
	HEALTH_EXIT_MAX_REQUESTS = 2,	/* recycled after max_requests */
	HEALTH_EXIT_LIFELINE = 3,	/* the master went away */
	HEALTH_EXIT_ERROR = 4,		/* cannot go on (see the log) */
};

/* A client address without the sockaddr baggage. */
struct health_client {
	uint8_t family;		/* AF_INET, AF_INET6, or 0: none */
	uint16_t port;		/* host order */
	uint8_t addr[16];	/* IPv4 in the first 4 bytes */
};

struct health_record {
	uint8_t version;
	uint8_t state;		/* enum health_state */
	uint8_t reason;		/* enum health_exit_reason, for EXITING */
	uint32_t pid;
	uint32_t cookie;	/* unique per spawn: tells a reused pid apart */
	uint32_t generation;	/* configuration generation of the worker */
	uint32_t seq;		/* per worker, +1 for each record */
	uint64_t time_ms;	/* CLOCK_MONOTONIC when written */
	uint64_t busy_since_ms;	/* start of the current connection, or 0 */
	uint64_t served;	/* worker: connections it finished; parker:
				   connections it handed back to the workers */
	struct health_client client;
	uint8_t role;		/* enum health_role */
	uint32_t held;		/* parker: connections it holds now */
	uint32_t held_reading;	/* parker: of which part of a request came */
	uint32_t held_sending;	/* parker: of which wait to read a response */
	uint64_t parked;	/* worker: connections it gave the parker;
				   parker: connections it took in */
	uint64_t shed;		/* worker: responses cut, the client reading
				   too slowly while others waited; parker:
				   connections closed because it was full */
};

enum health_decode_status {
	HEALTH_DECODE_OK = 0,
	HEALTH_DECODE_SHORT,		/* fewer bytes than a record */
	HEALTH_DECODE_BAD_MAGIC,
	HEALTH_DECODE_BAD_VERSION,
	HEALTH_DECODE_BAD_STATE,
	HEALTH_DECODE_BAD_ROLE,
};

void health_encode(const struct health_record *r,
    uint8_t out[HEALTH_RECORD_SIZE]);
enum health_decode_status health_decode(const uint8_t *buf, size_t len,
    struct health_record *r);
const char *health_decode_strerror(enum health_decode_status st);

/*
 * Where a record may begin again after bytes that are none: the offset
 * of the first "PF" and version byte at or after 1 in buf[0..len) (a
 * prefix of them at the very end counts: the rest may follow), or len.
 * With it a reader that met a stray byte finds the records again instead
 * of reading every later one out of step.  Pure.
 */
size_t health_resync(const uint8_t *buf, size_t len);

const char *health_state_name(enum health_state st);
const char *health_exit_reason_name(enum health_exit_reason reason);

/* From a peer address; an unknown family gives family 0. */
void health_client_set(struct health_client *hc, const struct sockaddr *sa);
/* As addr_format(), or "-" when there is no client. */
void health_client_format(const struct health_client *hc, char *buf,
    size_t len);
/* The address alone ("-" for none) into buf; the port (0 for none). */
unsigned health_client_host(const struct health_client *hc, char *buf,
    size_t len);

#endif
