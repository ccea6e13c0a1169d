/*
 * touch_bench.c - what memory touched for the first time costs here, the
 * reason the reductions and the activity reuse their arrays instead of
 * allocating fresh ones, and whether huge pages pay on this machine
 * (bench/README.md, "First touch" and "Huge pages"). A buffer of SIZE MiB
 * (default 4, about the pair counts of 1000 clients x 7 h) is allocated,
 * zeroed and every 4 KiB page of it written, in three ways, each in a fresh
 * child process (so that no earlier free hands glibc memory already
 * touched):
 *   - malloc:  glibc's calloc, 4 KiB pages (a fresh mapping at this size),
 *              which is also what xp_mem_calloc does by default;
 *   - advised: xp_mem_calloc with XP_HUGEPAGES=1, 2 MiB pages (src/xp_mem.h);
 *   - reuse:   a buffer touched before, zeroed and written again.
 * PAUSE (seconds, default 0) is slept before each child: a guest that hands
 * freed memory back to its host (free page reporting) does so about 2 s
 * after the memory is freed, so with a pause of 3 each child starts as a
 * run does that follows the last one after a while, not right after it.
 * Prints the best and the worst of ROUNDS (default 5) in ms.
 * Usage: touch_bench [SIZE_MIB] [ROUNDS] [PAUSE]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xp_mem.h"

static double xp__now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Write one byte per 4 KiB page. */
static void xp__touch(volatile unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 4096)
        p[i] = (unsigned char)(p[i] + 1);
}

/* One way, in this (fresh) process: seconds, or -1 when out of memory. */
static double xp__once(int way, size_t n)
{
    unsigned char *p = way == 2 ? xp_mem_calloc(n, 1) : NULL;
    if (way == 2) {
        if (p == NULL)
            return -1;
        xp__touch(p, n); /* touched before: what "reuse" reuses */
    }
    double t0 = xp__now();
    if (way == 0)
        p = calloc(n, 1);
    else if (way == 1) {
        setenv("XP_HUGEPAGES", "1", 1);
        p = xp_mem_calloc(n, 1);
    } else
        memset(p, 0, n);
    if (p == NULL)
        return -1;
    xp__touch(p, n);
    double t = xp__now() - t0;
    free(p);
    return t;
}

/* xp__once in a child process; its result through a pipe. */
static double xp__fresh(int way, size_t n)
{
    int fd[2];
    double t = -1;
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        t = xp__once(way, n);
        _exit(write(fd[1], &t, sizeof t) == (ssize_t)sizeof t ? 0 : 1);
    }
    close(fd[1]);
    if (pid < 0 || read(fd[0], &t, sizeof t) != (ssize_t)sizeof t)
        t = -1;
    close(fd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return t;
}

int main(int argc, char **argv)
{
    static const char *const name[] = {"malloc (4 KiB pages)", "advised (2 MiB pages)",
                                       "reuse (touched before)"};
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 4;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    int pause = argc > 3 ? atoi(argv[3]) : 0;
    size_t n = mib << 20;
    if (n == 0 || rounds < 1 || pause < 0) {
        fprintf(stderr, "usage: touch_bench [SIZE_MIB > 0] [ROUNDS > 0] [PAUSE >= 0]\n");
        return 2;
    }
    double best[3] = {1e9, 1e9, 1e9}, worst[3] = {0, 0, 0};
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < 3; k++) { /* interleaved: drift falls on all three */
            if (pause > 0)
                sleep((unsigned)pause);
            double t = xp__fresh(k, n);
            if (t < 0) {
                fprintf(stderr, "touch_bench: %s of %zu MiB failed\n", name[k], mib);
                return 1;
            }
            best[k] = t < best[k] ? t : best[k];
            worst[k] = t > worst[k] ? t : worst[k];
        }
    printf("%zu MiB zeroed and every page written, fresh process each, %d rounds, %d s pause "
           "(ms, best / worst):\n",
           mib, rounds, pause);
    for (int k = 0; k < 3; k++)
        printf("  %-24s %8.2f / %8.2f\n", name[k], best[k] * 1e3, worst[k] * 1e3);
    return 0;
}
