/* xp_input.c - finding trace files by content, reading them, sorting by time. */
#define _GNU_SOURCE /* memmem */
#include "xp_input.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xp_gzip.h"
#include "xp_pcap.h"
#include "xp_recsort.h"
#include "xp_sink.h"
#include "xp_zeek.h"

enum { XP__PROBE = 65536, XP__MAXDEPTH = 64 };

/* ---- content detection */

static int xp__has(const char *s, size_t n, const char *w)
{
    return memmem(s, n, w, strlen(w)) != NULL;
}

/* A Zeek TSV header: '#fields' with ts and id.orig_h, and a '#path' of conn
 * when there is one (dns.log and http.log have id.orig_h too). A '#path conn'
 * or '#separator' header without usable '#fields' is still taken as a
 * conn.log, so that the parser names the line that is wrong. */
static xp_format xp__probe_tsv(const char *s, size_t n)
{
    const char *path = memmem(s, n, "\n#path", 6);
    if (path) {
        size_t rest = n - (size_t)(path - s);
        if (rest < 12 || memcmp(path + 7, "conn", 4) != 0 ||
            (path[11] != '\n' && path[11] != '\r'))
            return XP_FMT_UNKNOWN;
        return XP_FMT_ZEEK_TSV;
    }
    if (n >= 11 && memcmp(s, "#separator ", 11) == 0)
        return XP_FMT_ZEEK_TSV;
    const char *f = memmem(s, n, "#fields", 7);
    if (f == NULL || (f != s && f[-1] != '\n'))
        return XP_FMT_UNKNOWN;
    size_t rest = n - (size_t)(f - s);
    const char *eol = memchr(f, '\n', rest);
    size_t len = eol ? (size_t)(eol - f) : rest;
    return xp__has(f, len, "id.orig_h") && xp__has(f, len, "ts") ? XP_FMT_ZEEK_TSV
                                                                 : XP_FMT_UNKNOWN;
}

static xp_format xp__probe_json(const char *s, size_t n)
{
    const char *eol = memchr(s, '\n', n);
    size_t len = eol ? (size_t)(eol - s) : n;
    if (!xp__has(s, len, "\"id.orig_h\"") || !xp__has(s, len, "\"ts\""))
        return XP_FMT_UNKNOWN;
    if (xp__has(s, len, "\"_path\"") && !xp__has(s, len, "\"_path\":\"conn\""))
        return XP_FMT_UNKNOWN;
    return (xp__has(s, len, "\"conn_state\"") || xp__has(s, len, "\"_path\":\"conn\"") ||
            xp__has(s, len, "\"duration\"") || xp__has(s, len, "\"history\""))
               ? XP_FMT_ZEEK_JSON
               : XP_FMT_UNKNOWN;
}

/* The format of the first n bytes of a file. */
static xp_format xp__detect(const uint8_t *b, size_t n)
{
    if (n >= 4) {
        uint32_t m;
        memcpy(&m, b, 4);
        const uint32_t classic[] = {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u};
        for (int i = 0; i < 3; i++)
            if (m == classic[i] || m == __builtin_bswap32(classic[i]))
                return XP_FMT_PCAP;
        if (m == 0x0a0d0d0au)
            return XP_FMT_PCAPNG;
    }
    size_t i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
        i++;
    const char *s = (const char *)b + i;
    if (i < n && b[i] == '#')
        return xp__probe_tsv(s, n - i);
    if (i < n && b[i] == '{')
        return xp__probe_json(s, n - i);
    return XP_FMT_UNKNOWN;
}

/* Read the head of path and fill f->fmt and f->gzip. An unreadable file is
 * an error; a readable one of unknown content leaves fmt UNKNOWN. */
