/*
 * xp_pcap.h - packets to records (paper §2.1, input side).
 *
 * xp_pcap_decode is a pure function over one packet's bytes (plus the
 * per-capture orientation memory in xp_pcap_state): it is the fuzz target.
 * Every multi-byte read is checked against caplen. xp_pcap_read reads a
 * whole capture: classic pcap (either byte order, us or ns) by our own
 * record loop, which can check caplen against snaplen and name the byte
 * offset of a bad record; pcapng (and any other file libpcap opens) through
 * libpcap's pcap_fopen_offline. Orientation rules: docs/inputs.md.
 */
#ifndef XP_PCAP_H
#define XP_PCAP_H

#include <stdint.h>

#include "xp_gzip.h"
#include "xp_rec.h"
#include "xp_sink.h"

/* What xp_pcap_decode made of a packet. */
typedef enum xp_pcap_kind {
    XP_PKT_USED = 0,  /* *out holds the record */
    XP_PKT_NONIP,     /* not IPv4/IPv6 (ARP, LLDP, a link type we skip) */
    XP_PKT_FRAGMENT,  /* a non-first IP fragment (no transport header) */
    XP_PKT_TRUNCATED, /* cut by the snaplen before the transport ports */
} xp_pcap_kind;

/* Link types (LINKTYPE_ values in files; DLT_ values from libpcap). */
enum {
    XP_LT_NULL = 0, XP_LT_EN10MB = 1, XP_LT_RAW_DLT = 12, XP_LT_RAW_BSD = 14,
    XP_LT_RAW = 101, XP_LT_LOOP = 108, XP_LT_SLL = 113, XP_LT_IPV4 = 228,
    XP_LT_IPV6 = 229, XP_LT_SLL2 = 276,
};

/* Per-capture state: which side of each TCP connection sent the SYN. */
typedef struct xp_pcap_state xp_pcap_state;

/* Create an empty state (*out), or fail with XP_NOMEM. */
xp_status xp_pcap_state_new(xp_pcap_state **out, xp_err *e);
/* Release *st; *st is NULL afterwards. NULL is fine. */
void xp_pcap_state_free(xp_pcap_state **st);

/* Nonzero when xp_pcap_decode understands this link type. */
int xp_pcap_linktype_ok(int linktype);

/*
 * Decode one packet of caplen bytes captured at ts into *out (oriented
 * originator -> responder, flags XP_REC_PACKET and XP_REC_START for a SYN
 * without ACK, dur 0). Returns an xp_pcap_kind; *out is written only for
 * XP_PKT_USED. st may be NULL (no connection memory). Never reads outside
 * pkt[0..caplen).
 */
xp_pcap_kind xp_pcap_decode(int linktype, const uint8_t *pkt, uint32_t caplen,
                            double ts, xp_pcap_state *st, xp_rec *out);

/*
 * Read a whole capture from src (classic pcap or pcapng, already un-gzipped
 * by src) and append its records to k->out, counting into k->stats. Errors
 * name the file, the record number and the byte offset (XP_TRUNCATED for a
 * cut header or record, XP_FORMAT for an impossible caplen, XP_UNSUPPORTED
 * for a capture libpcap refuses or a link type we do not decode).
 */
xp_status xp_pcap_read(xp_bytesrc *src, xp_sink *k, xp_err *e);

#endif
