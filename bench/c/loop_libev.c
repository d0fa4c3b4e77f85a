/*
 * loop_libev: the C libev side of bench/cmd/loopbench. Same tests, same
 * parameters, same output format (one line of key=value pairs), so that
 * run.sh can put both in one table.
 *
 *   loop_libev timers N            N one-shot timers, distinct timeouts in (0, 1 s]
 *   loop_libev churn N ACTIVE      N x (start, stop) with ACTIVE other timers armed, median of 7 rounds
 *   loop_libev pingpong N SIZE     N round trips of SIZE bytes over a socketpair
 *   loop_libev post N              N items queued from another thread (mutex + ev_async)
 *   loop_libev async N             N ev_async_send calls from another thread
 *   loop_libev postlat N           wake-up latency of a queued item, N samples ~100 us apart
 *   loop_libev asynclat N          wake-up latency of ev_async_send, N samples ~100 us apart
 *   loop_libev wakestress N        ev_async_send, spin until the callback ran, N times
 *   loop_libev signal N            kill(getpid(), SIGUSR1) from a thread to the ev_signal callback
 *   loop_libev child N STAMP       a child's exit (STAMP = child_stamp) to the ev_child callback
 *
 * Build: gcc -O2 -o loop_libev loop_libev.c -lev -lpthread
 *
 * The timeout sequence is the one of loopbench (seqTimeout in Go): timer i
 * gets ((i * 618033) mod 1000000) + 1 microseconds, a permutation of 1..1e6 us
 * in a scattered order.
 */
#define _GNU_SOURCE
#include <ev.h>
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* seq_us is timer i's timeout in microseconds, 1..1000000. */
static int64_t seq_us(int64_t i)
{
	return (i * 618033) % 1000000 + 1;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* ---- timers ---- */

static ev_timer *timers;
static long ntimers, fired;
static int64_t t_begin, t_started, t_last;

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	if (++fired == ntimers)
		t_last = mono_ns();
}

static void start_all_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w; (void)revents;
	t_begin = mono_ns();
	for (long i = 0; i < ntimers; i++) {
		ev_timer_set(&timers[i], seq_us(i) / 1e6, 0.);
		ev_timer_start(loop, &timers[i]);
	}
	t_started = mono_ns();
}

static int bench_timers(long n)
{
	struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);
	ev_timer kick;
	ntimers = n;
	timers = calloc(n, sizeof *timers);
	if (!timers)
		die("calloc");
	for (long i = 0; i < n; i++)
		ev_timer_init(&timers[i], timer_cb, 0., 0.);
	double c0 = cpu_ms();
	ev_timer_init(&kick, start_all_cb, 0., 0.);
	ev_timer_start(loop, &kick);
	ev_run(loop, 0);
	double c1 = cpu_ms();
	if (fired != n) {
		fprintf(stderr, "fired %ld of %ld\n", fired, n);
		return 1;
	}
	/* wall_ms: from the first start to the last callback; the last
	 * deadline is 1000 ms after the loop time at the first start, so
	 * late_ms = wall - 1000 is how late the last timer ran (including the
	 * time spent starting them all). */
	printf("wall_ms=%.1f start_ns=%.1f late_ms=%.2f cpu_ms=%.0f\n",
	       (t_last - t_begin) / 1e6, (double)(t_started - t_begin) / n,
	       (t_last - t_begin) / 1e6 - 1000, c1 - c0);
	return 0;
}

/* ---- churn ---- */

/* CHURN_ROUNDS rounds of N pairs each; the median round is reported: one
 * round lasts ~15 ms, short enough for a noisy moment of the VM to land in
 * it, so the median of several is what two programs can be compared by. */
#define CHURN_ROUNDS 7

static long churn_n;
static int64_t churn_ns;

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void churn_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w; (void)revents;
	ev_timer *slots = timers; /* 1024 churn slots after the background */
	int64_t rounds[CHURN_ROUNDS];
	for (int r = 0; r < CHURN_ROUNDS; r++) {
		int64_t t0 = mono_ns();
		for (long i = r * churn_n; i < (r + 1) * churn_n; i++) {
			ev_timer *t = &slots[i & 1023];
			ev_timer_set(t, 10. + seq_us(i) / 1e6, 0.);
			ev_timer_start(loop, t);
			ev_timer_stop(loop, t);
		}
		rounds[r] = mono_ns() - t0;
	}
	qsort(rounds, CHURN_ROUNDS, sizeof rounds[0], cmp_i64);
	churn_ns = rounds[CHURN_ROUNDS / 2];
	ev_break(loop, EVBREAK_ALL);
}

