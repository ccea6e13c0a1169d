/*
 * shard_write_bench.c - the measurement behind the shard storage choice
 * (docs/shards.md): write and read a shard of N entries contiguous and with
 * gzip levels, report seconds and bytes. Not a test; run by hand:
 *
 *   shard_write_bench DIR [N=1000000] [REPEAT=3]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "shard_fixture.h"
#include "xp_shard.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: shard_write_bench DIR [N] [REPEAT]\n");
        return 2;
    }
    const char *dir = argv[1];
    const int64_t n = argc > 2 ? atoll(argv[2]) : 1000000;
    const int rep = argc > 3 ? atoi(argv[3]) : 3;
    xp_actmat a;
    fx_actmat(&a, 0, 200, n, 5000, 42);
    const int levels[] = {0, 1, 6};
    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        double best_w = 1e9, best_r = 1e9;
        for (int r = 0; r < rep; r++) {
            xp_err e;
            xp_err_clear(&e);
            double t = now();
            if (xp__shard_write_level(dir, 0, &a, levels[l], &e) != XP_OK) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
            }
            double tw = now() - t;
            xp_actmat b;
            t = now();
            if (xp_shard_read(dir, 0, 5000, &b, &e) != XP_OK) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
            }
            double tr = now() - t;
            xp_actmat_free(&b);
            best_w = tw < best_w ? tw : best_w;
            best_r = tr < best_r ? tr : best_r;
        }
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/shards/shard-00000.h5", dir);
        stat(path, &st);
        printf("deflate %d: %lld entries, write %.4f s, read+check %.4f s, "
               "%lld bytes\n",
               levels[l], (long long)a.nent, best_w, best_r,
               (long long)st.st_size);
    }
    xp_actmat_free(&a);
    return 0;
}
