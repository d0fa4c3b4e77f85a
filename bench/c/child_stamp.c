/*
 * child_stamp: the child of the child-exit latency test (loopbench -test
 * child, loop_libev child). It writes CLOCK_MONOTONIC in nanoseconds, as 8
 * bytes in native byte order, to its standard output and exits at once with
 * status 0; the parent subtracts the stamp from the time its child callback
 * ran.
 *
 * Build: gcc -O2 -o child_stamp child_stamp.c
 */
#include <stdint.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (write(1, &ns, sizeof ns) != sizeof ns)
		_exit(1);
	_exit(0);
}
