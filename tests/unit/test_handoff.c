/*
 * test_handoff - the message of a connection in passage: the codec, and
 * the passage itself over a real socket pair.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "handoff.h"

static const char partial[] = "GET /slow HTTP/1.1\r\nHost: x\r\nX-A: b";
static const char rest[] = "o the response that is left";

static struct handoff
sample(int family)
{
	struct handoff h;
	struct sockaddr_in *sin = (struct sockaddr_in *)&h.peer;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&h.peer;

	memset(&h, 0, sizeof(h));
	h.kind = HANDOFF_READING;
	h.service = 2;
	h.units = 7;
	h.deadline_ms = 0x0102030405060708ull;
	h.start_ms = 123456789;
	h.unit_start_us = 987654321012ull;
	h.bytes_in = 1ull << 40;
	h.bytes_out = (1ull << 41) + 3;
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(40312);
		inet_pton(AF_INET, "192.0.2.7", &sin->sin_addr);
		h.peer_len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(443);
		inet_pton(AF_INET6, "fe80::1", &sin6->sin6_addr);
		sin6->sin6_scope_id = 3;
		h.peer_len = sizeof(*sin6);
	}
	h.data = (const uint8_t *)partial;
	h.data_len = sizeof(partial) - 1;
	return h;
}

/* The whole message of h in buf: head then data; its length. */
static size_t
message(const struct handoff *h, uint8_t *buf, size_t cap)
{
	assert_true(cap >= HANDOFF_HEAD_SIZE + h->data_len + h->out_len);
	assert_int_equal(handoff_encode(h, buf), 0);
	memcpy(buf + HANDOFF_HEAD_SIZE, h->data, h->data_len);
	if (h->out_len > 0)
		memcpy(buf + HANDOFF_HEAD_SIZE + h->data_len, h->out,
		    h->out_len);
	return HANDOFF_HEAD_SIZE + h->data_len + h->out_len;
}

static void
assert_same(const struct handoff *a, const struct handoff *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->service, b->service);
	assert_int_equal(a->units, b->units);
	assert_true(a->deadline_ms == b->deadline_ms);
	assert_true(a->start_ms == b->start_ms);
	assert_true(a->unit_start_us == b->unit_start_us);
	assert_true(a->bytes_in == b->bytes_in);
	assert_true(a->bytes_out == b->bytes_out);
	assert_int_equal(a->peer_len, b->peer_len);
	assert_memory_equal(&a->peer, &b->peer, a->peer_len);
	assert_int_equal(a->data_len, b->data_len);
	assert_memory_equal(a->data, b->data, a->data_len);
	assert_int_equal(a->out_len, b->out_len);
	if (a->out_len > 0)
		assert_memory_equal(a->out, b->out, a->out_len);
	assert_int_equal(a->has_file, b->has_file);
	assert_true(a->file_offset == b->file_offset);
	assert_true(a->file_len == b->file_len);
	assert_true(a->out_mark == b->out_mark);
	assert_int_equal(a->reply_status, b->reply_status);
	assert_int_equal(a->reply_flags, b->reply_flags);
}

/* A response that waits for its client: sample() with what is left. */
static struct handoff
sending(void)
{
	struct handoff h = sample(AF_INET6);

	h.kind = HANDOFF_SENDING;
	h.out = (const uint8_t *)rest;
	h.out_len = sizeof(rest) - 1;
	h.has_file = 1;
	h.file_offset = (1ull << 33) + 5;
	h.file_len = 0x0a0b0c0d0e0full;
	h.out_mark = 4242;
	h.reply_status = 206;
	h.reply_flags = HANDOFF_REPLY_KEEP | HANDOFF_REPLY_PEER_DONE;
	return h;
}

static void
test_handoff_round_trip_keeps_every_field_ipv4_and_ipv6(void **state)
{
	uint8_t buf[512];
	int families[] = { AF_INET, AF_INET6 };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct handoff in = sample(families[i]), out;
		size_t len = message(&in, buf, sizeof(buf));

		assert_int_equal(handoff_decode(buf, len, &out),
		    HANDOFF_DECODE_OK);
		assert_same(&in, &out);
		/* The data is not copied: it points into the message. */
		assert_ptr_equal(out.data, buf + HANDOFF_HEAD_SIZE);
	}
}

