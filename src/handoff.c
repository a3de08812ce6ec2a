/*
 * handoff - the message of a connection in passage, and its passage.
 *
 * Wire layout (big-endian, HANDOFF_HEAD_SIZE bytes, then the data):
 *
 *   0  u16 magic "PH"    2  u8 version      3  u8 kind
 *   4  u8 service        5  u8 peer family  6  u16 peer port
 *   8  u32 units        12  u32 data length
 *  16  u64 deadline_ms  24  u64 start_ms    32  u64 unit_start_us
 *  40  u64 bytes_in     48  u64 bytes_out   56  16 bytes peer address
 *  72  u32 IPv6 scope   76  u32 out length
 *  80  u64 file_offset  88  u64 file_len    96  u64 out_mark
 * 104  u16 reply_status 106 u8 reply_flags 107 u8 has_file  108 u32 zero
 *
 * then data (the request, data length bytes), then out (the response's
 * bytes still to send, out length bytes).
 *
 * The encoder (of the head; the data follows it) and the decoder (of a
 * whole message) are pure.  The two transfer functions are thin
 * wrappers of sendmsg and recvmsg; they never log.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handoff.h"
#include "wire.h"

_Static_assert(HANDOFF_HEAD_SIZE >= 112, "the head holds every field");

static void
handoff_put_peer(const struct handoff *h, uint8_t *out)
{
	const struct sockaddr_in *sin = (const void *)&h->peer;
	const struct sockaddr_in6 *sin6 = (const void *)&h->peer;

	if (h->peer.ss_family == AF_INET &&
	    h->peer_len >= sizeof(struct sockaddr_in)) {
		out[5] = AF_INET;
		memcpy(out + 6, &sin->sin_port, 2);	/* network order */
		memcpy(out + 56, &sin->sin_addr, 4);
	} else if (h->peer.ss_family == AF_INET6 &&
	    h->peer_len >= sizeof(struct sockaddr_in6)) {
		out[5] = AF_INET6;
		memcpy(out + 6, &sin6->sin6_port, 2);
		memcpy(out + 56, &sin6->sin6_addr, 16);
		wire_put32(out + 72, sin6->sin6_scope_id);
	}
}

int
handoff_encode(const struct handoff *h, uint8_t out[HANDOFF_HEAD_SIZE])
{
	if (h->data_len > HANDOFF_DATA_MAX || h->out_len > HANDOFF_OUT_MAX)
		return -1;
	memset(out, 0, HANDOFF_HEAD_SIZE);
	wire_put16(out, HANDOFF_MAGIC);
	out[2] = HANDOFF_VERSION;
	out[3] = h->kind;
	out[4] = h->service;
	handoff_put_peer(h, out);
	wire_put32(out + 8, h->units);
	wire_put32(out + 12, (uint32_t)h->data_len);
	wire_put64(out + 16, h->deadline_ms);
	wire_put64(out + 24, h->start_ms);
	wire_put64(out + 32, h->unit_start_us);
	wire_put64(out + 40, h->bytes_in);
	wire_put64(out + 48, h->bytes_out);
	wire_put32(out + 76, (uint32_t)h->out_len);
	wire_put64(out + 80, h->file_offset);
	wire_put64(out + 88, h->file_len);
	wire_put64(out + 96, h->out_mark);
	wire_put16(out + 104, h->reply_status);
	out[106] = h->reply_flags;
	out[107] = h->has_file ? 1 : 0;
	return 0;
}

/* The peer from the head; -1 for an unknown family. */
static int
handoff_get_peer(const uint8_t *buf, struct handoff *h)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&h->peer;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&h->peer;

	memset(&h->peer, 0, sizeof(h->peer));
	h->peer_len = 0;
	switch (buf[5]) {
	case 0:
		return 0;
	case AF_INET:
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_port, buf + 6, 2);
		memcpy(&sin->sin_addr, buf + 56, 4);
		h->peer_len = sizeof(*sin);
		return 0;
	case AF_INET6:
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_port, buf + 6, 2);
		memcpy(&sin6->sin6_addr, buf + 56, 16);
		sin6->sin6_scope_id = wire_get32(buf + 72);
		h->peer_len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

