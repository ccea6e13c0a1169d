/*
 * fuzz_replay_driver.c - without libFuzzer, runs LLVMFuzzerTestOneInput on
 * every file named on the command line or found in a named directory (not
 * recursive), in sorted order. Prints how many inputs ran; a crash or an
 * abort() in the target fails the test. Exit 1 if no input was found.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run the target on one file; 0 or -1 when it cannot be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *b = malloc(cap);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (nb == NULL)
                break;
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b == NULL)
        return -1;
    /* An exact-size copy, so a read past the end is caught by ASan. */
    uint8_t *exact = malloc(n ? n : 1);
    memcpy(exact, b, n);
    free(b);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, long *count)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (run_file(path) == 0)
            (*count)++;
        free(names[i]);
    }
    free(names);
    return 0;
}

int main(int argc, char **argv)
{
    long count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 1;
        }
        if (S_ISDIR(sb.st_mode) ? run_dir(argv[i], &count) : (run_file(argv[i]) == 0 ? (count++, 0) : -1)) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            return 1;
        }
    }
    printf("replayed %ld inputs\n", count);
    return count > 0 ? 0 : 1;
}
