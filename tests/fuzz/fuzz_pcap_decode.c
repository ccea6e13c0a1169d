/*
 * fuzz_pcap_decode.c - xp_pcap_decode over arbitrary bytes. Input: one byte
 * choosing the link type, then packets, each a 2-byte big-endian length and
 * that many bytes (the last one takes what is left), decoded in order with
 * one connection state, so the orientation memory is exercised too.
 * Invariants checked: every used record has dur 0 and XP_REC_PACKET.
 */
#include <stdlib.h>

#include "xp_pcap.h"

static const int xp__lts[] = {1, 113, 276, 12, 101, 228, 229, 0, 108, 14, 147};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int lt = xp__lts[data[0] % (sizeof xp__lts / sizeof xp__lts[0])];
    xp_pcap_state *st;
    if (xp_pcap_state_new(&st, NULL) != XP_OK)
        return 0;
    size_t at = 1;
    while (at < size) {
        size_t n = size - at;
        if (n >= 2) {
            size_t want = (size_t)data[at] << 8 | data[at + 1];
            at += 2;
            n = want < size - at ? want : size - at;
        }
        /* Copy so ASan sees the exact packet end. */
        uint8_t *pkt = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++)
            pkt[i] = data[at + i];
        xp_rec r;
        if (xp_pcap_decode(lt, pkt, (uint32_t)n, 1.0, st, &r) == XP_PKT_USED &&
            (r.dur != 0 || !(r.flags & XP_REC_PACKET) || r.pad_ != 0))
            abort();
        free(pkt);
        at += n;
    }
    xp_pcap_state_free(&st);
    return 0;
}
