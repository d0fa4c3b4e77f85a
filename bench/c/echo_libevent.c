/*
 * echo_libevent: C libevent echo server for the echo anchors.
 *
 *   echo_libevent 127.0.0.1:7006
 *
 * An evconnlistener and one bufferevent per connection; the read callback
 * moves the whole input buffer to the output buffer (libevent's own way to
 * echo, no copy).
 *
 * Build: gcc -O2 -o echo_libevent echo_libevent.c -levent
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void read_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_add_buffer(bufferevent_get_output(bev), bufferevent_get_input(bev));
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_free(bev);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	(void)sa; (void)salen; (void)arg;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct bufferevent *bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, read_cb, NULL, event_cb, NULL);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s HOST:PORT\n", argv[0]);
		return 2;
	}
	struct sockaddr_storage ss;
	int sslen = sizeof ss;
	if (evutil_parse_sockaddr_port(argv[1], (struct sockaddr *)&ss, &sslen) < 0) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	struct event_base *base = event_base_new();
	struct evconnlistener *l = evconnlistener_new_bind(base, accept_cb, NULL,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 4096, (struct sockaddr *)&ss, sslen);
	if (!l) {
		perror("listen");
		return 1;
	}
	event_base_dispatch(base);
	return 0;
}