static xp_status xp__probe(xp_input_file *f, size_t *nread, xp_err *e)
{
    xp_bytesrc *s;
    XP_CALL(xp_bytesrc_open(f->path, &s, e));
    uint8_t *buf = malloc(XP__PROBE);
    if (buf == NULL) {
        xp_bytesrc_close(&s);
        return xp_err_set(e, XP_NOMEM, "out of memory probing %s", f->path);
    }
    size_t n = 0, got = 1;
    xp_err pe;
    xp_err_clear(&pe);
    xp_status st = XP_OK;
    while (n < XP__PROBE && got > 0 && st == XP_OK)
        if ((st = xp_bytesrc_read(s, buf + n, XP__PROBE - n, &got, &pe)) == XP_OK)
            n += got;
    f->gzip = xp_bytesrc_is_gzip(s);
    f->fmt = xp__detect(buf, n);
    *nread = n;
    xp_bytesrc_close(&s);
    free(buf);
    /* A damaged file of a known format fails later, in the reader, with the
     * place; one we cannot even identify fails here. */
    if (st != XP_OK && f->fmt == XP_FMT_UNKNOWN)
        return xp_err_set(e, pe.status, "%s", pe.msg);
    return XP_OK;
}

/* ---- the list */

static xp_status xp__push(xp_input_list *l, int64_t *cap, const char *path,
                          const struct stat *sb, xp_err *e)
{
    if (l->n == *cap) {
        int64_t nc = *cap ? *cap * 2 : 16;
        xp_input_file *v = realloc(l->v, (size_t)nc * sizeof *v);
        XP_ALLOC_CHECK(e, v, "the input list");
        l->v = v;
        *cap = nc;
    }
    xp_input_file *f = &l->v[l->n];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    XP_ALLOC_CHECK(e, f->path, "a path");
    f->size = (int64_t)sb->st_size;
    f->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    l->n++;
    return XP_OK;
}

static int xp__cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory (without . and ..), sorted; caller frees. */
static xp_status xp__dir_names(const char *dir, char ***names, size_t *n, xp_err *e)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    size_t cap = 0;
    char **v = NULL;
    *n = 0;
    struct dirent *de;
    xp_status st = XP_OK;
    while (st == XP_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            char **nv = realloc(v, cap * sizeof *nv);
            if (nv == NULL) {
                st = xp_err_set(e, XP_NOMEM, "out of memory listing %s", dir);
                break;
            }
            v = nv;
        }
        if ((v[*n] = strdup(de->d_name)) == NULL)
            st = xp_err_set(e, XP_NOMEM, "out of memory listing %s", dir);
        else
            (*n)++;
    }
    closedir(d);
    qsort(v, *n, sizeof *v, xp__cmp_names);
    *names = v;
    return st;
}

typedef struct xp__walk {
    xp_input_list *l;
    int64_t cap;
    int64_t skipped;
} xp__walk;

static xp_status xp__add(xp__walk *w, const char *path, int explicit_, int depth, xp_err *e);