static int bench_churn(long n, long active)
{
	struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);
	ev_timer kick;
	timers = calloc(1024 + active, sizeof *timers);
	if (!timers)
		die("calloc");
	for (long i = 0; i < 1024 + active; i++)
		ev_timer_init(&timers[i], timer_cb, 0., 0.);
	/* The background: ACTIVE timers due in 10..11 s, never reached. */
	for (long i = 0; i < active; i++) {
		ev_timer_set(&timers[1024 + i], 10. + seq_us(i * 7 + 3) / 1e6, 0.);
		ev_timer_start(loop, &timers[1024 + i]);
	}
	churn_n = n;
	ev_timer_init(&kick, churn_cb, 0., 0.);
	ev_timer_start(loop, &kick);
	ev_run(loop, 0);
	printf("pair_ns=%.1f wall_ms=%.1f\n", (double)churn_ns / n, churn_ns / 1e6);
	return 0;
}

/* ---- ping-pong ---- */

static int pp_fd[2];
static long pp_n, pp_rounds, pp_size, pp_got;
static char pp_buf[65536];

static void pp_echo_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop; (void)revents;
	ssize_t r = read(w->fd, pp_buf, pp_size);
	if (r <= 0) {
		if (r < 0 && errno == EAGAIN)
			return;
		die("read echo");
	}
	if (write(w->fd, pp_buf, r) != r)
		die("write echo");
}

static void pp_client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	ssize_t r = read(w->fd, pp_buf, pp_size);
	if (r <= 0) {
		if (r < 0 && errno == EAGAIN)
			return;
		die("read client");
	}
	pp_got += r;
	if (pp_got < pp_size)
		return;
	pp_got -= pp_size;
	if (++pp_rounds == pp_n) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	if (write(w->fd, pp_buf, pp_size) != pp_size)
		die("write client");
}

static int bench_pingpong(long n, long size)
{
	struct ev_loop *loop = ev_loop_new(EVBACKEND_EPOLL);
	ev_io client, echo;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pp_fd) < 0)
		die("socketpair");
	pp_n = n;
	pp_size = size;
	ev_io_init(&client, pp_client_cb, pp_fd[0], EV_READ);
	ev_io_init(&echo, pp_echo_cb, pp_fd[1], EV_READ);
	ev_io_start(loop, &client);
	ev_io_start(loop, &echo);
	memset(pp_buf, 'x', size);
	int64_t t0 = mono_ns();
	double c0 = cpu_ms();
	if (write(pp_fd[0], pp_buf, size) != size)
		die("write");
	ev_run(loop, 0);
	int64_t t1 = mono_ns();
	double c1 = cpu_ms();
	printf("rtt_per_s=%.0f ns_per_rtt=%.0f cpu_ms=%.0f\n",
	       n / ((t1 - t0) / 1e9), (double)(t1 - t0) / n, c1 - c0);
	return 0;
}

/* ---- post / async from another thread ---- */

/*
 * A post is libev's documented pattern for running work on a loop from
 * another thread: a mutex-protected queue plus ev_async_send. Items are
 * function pointers, as a Go func value.
 */
typedef void (*post_fn)(void);

static struct ev_loop *x_loop;
static ev_async x_async;
static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static post_fn *q_items;
static long q_len, q_cap;
static post_fn *q_spare;
static long q_spare_cap;
static long x_n, x_done, x_callbacks;
static int x_post; /* 1: the thread posts; 0: it calls ev_async_send */
static _Atomic int64_t x_sent_at; /* latency: when the sample was sent */
static int64_t *x_lat;
static _Atomic long x_samples;
static int x_latency;
static atomic_int x_finished; /* async throughput: the sender is done */
static int64_t x_t0, x_t1;

static void post_push(post_fn fn)
{
	pthread_mutex_lock(&q_mu);
	if (q_len == q_cap) {
		q_cap = q_cap ? q_cap * 2 : 64;
		q_items = realloc(q_items, q_cap * sizeof *q_items);
		if (!q_items)
			die("realloc");
	}
	q_items[q_len++] = fn;
	int first = q_len == 1;
	pthread_mutex_unlock(&q_mu);
	if (first)
		ev_async_send(x_loop, &x_async);
}

static void counted(void)
{
	if (x_latency) {
		long i = atomic_load(&x_samples);
		x_lat[i] = mono_ns() - atomic_load(&x_sent_at);
		atomic_store(&x_samples, i + 1);
		if (i + 1 == x_n)
			ev_async_stop(x_loop, &x_async);
		return;
	}
	if (++x_done == x_n) {
		x_t1 = mono_ns();
		ev_async_stop(x_loop, &x_async);
	}
}

