/*
 * fuzz_pcap_file.c - xp_pcap_read over a whole capture held in memory: the
 * classic pcap record loop (file header, record headers, caplen against
 * snaplen, records cut at any byte) and, for anything else, libpcap's reader
 * (pcapng) through fmemopen. Byte 0 chooses whether the rest is wrapped in
 * gzip first (odd) or read as it is (even), so the gzip byte source feeds the
 * record loop too.
 * Invariants: used + every skipped_* == records; a failure carries a one-line
 * message naming the source; every record has XP_REC_PACKET and dur 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "xp_pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz__quiet(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

/* gzip-compress in[0..n) into a new buffer (NULL on failure). */
static uint8_t *fuzz__gzip(const uint8_t *in, size_t n, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n) + 32;
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (out == NULL || deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(out);
        return NULL;
    }
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *buf = data + 1;
    size_t len = size - 1;
    uint8_t *gz = NULL;
    if (data[0] & 1) {
        gz = fuzz__gzip(buf, len, &len);
        if (gz == NULL)
            return 0;
        buf = gz;
    }
    xp_bytesrc *src;
    xp_err e;
    xp_err_clear(&e);
    if (xp_bytesrc_open_mem("fuzz.pcap", buf, len, &src, &e) != XP_OK)
        abort();
    xp_recvec v = {0};
    xp_input_stats st;
    memset(&st, 0, sizeof st);
    xp_input_opts o;
    memset(&o, 0, sizeof o);
    o.warn = fuzz__quiet;
    xp_sink k = {&v, &st, &o, 0, (int64_t)len};
    xp_status s = xp_pcap_read(src, &k, &e);
    if (getenv("FUZZ_VERBOSE")) /* to see what a corpus file reaches */
        fprintf(stderr, "%s: %lld records, %lld used\n", s == XP_OK ? "ok" : e.msg,
                (long long)st.records, (long long)st.used);
    if (s != XP_OK && (e.msg[0] == '\0' || strchr(e.msg, '\n') != NULL ||
                       strncmp(e.msg, "fuzz.pcap", 9) != 0))
        abort();
    if (st.used + st.skipped_nonip + st.skipped_fragment + st.skipped_truncated != st.records)
        abort();
    if (st.used != v.n)
        abort();
    for (int64_t i = 0; i < v.n; i++)
        if (v.v[i].dur != 0 || !(v.v[i].flags & XP_REC_PACKET))
            abort();
    xp_recvec_free(&v);
    xp_bytesrc_close(&src);
    free(gz);
    return 0;
}
