/*
 * http_libevent: C libevent's evhttp hello-world server for the HTTP
 * anchors: every request gets 200 and "Hello, World!" (text/plain,
 * keep-alive; evhttp adds Date and Content-Length).
 *
 *   http_libevent 127.0.0.1:8005
 *
 * Build: gcc -O2 -o http_libevent http_libevent.c -levent
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hello_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *out = arg;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	evbuffer_add_reference(out, "Hello, World!", 13, NULL, NULL);
	evhttp_send_reply(req, 200, "OK", out);
}

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "127.0.0.1:8005";
	char host[256];
	const char *colon = strrchr(addr, ':');
	if (!colon || (size_t)(colon - addr) >= sizeof host) {
		fprintf(stderr, "usage: %s HOST:PORT\n", argv[0]);
		return 2;
	}
	memcpy(host, addr, colon - addr);
	host[colon - addr] = 0;
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct evbuffer *out = evbuffer_new();
	if (!base || !http || !out) {
		fprintf(stderr, "http_libevent: out of memory\n");
		return 1;
	}
	evhttp_set_gencb(http, hello_cb, out);
	if (!evhttp_bind_socket_with_handle(http, host, atoi(colon + 1))) {
		fprintf(stderr, "http_libevent: cannot listen on %s\n", addr);
		return 1;
	}
	event_base_dispatch(base);
	return 0;
}