static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	x_callbacks++;
	if (!x_post) {
		if (x_latency)
			counted();
		else if (atomic_load(&x_finished))
			ev_async_stop(x_loop, &x_async);
		return;
	}
	pthread_mutex_lock(&q_mu);
	post_fn *items = q_items;
	long n = q_len;
	long cap = q_cap;
	q_items = q_spare;
	q_cap = q_spare_cap;
	q_len = 0;
	pthread_mutex_unlock(&q_mu);
	for (long i = 0; i < n; i++)
		items[i]();
	q_spare = items;
	q_spare_cap = cap;
}

static void sleep_us(long us)
{
	struct timespec ts = {0, us * 1000};
	nanosleep(&ts, NULL);
}

static void *sender(void *arg)
{
	(void)arg;
	if (x_latency) {
		for (long i = 0; i < x_n; i++) {
			atomic_store(&x_sent_at, mono_ns());
			if (x_post)
				post_push(counted);
			else
				ev_async_send(x_loop, &x_async);
			sleep_us(100);
			while (atomic_load(&x_samples) <= i)
				sleep_us(10);
		}
		return NULL;
	}
	x_t0 = mono_ns();
	for (long i = 0; i < x_n; i++) {
		if (x_post)
			post_push(counted);
		else
			ev_async_send(x_loop, &x_async);
	}
	if (!x_post) {
		x_t1 = mono_ns();
		atomic_store(&x_finished, 1);
		ev_async_send(x_loop, &x_async);
	}
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int bench_cross(long n, int post, int latency)
{
	pthread_t th;
	x_loop = ev_loop_new(EVBACKEND_EPOLL);
	x_n = n;
	x_post = post;
	x_latency = latency;
	if (latency)
		x_lat = calloc(n, sizeof *x_lat);
	ev_async_init(&x_async, async_cb);
	ev_async_start(x_loop, &x_async);
	double c0 = cpu_ms();
	pthread_create(&th, NULL, sender, NULL);
	if (!latency) {
		/* Async sends coalesce, so the loop cannot count them: the
		 * sender times itself and flags the end (x_finished); callbacks
		 * says how many wake-ups the loop saw. */
		ev_run(x_loop, 0);
		pthread_join(th, NULL);
		printf("ops_per_s=%.0f callbacks=%ld cpu_ms=%.0f\n",
		       n / ((x_t1 - x_t0) / 1e9), x_callbacks, cpu_ms() - c0);
		return 0;
	}
	ev_run(x_loop, 0);
	pthread_join(th, NULL);
	qsort(x_lat, n, sizeof *x_lat, cmp64);
	printf("p50_us=%.1f p99_us=%.1f max_us=%.1f\n", x_lat[n / 2] / 1e3,
	       x_lat[n * 99 / 100] / 1e3, x_lat[n - 1] / 1e3);
	return 0;
}

static void print_lat(int64_t *lat, long n)
{
	qsort(lat, n, sizeof *lat, cmp64);
	printf("p50_us=%.1f p99_us=%.1f max_us=%.1f", lat[n / 2] / 1e3,
	       lat[n * 99 / 100] / 1e3, lat[n - 1] / 1e3);
}

/* ---- wakestress: send, spin until the callback ran, repeat ---- */

static atomic_long ws_got;

static void ws_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	atomic_fetch_add(&ws_got, 1);
}

static void *ws_sender(void *arg)
{
	(void)arg;
	for (long i = 0; i < x_n; i++) {
		long before = atomic_load(&ws_got);
		int64_t t0 = mono_ns();
		ev_async_send(x_loop, &x_async);
		for (long spins = 0; atomic_load(&ws_got) == before; spins++) {
			if ((spins & 1023) == 1023 && mono_ns() - t0 > 1000000000) {
				fprintf(stderr, "STALL: send %ld of %ld got no callback in 1s: lost wake-up\n", i + 1, x_n);
				exit(1);
			}
		}
		x_lat[i] = mono_ns() - t0;
	}
	atomic_store(&x_finished, 1);
	ev_async_send(x_loop, &x_async);
	return NULL;
}

static void ws_stop_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	(void)w; (void)revents;
	if (atomic_load(&x_finished))
		ev_break(loop, EVBREAK_ALL);
}

static int bench_wakestress(long n)
{
	pthread_t th;
	ev_check stop;
	x_loop = ev_loop_new(EVBACKEND_EPOLL);
	x_n = n;
	x_lat = calloc(n, sizeof *x_lat);
	ev_async_init(&x_async, ws_cb);
	ev_async_start(x_loop, &x_async);
	ev_check_init(&stop, ws_stop_cb);
	ev_check_start(x_loop, &stop);
	pthread_create(&th, NULL, ws_sender, NULL);
	ev_run(x_loop, 0);
	pthread_join(th, NULL);
	print_lat(x_lat, n);
	printf(" stalls=0\n");
	return 0;
}