enum handoff_decode_status
handoff_decode(const uint8_t *buf, size_t len, struct handoff *h)
{
	uint32_t data_len, out_len;

	memset(h, 0, sizeof(*h));
	if (len < HANDOFF_HEAD_SIZE)
		return HANDOFF_DECODE_SHORT;
	if (wire_get16(buf) != HANDOFF_MAGIC)
		return HANDOFF_DECODE_BAD_MAGIC;
	if (buf[2] != HANDOFF_VERSION)
		return HANDOFF_DECODE_BAD_VERSION;
	if (buf[3] < HANDOFF_IDLE || buf[3] > HANDOFF_CLOSING || buf[107] > 1)
		return HANDOFF_DECODE_BAD_KIND;
	if (handoff_get_peer(buf, h) != 0)
		return HANDOFF_DECODE_BAD_PEER;
	data_len = wire_get32(buf + 12);
	out_len = wire_get32(buf + 76);
	if (data_len > HANDOFF_DATA_MAX || out_len > HANDOFF_OUT_MAX)
		return HANDOFF_DECODE_BAD_LENGTH;
	if (len < HANDOFF_HEAD_SIZE + (size_t)data_len + out_len)
		return HANDOFF_DECODE_SHORT;
	if (len > HANDOFF_HEAD_SIZE + (size_t)data_len + out_len)
		return HANDOFF_DECODE_BAD_LENGTH;
	h->kind = buf[3];
	h->service = buf[4];
	h->units = wire_get32(buf + 8);
	h->deadline_ms = wire_get64(buf + 16);
	h->start_ms = wire_get64(buf + 24);
	h->unit_start_us = wire_get64(buf + 32);
	h->bytes_in = wire_get64(buf + 40);
	h->bytes_out = wire_get64(buf + 48);
	h->data = buf + HANDOFF_HEAD_SIZE;
	h->data_len = data_len;
	h->out = h->data + data_len;
	h->out_len = out_len;
	h->file_offset = wire_get64(buf + 80);
	h->file_len = wire_get64(buf + 88);
	h->out_mark = wire_get64(buf + 96);
	h->reply_status = wire_get16(buf + 104);
	h->reply_flags = buf[106];
	h->has_file = buf[107];
	return HANDOFF_DECODE_OK;
}

const char *
handoff_decode_strerror(enum handoff_decode_status st)
{
	switch (st) {
	case HANDOFF_DECODE_OK:		return "ok";
	case HANDOFF_DECODE_SHORT:	return "short message";
	case HANDOFF_DECODE_BAD_MAGIC:	return "bad magic";
	case HANDOFF_DECODE_BAD_VERSION: return "unknown version";
	case HANDOFF_DECODE_BAD_KIND:	return "unknown kind";
	case HANDOFF_DECODE_BAD_PEER:	return "unknown address family";
	case HANDOFF_DECODE_BAD_LENGTH:	return "bad data length";
	}
	return "unknown error";
}

int
handoff_send(int sock, const struct handoff_part *parts, int nparts,
    int fd, int file_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	struct iovec iov[4];
	int fds[2] = { fd, file_fd };
	size_t total = 0;
	struct msghdr mh = {
		.msg_iov = iov,
		.msg_control = ctl.buf,
		.msg_controllen = CMSG_SPACE((file_fd >= 0 ? 2 : 1) * sizeof(int)),
	};
	struct cmsghdr *cm;
	ssize_t n;

	for (int i = 0; i < nparts && i < 4; i++) {
		if (parts[i].len == 0)
			continue;
		iov[mh.msg_iovlen].iov_base = (void *)parts[i].p;
		iov[mh.msg_iovlen++].iov_len = parts[i].len;
		total += parts[i].len;
	}
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN((file_fd >= 0 ? 2 : 1) * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, (file_fd >= 0 ? 2 : 1) * sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != total) {	/* seqpacket: all or nothing */
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* The descriptors that came with mh, at most two kept in fds[]: how
 * many came (the others are closed). */
static int
handoff_take_fds(struct msghdr *mh, int fds[2])
{
	int count = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL;
	    cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int got;

			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (count < 2)
				fds[count] = got;
			else
				(void)close(got);
			count++;
		}
	}
	return count;
}

ssize_t
handoff_recv(int sock, uint8_t *buf, size_t cap, int *fd, int *file_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(3 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	int fds[2] = { -1, -1 }, count;
	ssize_t n;

	*fd = *file_fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	count = handoff_take_fds(&mh, fds);
	if (n == 0 && count == 0)
		return 0;		/* EOF: no sender is left */
	if (count < 1 || count > 2 || n == 0 ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
		for (int i = 0; i < 2 && i < count; i++)
			(void)close(fds[i]);
		errno = EBADMSG;
		return -1;
	}
	*fd = fds[0];
	*file_fd = fds[1];
	return n;
}