static void
test_handoff_round_trip_keeps_a_waiting_response(void **state)
{
	struct handoff in = sending(), out;
	uint8_t buf[512];
	size_t len = message(&in, buf, sizeof(buf));

	(void)state;
	assert_int_equal(handoff_decode(buf, len, &out), HANDOFF_DECODE_OK);
	assert_same(&in, &out);
	/* The response's bytes follow the request's. */
	assert_ptr_equal(out.out, buf + HANDOFF_HEAD_SIZE + in.data_len);
}

static void
test_handoff_without_a_peer_or_data_round_trips(void **state)
{
	struct handoff in = sample(AF_INET), out;
	uint8_t buf[HANDOFF_HEAD_SIZE];

	(void)state;
	memset(&in.peer, 0, sizeof(in.peer));
	in.peer_len = 0;
	in.kind = HANDOFF_IDLE;
	in.data = NULL;
	in.data_len = 0;
	assert_int_equal(handoff_encode(&in, buf), 0);
	assert_int_equal(handoff_decode(buf, sizeof(buf), &out),
	    HANDOFF_DECODE_OK);
	assert_int_equal(out.peer_len, 0);
	assert_int_equal(out.kind, HANDOFF_IDLE);
	assert_int_equal(out.data_len, 0);
}

/* A lingering close carries only when its drain ends. */
static void
test_handoff_round_trip_keeps_a_closing_connection(void **state)
{
	struct handoff in = sample(AF_INET6), out;
	uint8_t buf[HANDOFF_HEAD_SIZE];

	(void)state;
	in.kind = HANDOFF_CLOSING;
	in.data = NULL;
	in.data_len = 0;
	in.deadline_ms = 123456789;
	assert_int_equal(handoff_encode(&in, buf), 0);
	assert_int_equal(handoff_decode(buf, sizeof(buf), &out),
	    HANDOFF_DECODE_OK);
	assert_int_equal(out.kind, HANDOFF_CLOSING);
	assert_int_equal(out.deadline_ms, 123456789);
	assert_int_equal(out.data_len, 0);
	assert_int_equal(out.out_len, 0);
	assert_int_equal(out.has_file, 0);
}

static void
test_handoff_is_big_endian_with_its_magic(void **state)
{
	struct handoff in = sample(AF_INET);
	uint8_t buf[HANDOFF_HEAD_SIZE];

	(void)state;
	assert_int_equal(handoff_encode(&in, buf), 0);
	assert_int_equal(buf[0], 'P');
	assert_int_equal(buf[1], 'H');
	assert_int_equal(buf[16], 0x01);	/* deadline, first byte */
	assert_int_equal(buf[23], 0x08);
}

static void
test_handoff_encode_refuses_data_beyond_the_limit(void **state)
{
	struct handoff in = sample(AF_INET);
	uint8_t buf[HANDOFF_HEAD_SIZE];

	(void)state;
	in.data_len = HANDOFF_DATA_MAX + 1;
	assert_int_equal(handoff_encode(&in, buf), -1);
	in.data_len = HANDOFF_DATA_MAX;
	assert_int_equal(handoff_encode(&in, buf), 0);
	in.out_len = HANDOFF_OUT_MAX + 1;
	assert_int_equal(handoff_encode(&in, buf), -1);
	in.out_len = HANDOFF_OUT_MAX;
	assert_int_equal(handoff_encode(&in, buf), 0);
}

