/*
 * fuzz_report_json.c - the JSON reader of expose-report (io/xp_report_json.c),
 * which reads rules.jsonl, clusters.json and summary.json back: one
 * xp_json_parse of the whole input, then of each line (as rules.jsonl is
 * read), and the typed getters on every member of an object.
 * Invariants: a failure is XP_FORMAT or XP_NOMEM with a one-line message
 * naming the input, and leaves the value empty; a success is a tree whose
 * arrays and objects hold n elements (and n keys); no leak (LeakSanitizer).
 */
#include <stdlib.h>
#include <string.h>

#include "xp_report_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz__walk(const xp_jval *v, int depth)
{
    if (depth > 70 || (v->n > 0 && v->v == NULL))
        abort(); /* deeper than the parser allows, or elements missing */
    if (v->type == XP_JOBJ && v->n > 0 && v->keys == NULL)
        abort();
    for (size_t i = 0; i < v->n; i++) {
        if (v->type == XP_JOBJ) {
            xp_err e;
            xp_err_clear(&e);
            double d;
            int64_t k;
            if (xp_json_get(v, v->keys[i]) == NULL)
                abort();
            (void)xp_json_num(v, v->keys[i], 0, &d, "f", &e);
            (void)xp_json_int(v, v->keys[i], 0, &k, "f", &e);
        }
        fuzz__walk(&v->v[i], depth + 1);
    }
}

static void fuzz__one(const char *buf, size_t len, const char *where)
{
    xp_jval v;
    xp_err e;
    xp_err_clear(&e);
    xp_status s = xp_json_parse(buf, len, where, &v, &e);
    if (s != XP_OK) {
        if ((s != XP_FORMAT && s != XP_NOMEM) || e.msg[0] == '\0' ||
            strchr(e.msg, '\n') != NULL || strncmp(e.msg, where, strlen(where)) != 0 ||
            v.type != XP_JNULL || v.v != NULL || v.str != NULL)
            abort();
        return;
    }
    fuzz__walk(&v, 0);
    xp_json_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    fuzz__one(buf, size, "all");
    size_t pos = 0;
    while (pos < size) {
        const char *nl = memchr(buf + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - buf) : size;
        fuzz__one(buf + pos, end - pos, "line");
        pos = end + 1;
    }
    return 0;
}
