/*
 * echo_libev: C libev echo server for the echo anchors.
 *
 *   echo_libev 127.0.0.1:7005
 *
 * One level-triggered ev_io per connection; on readability it reads into one
 * buffer shared by all connections and writes back at once. Only when the
 * kernel takes less than everything is the rest copied into the
 * connection's own storage, reading paused and the watcher switched to
 * writability until it is flushed.
 *
 * Build: gcc -O2 -o echo_libev echo_libev.c -lev
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
	ev_io io;
	char *rest;     /* unsent bytes, malloc'd; NULL when all was sent */
	size_t restlen; /* bytes at rest not yet written */
	size_t restoff; /* bytes of rest already written */
};

static char shared[65536];

static void conn_close(struct ev_loop *loop, struct conn *c)
{
	ev_io_stop(loop, &c->io);
	close(c->io.fd);
	free(c->rest);
	free(c);
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = (struct conn *)w;
	(void)revents;
	if (c->rest) {
		ssize_t n = write(w->fd, c->rest + c->restoff, c->restlen - c->restoff);
		if (n < 0) {
			if (errno != EAGAIN)
				conn_close(loop, c);
			return;
		}
		c->restoff += n;
		if (c->restoff < c->restlen)
			return;
		free(c->rest);
		c->rest = NULL;
		ev_io_stop(loop, w);
		ev_io_set(w, w->fd, EV_READ);
		ev_io_start(loop, w);
		return;
	}
	ssize_t n = read(w->fd, shared, sizeof shared);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		conn_close(loop, c);
		return;
	}
	ssize_t m = write(w->fd, shared, n);
	if (m < 0) {
		if (errno != EAGAIN) {
			conn_close(loop, c);
			return;
		}
		m = 0;
	}
	if (m == n)
		return;
	c->restlen = n - m;
	c->restoff = 0;
	c->rest = malloc(c->restlen);
	if (!c->rest) {
		conn_close(loop, c);
		return;
	}
	memcpy(c->rest, shared + m, c->restlen);
	ev_io_stop(loop, w);
	ev_io_set(w, w->fd, EV_WRITE);
	ev_io_start(loop, w);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	for (;;) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				perror("accept4");
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		ev_io_init(&c->io, conn_cb, fd, EV_READ);
		ev_io_start(loop, &c->io);
	}
}

/* listen_on parses HOST:PORT and returns a non-blocking listening socket. */
static int listen_on(const char *hostport)
{
	char host[64];
	const char *colon = strrchr(hostport, ':');
	if (!colon || colon - hostport >= (long)sizeof host) {
		fprintf(stderr, "bad address %s\n", hostport);
		exit(2);
	}
	memcpy(host, hostport, colon - hostport);
	host[colon - hostport] = 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "bad host %s\n", host);
		exit(2);
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4096) < 0) {
		perror("listen");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s HOST:PORT\n", argv[0]);
		return 2;
	}
	struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);
	ev_io lw;
	ev_io_init(&lw, accept_cb, listen_on(argv[1]), EV_READ);
	ev_io_start(loop, &lw);
	ev_run(loop, 0);
	return 0;
}