static void
test_handoff_decode_rejects_what_is_not_a_whole_message(void **state)
{
	struct handoff in = sample(AF_INET6), out;
	uint8_t buf[512], bad[512];
	size_t len;

	(void)state;
	len = message(&in, buf, sizeof(buf));
	assert_int_equal(handoff_decode(buf, HANDOFF_HEAD_SIZE - 1, &out),
	    HANDOFF_DECODE_SHORT);
	assert_int_equal(handoff_decode(buf, len - 1, &out),
	    HANDOFF_DECODE_SHORT);
	memcpy(bad, buf, len);
	bad[len] = 'x';
	assert_int_equal(handoff_decode(bad, len + 1, &out),
	    HANDOFF_DECODE_BAD_LENGTH);
	memcpy(bad, buf, len);
	bad[0] = 'Q';
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_MAGIC);
	memcpy(bad, buf, len);
	bad[2] = HANDOFF_VERSION + 1;
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_VERSION);
	memcpy(bad, buf, len);
	bad[3] = 0;
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_KIND);
	memcpy(bad, buf, len);
	bad[5] = AF_UNIX;
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_PEER);
	memcpy(bad, buf, len);
	bad[12] = 0x7f;		/* a data length of about 2 GB */
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_LENGTH);
	memcpy(bad, buf, len);
	bad[3] = HANDOFF_CLOSING + 1;
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_KIND);
	memcpy(bad, buf, len);
	bad[107] = 2;		/* has_file is 0 or 1 */
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_KIND);
	memcpy(bad, buf, len);
	bad[76] = 0x7f;		/* an out length of about 2 GB */
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_BAD_LENGTH);
	/* An out length that claims bytes the message does not have. */
	memcpy(bad, buf, len);
	bad[79] = 1;
	assert_int_equal(handoff_decode(bad, len, &out),
	    HANDOFF_DECODE_SHORT);
}

static int
channel(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv);
}

