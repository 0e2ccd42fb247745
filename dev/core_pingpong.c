/* core_pingpong.c -- how far apart two CPUs are: one cache line (an atomic
 * flag) bounced between a thread pinned to CPU A and one pinned to CPU B,
 * 10^6 round trips; prints the mean round trip. Within one L3 complex a
 * round trip is tens of ns; between EPYC core complexes or sockets,
 * hundreds (docs/MODEL.md, Threads).
 *
 *   cc -O2 dev/core_pingpong.c -o /tmp/pingpong -lpthread && /tmp/pingpong [A B]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { TRIPS = 1000000 };
static _Alignas(64) _Atomic int flag;

static int pin(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    return pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void *answer(void *arg)
{
    if (pin(*(int *)arg)) { fprintf(stderr, "core_pingpong: cannot pin to CPU %d\n", *(int *)arg); exit(1); }
    for (int i = 0; i < TRIPS; i++) {
        while (atomic_load(&flag) != 1) {}
        atomic_store(&flag, 0);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int a = argc > 2 ? atoi(argv[1]) : 0, b = argc > 2 ? atoi(argv[2]) : 1;
    pthread_t t;
    if (pthread_create(&t, NULL, answer, &b)) return 1;
    if (pin(a)) { fprintf(stderr, "core_pingpong: cannot pin to CPU %d\n", a); return 1; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < TRIPS; i++) {
        atomic_store(&flag, 1);
        while (atomic_load(&flag) != 0) {}
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(t, NULL);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / TRIPS;
    printf("CPU %d <-> CPU %d: %.1f ns a round trip\n", a, b, ns);
    return 0;
}
