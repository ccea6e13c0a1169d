/*
 * fuzz_gzip.c - the gzip byte source: inflate arbitrary bytes (bounded to
 * 1 MiB of output), and a round trip: the input compressed by zlib (split
 * into two gzip members) must inflate back to itself exactly.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "xp_gzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t gz_member(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    size_t got = cap - z.avail_out;
    deflateEnd(&z);
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out;
    size_t outn;
    if (xp_gzip_inflate_all("fuzz", data, size, 1 << 20, &out, &outn, NULL) == XP_OK)
        free(out);
    size_t half = size / 2, cap = 2 * compressBound(size) + 128;
    uint8_t *z = malloc(cap);
    size_t zn = gz_member(data, half, z, cap);
    zn += gz_member(data + half, size - half, z + zn, cap - zn);
    xp_err e;
    xp_err_clear(&e);
    if (xp_gzip_inflate_all("rt", z, zn, size + 1, &out, &outn, &e) != XP_OK)
        abort();
    if (outn != size || (size && memcmp(out, data, size) != 0))
        abort();
    free(out);
    free(z);
    return 0;
}