static void
test_handoff_send_and_recv_carry_the_message_and_the_descriptor(
    void **state)
{
	struct handoff in = sample(AF_INET), out;
	uint8_t head[HANDOFF_HEAD_SIZE], buf[HANDOFF_MAX];
	struct handoff_part parts[2] = {
		{ head, sizeof(head) }, { in.data, in.data_len },
	};
	int sv[2], p[2], fd = -1, file_fd = 7;
	ssize_t n;
	char c = 0;

	(void)state;
	assert_int_equal(channel(sv), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(handoff_encode(&in, head), 0);
	assert_int_equal(handoff_send(sv[0], parts, 2, p[0], -1), 0);
	n = handoff_recv(sv[1], buf, sizeof(buf), &fd, &file_fd);
	assert_int_equal(n, HANDOFF_HEAD_SIZE + in.data_len);
	assert_int_equal(file_fd, -1);
	assert_int_equal(handoff_decode(buf, (size_t)n, &out),
	    HANDOFF_DECODE_OK);
	assert_same(&in, &out);
	/* The descriptor is the same pipe, close-on-exec. */
	assert_true(fd >= 0 && fd != p[0]);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(p[1], "z", 1), 1);
	assert_int_equal(read(fd, &c, 1), 1);
	assert_int_equal(c, 'z');
	/* Nothing more: EAGAIN, never a block. */
	assert_int_equal(handoff_recv(sv[1], buf, sizeof(buf), &fd,
	    &file_fd), -1);
	assert_int_equal(errno, EAGAIN);
	close(fd);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_handoff_send_and_recv_carry_a_response_and_its_file(void **state)
{
	struct handoff in = sending(), out;
	uint8_t head[HANDOFF_HEAD_SIZE], buf[HANDOFF_MAX];
	/* The response's bytes in two parts: they arrive as one. */
	struct handoff_part parts[4] = {
		{ head, sizeof(head) }, { in.data, in.data_len },
		{ rest, 10 }, { rest + 10, sizeof(rest) - 1 - 10 },
	};
	int sv[2], conn[2], file[2], fd = -1, file_fd = -1;
	ssize_t n;
	char c = 0;

	(void)state;
	assert_int_equal(channel(sv), 0);
	assert_int_equal(pipe(conn), 0);
	assert_int_equal(pipe(file), 0);
	assert_int_equal(handoff_encode(&in, head), 0);
	assert_int_equal(handoff_send(sv[0], parts, 4, conn[0], file[0]), 0);
	n = handoff_recv(sv[1], buf, sizeof(buf), &fd, &file_fd);
	assert_int_equal(n, HANDOFF_HEAD_SIZE + in.data_len + in.out_len);
	assert_int_equal(handoff_decode(buf, (size_t)n, &out),
	    HANDOFF_DECODE_OK);
	assert_same(&in, &out);
	/* Two descriptors, in order: the connection's, then the file's. */
	assert_true(fd >= 0 && file_fd >= 0 && fd != file_fd);
	assert_int_equal(write(file[1], "f", 1), 1);
	assert_int_equal(read(file_fd, &c, 1), 1);
	assert_int_equal(c, 'f');
	assert_int_equal(write(conn[1], "c", 1), 1);
	assert_int_equal(read(fd, &c, 1), 1);
	assert_int_equal(c, 'c');
	close(fd);
	close(file_fd);
	close(conn[0]);
	close(conn[1]);
	close(file[0]);
	close(file[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_handoff_recv_drops_a_message_without_a_descriptor(void **state)
{
	uint8_t buf[HANDOFF_MAX];
	int sv[2], fd = 5, file_fd = 5;

	(void)state;
	assert_int_equal(channel(sv), 0);
	assert_int_equal(send(sv[0], "hello", 5, 0), 5);
	assert_int_equal(handoff_recv(sv[1], buf, sizeof(buf), &fd, &file_fd),
	    -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(fd, -1);
	assert_int_equal(file_fd, -1);
	close(sv[0]);
	close(sv[1]);
}

static void
test_handoff_recv_closes_what_came_with_three_descriptors(void **state)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(3 * sizeof(int))];
	} ctl;
	uint8_t buf[HANDOFF_MAX];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	int sv[2], p[2], fds[3], fd = 5, file_fd = 5;

	(void)state;
	assert_int_equal(channel(sv), 0);
	assert_int_equal(pipe(p), 0);
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(3 * sizeof(int));
	fds[0] = p[1];
	fds[1] = p[1];
	fds[2] = p[1];
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 1);
	close(p[1]);
	assert_int_equal(handoff_recv(sv[1], buf, sizeof(buf), &fd, &file_fd),
	    -1);
	assert_int_equal(errno, EBADMSG);
	/* All copies of the write end were closed: the pipe reads EOF. */
	assert_int_equal(read(p[0], buf, 1), 0);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_handoff_recv_says_eof_once_no_sender_is_left(void **state)
{
	uint8_t buf[HANDOFF_MAX];
	int sv[2], fd = 5, file_fd = 5;

	(void)state;
	assert_int_equal(channel(sv), 0);
	close(sv[0]);
	assert_int_equal(handoff_recv(sv[1], buf, sizeof(buf), &fd, &file_fd),
	    0);
	assert_int_equal(fd, -1);
	close(sv[1]);
}

static void
test_handoff_send_says_epipe_when_nobody_is_at_the_other_end(void **state)
{
	uint8_t head[HANDOFF_HEAD_SIZE] = { 0 };
	const struct handoff_part part = { head, sizeof(head) };
	int sv[2];

	(void)state;
	assert_int_equal(channel(sv), 0);
	close(sv[1]);
	assert_int_equal(handoff_send(sv[0], &part, 1, 0, -1), -1);
	assert_int_equal(errno, EPIPE);
	close(sv[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_handoff_round_trip_keeps_every_field_ipv4_and_ipv6),
		cmocka_unit_test(
		    test_handoff_round_trip_keeps_a_waiting_response),
		cmocka_unit_test(
		    test_handoff_without_a_peer_or_data_round_trips),
		cmocka_unit_test(
		    test_handoff_round_trip_keeps_a_closing_connection),
		cmocka_unit_test(test_handoff_is_big_endian_with_its_magic),
		cmocka_unit_test(
		    test_handoff_encode_refuses_data_beyond_the_limit),
		cmocka_unit_test(
		    test_handoff_decode_rejects_what_is_not_a_whole_message),
		cmocka_unit_test(
		    test_handoff_send_and_recv_carry_the_message_and_the_descriptor),
		cmocka_unit_test(
		    test_handoff_send_and_recv_carry_a_response_and_its_file),
		cmocka_unit_test(
		    test_handoff_recv_drops_a_message_without_a_descriptor),
		cmocka_unit_test(
		    test_handoff_recv_closes_what_came_with_three_descriptors),
		cmocka_unit_test(
		    test_handoff_recv_says_eof_once_no_sender_is_left),
		cmocka_unit_test(
		    test_handoff_send_says_epipe_when_nobody_is_at_the_other_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