static xp_status xp__add_dir(xp__walk *w, const char *dir, int depth, xp_err *e)
{
    if (depth > XP__MAXDEPTH)
        return xp_err_set(e, XP_IO, "%s: directories nested deeper than %d (a link loop?)", dir,
                          XP__MAXDEPTH);
    char **names = NULL;
    size_t n = 0;
    xp_status st = xp__dir_names(dir, &names, &n, e);
    for (size_t i = 0; i < n; i++) {
        if (st == XP_OK) {
            size_t len = strlen(dir) + strlen(names[i]) + 2;
            char *p = malloc(len);
            if (p == NULL)
                st = xp_err_set(e, XP_NOMEM, "out of memory listing %s", dir);
            else
                snprintf(p, len, "%s/%s", dir, names[i]);
            if (p)
                st = xp__add(w, p, 0, depth + 1, e);
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return st;
}

static xp_status xp__add_file(xp__walk *w, const char *path, int explicit_,
                              const struct stat *sb, xp_err *e)
{
    XP_CALL(xp__push(w->l, &w->cap, path, sb, e));
    xp_input_file *f = &w->l->v[w->l->n - 1];
    size_t n = 0;
    XP_CALL(xp__probe(f, &n, e));
    if (f->fmt != XP_FMT_UNKNOWN)
        return XP_OK;
    free(f->path);
    w->l->n--;
    if (explicit_ && n == 0)
        return xp_err_set(e, XP_FORMAT, "%s: empty file (byte 0): not a trace", path);
    if (explicit_)
        return xp_err_set(e, XP_UNSUPPORTED, "%s: byte 0: not a trace (neither pcap, pcapng nor a "
                          "Zeek conn.log in TSV or JSON, plain or gzip)", path);
    w->skipped++;
    return XP_OK;
}

static xp_status xp__add(xp__walk *w, const char *path, int explicit_, int depth, xp_err *e)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return xp_err_set(e, XP_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) {
        int64_t before = w->l->n;
        XP_CALL(xp__add_dir(w, path, depth, e));
        if (explicit_ && w->l->n == before)
            return xp_err_set(e, XP_NOINPUT, "%s: directory holds no trace (%lld files skipped)",
                              path, (long long)w->skipped);
        return XP_OK;
    }
    if (!S_ISREG(sb.st_mode)) {
        if (explicit_)
            return xp_err_set(e, XP_UNSUPPORTED, "%s: not a regular file", path);
        w->skipped++;
        return XP_OK;
    }
    return xp__add_file(w, path, explicit_, &sb, e);
}

xp_status xp_input_list_make(const char *const *paths, int npaths, xp_input_list *out,
                             int64_t *nskipped, xp_err *e)
{
    xp__walk w = {out, 0, 0};
    out->v = NULL;
    out->n = 0;
    xp_status st = XP_OK;
    for (int i = 0; i < npaths && st == XP_OK; i++)
        st = xp__add(&w, paths[i], 1, 0, e);
    if (st == XP_OK && out->n == 0)
        st = xp_err_set(e, XP_NOINPUT, "no input given");
    if (nskipped)
        *nskipped = w.skipped;
    if (st != XP_OK)
        xp_input_list_free(out);
    return st;
}

void xp_input_list_free(xp_input_list *l)
{
    for (int64_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ---- reading */

static xp_status xp__read_one(const xp_input_file *f, xp_sink *k, xp_err *e)
{
    xp_bytesrc *s;
    XP_CALL(xp_bytesrc_open(f->path, &s, e));
    xp_status st;
    switch (f->fmt) {
    case XP_FMT_PCAP:
    case XP_FMT_PCAPNG:
        st = xp_pcap_read(s, k, e);
        break;
    case XP_FMT_ZEEK_TSV:
    case XP_FMT_ZEEK_JSON:
        st = xp_zeek_read(s, k, e);
        break;
    default:
        st = xp_err_set(e, XP_UNSUPPORTED, "%s: not a trace", f->path);
    }
    k->stats->bytes += xp_bytesrc_raw_offset(s);
    k->stats->files++;
    xp_bytesrc_close(&s);
    return st;
}

xp_status xp_input_read_file(const xp_input_file *f, const xp_input_opts *o, xp_recvec *out,
                             xp_input_stats *st, xp_err *e)
{
    xp_sink k = {out, st, o, 0, f->size};
    return xp__read_one(f, &k, e);
}

xp_status xp_input_read_all(const xp_input_list *l, const xp_input_opts *o, xp_recvec *out,
                            xp_input_stats *st, xp_err *e)
{
    xp_sink k = {out, st, o, 0, 0};
    for (int64_t i = 0; i < l->n; i++)
        k.bytes_total += l->v[i].size;
    for (int64_t i = 0; i < l->n; i++) {
        XP_CALL(xp__read_one(&l->v[i], &k, e));
        k.bytes_base += l->v[i].size;
    }
    int64_t dis = 0;
    XP_CALL(xp_recs_sort_ts(out, &dis, e));
    st->out_of_order += dis;
    return XP_OK;
}