/* ---- signal: kill(getpid(), SIGUSR1) to the ev_signal callback ---- */

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	int64_t now = mono_ns();
	long i = atomic_load(&x_samples);
	x_lat[i] = now - atomic_load(&x_sent_at);
	atomic_store(&x_samples, i + 1);
	if (i + 1 == x_n)
		ev_signal_stop(loop, w);
}

static void *sig_sender(void *arg)
{
	(void)arg;
	for (long i = 0; i < x_n; i++) {
		atomic_store(&x_sent_at, mono_ns());
		kill(getpid(), SIGUSR1);
		sleep_us(100);
		int64_t t0 = mono_ns();
		while (atomic_load(&x_samples) <= i) {
			if (mono_ns() - t0 > 1000000000) {
				fprintf(stderr, "STALL: signal %ld of %ld not delivered in 1s\n", i + 1, x_n);
				exit(1);
			}
			sleep_us(10);
		}
	}
	return NULL;
}

static int bench_signal(long n)
{
	pthread_t th;
	ev_signal w;
	struct ev_loop *loop = ev_default_loop(EVBACKEND_EPOLL);
	x_n = n;
	x_lat = calloc(n, sizeof *x_lat);
	ev_signal_init(&w, sig_cb, SIGUSR1);
	ev_signal_start(loop, &w);
	pthread_create(&th, NULL, sig_sender, NULL);
	ev_run(loop, 0);
	pthread_join(th, NULL);
	print_lat(x_lat, n);
	printf("\n");
	return 0;
}

/* ---- child: a child's last act (its stamp) to the ev_child callback ---- */

static const char *ch_stamp;
static int ch_pipe[2];
static long ch_done;
static ev_child ch_w;
static ev_timer ch_next;

static void ch_spawn(struct ev_loop *loop)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(ch_pipe[1], 1);
		execl(ch_stamp, ch_stamp, (char *)NULL);
		_exit(127);
	}
	ev_child_set(&ch_w, pid, 0);
	ev_child_start(loop, &ch_w);
}

static void ch_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void)revents;
	int64_t now = mono_ns(), stamp;
	ev_child_stop(loop, w);
	if (read(ch_pipe[0], &stamp, sizeof stamp) != sizeof stamp)
		die("read stamp");
	if (!WIFEXITED(w->rstatus) || WEXITSTATUS(w->rstatus) != 0) {
		fprintf(stderr, "child %d: status %d\n", w->rpid, w->rstatus);
		exit(1);
	}
	x_lat[ch_done++] = now - stamp;
	if (ch_done < x_n)
		ev_timer_start(loop, &ch_next); /* next iteration, as loopbench */
}

static void ch_next_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w; (void)revents;
	ch_spawn(loop);
}

static int bench_child(long n, const char *stamp)
{
	struct ev_loop *loop = ev_default_loop(EVBACKEND_EPOLL);
	if (!stamp) {
		fprintf(stderr, "child: STAMP (child_stamp) is required\n");
		return 2;
	}
	ch_stamp = stamp;
	x_n = n;
	x_lat = calloc(n, sizeof *x_lat);
	if (pipe2(ch_pipe, O_CLOEXEC) < 0)
		die("pipe2");
	ev_child_init(&ch_w, ch_cb, 0, 0);
	ev_timer_init(&ch_next, ch_next_cb, 0., 0.);
	ev_timer_start(loop, &ch_next);
	ev_run(loop, 0);
	if (ch_done != n) {
		fprintf(stderr, "%ld of %ld children reported\n", ch_done, n);
		return 1;
	}
	print_lat(x_lat, n);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s timers|churn|pingpong|post|async|postlat|asynclat|wakestress|signal|child N [ARG]\n", argv[0]);
		return 2;
	}
	const char *test = argv[1];
	long n = atol(argv[2]);
	long arg = argc > 3 ? atol(argv[3]) : 0;
	if (!strcmp(test, "timers"))
		return bench_timers(n);
	if (!strcmp(test, "churn"))
		return bench_churn(n, arg ? arg : 100000);
	if (!strcmp(test, "pingpong"))
		return bench_pingpong(n, arg ? arg : 1);
	if (!strcmp(test, "post"))
		return bench_cross(n, 1, 0);
	if (!strcmp(test, "async"))
		return bench_cross(n, 0, 0);
	if (!strcmp(test, "postlat"))
		return bench_cross(n, 1, 1);
	if (!strcmp(test, "asynclat"))
		return bench_cross(n, 0, 1);
	if (!strcmp(test, "wakestress"))
		return bench_wakestress(n);
	if (!strcmp(test, "signal"))
		return bench_signal(n);
	if (!strcmp(test, "child"))
		return bench_child(n, argc > 3 ? argv[3] : NULL);
	fprintf(stderr, "unknown test %s\n", test);
	return 2;
}
