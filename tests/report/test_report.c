/* test_report.c - unit tests of the report layer: the names parser (good
 * and bad lines), node ids, the JSON reader, the model (clusters, cut and
 * loose rules, cliques), the HTML data blob's escaping, and graph.svg's
 * rules (size limit, a failing dot) with a fake `dot` first on PATH. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../xp_test.h"
#include "xp_report.h"
#include "xp_report_int.h"
#include "xp_report_json.h"

static void test_names(void)
{
    static const char good[] = "# comment\n\n127.0.0.1\tlocalhost\n10.0.0.80 Web1 web1.example # x\n"
                               "::1 ip6-localhost ip6-loopback\nfe80:0:0::1 LinkLocal\n"
                               "10.0.0.80 Second\n  10.0.0.9   Spaced  \r\n";
    xp_names *n = NULL;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_names_parse(good, strlen(good), "hosts", &n, &e), XP_OK);
    XP_CHECK_INT(xp_names_count(n), 5);
    XP_CHECK_STR(xp_names_lookup(n, "10.0.0.80"), "Web1"); /* first line wins */
    XP_CHECK_STR(xp_names_lookup(n, "127.0.0.1"), "localhost");
    XP_CHECK_STR(xp_names_lookup(n, "0:0::1"), "ip6-localhost");
    XP_CHECK_STR(xp_names_lookup(n, "[fe80::1]"), "LinkLocal");
    XP_CHECK_STR(xp_names_lookup(n, "10.0.0.9"), "Spaced");
    XP_CHECK(xp_names_lookup(n, "10.0.0.10") == NULL);
    XP_CHECK(xp_names_lookup(n, "*") == NULL);
    XP_CHECK(xp_names_lookup(NULL, "10.0.0.80") == NULL);
    xp_names_free(n);

    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"10.0.0.1 a\n10.0.0.300 b\n", "names.txt: line 2: '10.0.0.300' is not an IPv4 or IPv6 address"},
        {"# c\n\nweb1 10.0.0.1\n", "names.txt: line 3: 'web1' is not an IPv4 or IPv6 address"},
        {"10.0.0.1\n", "names.txt: line 1: address 10.0.0.1 has no name after it"},
        {"10.0.0.1 # only a comment\n", "names.txt: line 1: address 10.0.0.1 has no name after it"},
        {"fe80::1::2 x\n", "names.txt: line 1: 'fe80::1::2' is not an IPv4 or IPv6 address"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xp_err_clear(&e);
        n = NULL;
        XP_CHECK_INT(xp_names_parse(bad[i].text, strlen(bad[i].text), "names.txt", &n, &e),
                     XP_FORMAT);
        XP_CHECK_STR(e.msg, bad[i].msg);
        XP_CHECK(n == NULL);
    }
    xp_err_clear(&e);
    XP_CHECK_INT(xp_names_load("/nonexistent/names.txt", &n, &e), XP_IO);
    XP_CHECK(strstr(e.msg, "/nonexistent/names.txt") != NULL);
}

static void test_side_id(void)
{
    static const char *const ids[] = {
        "*:*>10.0.0.53:53/udp new", "10.1.0.7:*>10.0.0.2:80/tcp present",
        "[fe80::1]:*>[ff02::1]:5353/udp present", "*:*>*:0/icmp new", "1.2.3.4:7001>5.6.7.8:*/47 new"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        xp_report_side s;
        char buf[200];
        xp_err e;
        xp_err_clear(&e);
        XP_CHECK_INT(xp_report_side_parse(ids[i], &s, "t", &e), XP_OK);
        XP_CHECK_STR(xp_report_side_id(&s, buf, sizeof buf), ids[i]);
    }
    static const char *const bad[] = {"", "*:*>10.0.0.53:53/udp", "*:*>10.0.0.53:99999/udp new",
                                      "*:*10.0.0.53:53/udp new", "*:*>10.0.0.53:53/xyz new",
                                      "*:*>10.0.0.53:53/udp old", "[fe80::1:*>*:1/tcp new"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xp_report_side s;
        xp_err e;
        xp_err_clear(&e);
        XP_CHECK_INT(xp_report_side_parse(bad[i], &s, "clusters.json", &e), XP_FORMAT);
    }
}

static void test_json(void)
{
    xp_jval v;
    xp_err e;
    xp_err_clear(&e);
    const char *ok = " {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\\\"\"} ";
    XP_CHECK_INT(xp_json_parse(ok, strlen(ok), "t", &v, &e), XP_OK);
    const xp_jval *a = xp_json_get(&v, "a"), *s = xp_json_get(&v, "s");
    XP_CHECK(a && a->type == XP_JARR && a->n == 5);
    XP_CHECK_NEAR(a->v[1].num, -2500, 0);
    XP_CHECK_STR(s->str, "x\xc3\xa9\xf0\x9f\x98\x80\n\"");
    xp_json_free(&v);
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"{\"a\" 1}", "f: line 9: byte 5: expected ':' after the key, found '1'"},
        {"[1, 2", "f: line 9: byte 5: expected ',' or ']', found end of input"},
        {"{\"a\": 01}", "f: line 9: byte 7: expected ',' or '}', found '1'"},
        {"\"abc", "f: line 9: byte 4: unterminated string, found end of input"},
        {"[1] x", "f: line 9: byte 4: expected the end of the value, found 'x'"},
        {"nul", "f: line 9: byte 0: expected a JSON value, found 'n'"},
        {"\"\\ud800\"", "f: line 9: byte 7: expected a low surrogate \\uDC00-\\uDFFF, found '\"'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xp_err_clear(&e);
        XP_CHECK_INT(xp_json_parse(bad[i].text, strlen(bad[i].text), "f: line 9", &v, &e),
                     XP_FORMAT);
        XP_CHECK_STR(e.msg, bad[i].msg);
    }
    char deep[200];
    memset(deep, '[', sizeof deep);
    xp_err_clear(&e);
    XP_CHECK_INT(xp_json_parse(deep, sizeof deep, "deep", &v, &e), XP_FORMAT);
}

/* Numbers: the reader's fast path (io/xp_report_json.c) gives strtod's
 * double, bit for bit, on what we write (%.10g) and on what it must leave
 * to strtod (17 digits, exponents past 22, subnormals). */
static void test_json_numbers(void)
{
    static const char *const fixed[] = {"0",
                                        "-0",
                                        "1e22",
                                        "1e23",
                                        "123456789012345",
                                        "1234567890123456",
                                        "0.1",
                                        "-0.3",
                                        "5e-324",
                                        "1.7976931348623157e308",
                                        "-2.5e-7",
                                        "9007199254740993",
                                        "1E+5",
                                        "0.000123",
                                        "4.35e-22",
                                        "3.3e-23",
                                        "100000000000000000000000",
                                        "2.2250738585072014e-308"};
    const char *const fmts[] = {"%.10g", "%.17g", "%.3g", "%g", "%.6f"};
    int bad = 0, n = 0;
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000 + (int)(sizeof fixed / sizeof fixed[0]); i++) {
        char t[64];
        if (i < (int)(sizeof fixed / sizeof fixed[0])) {
            snprintf(t, sizeof t, "%s", fixed[i]);
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            double d;
            memcpy(&d, &x, sizeof d); /* any double (the infinite ones are skipped) */
            if (i % 3 != 0)           /* probabilities, scores, counts as we write them */
                d = (double)(x >> 11) / 9007199254740992.0 * pow(10, (int)(x % 16) - 8);
            if (!isfinite(d))
                continue;
            /* %f only of the small ones: the reader takes 63 characters */
            snprintf(t, sizeof t, fmts[i % (i % 3 == 0 ? 4 : 5)], d);
        }
        xp_jval v;
        xp_err e;
        xp_err_clear(&e);
        if (xp_json_parse(t, strlen(t), "n", &v, &e) != XP_OK || v.type != XP_JNUM) {
            bad++;
            continue;
        }
        double want = strtod(t, NULL);
        bad += memcmp(&v.num, &want, sizeof want) != 0;
        n++;
        xp_json_free(&v);
    }
    XP_CHECK(n > 19000);
    XP_CHECK_INT(bad, 0);
}

#define SIDE(dst) "{\"src\": \"*\", \"sport\": \"*\", \"dst\": \"" dst "\", \"dport\": 80, \"proto\": \"tcp\", \"act\": \"new\"}"
#define RULE(a, b, s) "{\"lhs\": " SIDE(a) ", \"rhs\": " SIDE(b) ", \"score\": " s ", \"support\": 9, \"template\": \"generic-generic\", \"cluster\": 0, \"n_lhs\": 10, \"n_rhs\": 10, \"n_both\": 8, \"windows\": 100}\n"

static void test_model(void)
{
    /* A 3-clique (6 rules) plus one rule leaving it, one loose and one cut. */
    static const char rules[] = RULE("10.0.0.1", "10.0.0.2", "0.9") RULE("10.0.0.2", "10.0.0.1", "0.8")
        RULE("10.0.0.1", "10.0.0.3", "0.7") RULE("10.0.0.3", "10.0.0.1", "0.6")
        RULE("10.0.0.2", "10.0.0.3", "0.5") RULE("10.0.0.3", "10.0.0.2", "0.4")
        RULE("10.0.0.3", "10.0.0.4", "0.3") RULE("10.0.0.5", "10.0.0.6", "0.2")
        RULE("10.0.0.1", "10.0.0.6", "0.1");
    static const char cl[] = "{\"clusters\": [{\"id\": 4, \"score\": 1, \"rules\": [0,1,2,3,4,5,6]}],"
                             " \"cut_rules\": [8]}";
    xp_report rep;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(
        xp__report_load_mem(rules, strlen(rules), cl, strlen(cl), NULL, 0, "d", NULL, &rep, &e),
        XP_OK);
    XP_CHECK_INT(rep.nrules, 9);
    XP_CHECK_INT(rep.nnodes, 6);
    XP_CHECK_INT(rep.nclusters, 1);
    XP_CHECK_INT(rep.clusters[0].nnodes, 4);
    XP_CHECK_INT(rep.clusters[0].ncliques, 1);
    XP_CHECK_INT(rep.clusters[0].cliques[0].n, 3);
    XP_CHECK_INT(rep.clusters[0].cliques[0].nrules, 6);
    XP_CHECK_INT(rep.clusters[0].in_clique[6], 0);
    XP_CHECK_INT(rep.ncut, 1);
    XP_CHECK_INT(rep.cut[0], 8);
    XP_CHECK_INT(rep.nloose, 1);
    XP_CHECK_INT(rep.loose[0], 7);
    char buf[1000];
    xp__report_explain(&rep, &rep.rules[0], buf, sizeof buf);
    XP_CHECK_STR(buf, "In 80% of the 10 windows in which some client opened a connection to 10.0.0.1 "
                      "on port 80 (http), the same client also opened a connection to 10.0.0.2 on "
                      "port 80 (http), against 10% of all 100 windows; seen from 9 distinct clients.");
    /* One window with the left side: the unit is singular. */
    rep.rules[0].n_lhs = 1;
    rep.rules[0].n_both = 1;
    xp__report_explain(&rep, &rep.rules[0], buf, sizeof buf);
    XP_CHECK_STR(buf, "In 100% of the 1 window in which some client opened a connection to 10.0.0.1 "
                      "on port 80 (http), the same client also opened a connection to 10.0.0.2 on "
                      "port 80 (http), against 10% of all 100 windows; seen from 9 distinct clients.");
    xp__report_free(&rep);

    /* Errors name the file and the line. */
    static const char bad[] = RULE("10.0.0.1", "10.0.0.2", "0.9") "{\"lhs\": 1}\n";
    xp_err_clear(&e);
    XP_CHECK_INT(xp__report_load_mem(bad, strlen(bad), NULL, 0, NULL, 0, "out", NULL, &rep, &e),
                 XP_FORMAT);
    XP_CHECK_STR(e.msg, "out/rules.jsonl: line 2: \"lhs\" should be an object");
    xp__report_free(&rep);
    static const char badcl[] = "{\"clusters\": [{\"id\": 0, \"rules\": [9]}]}";
    xp_err_clear(&e);
    XP_CHECK_INT(xp__report_load_mem(rules, strlen(rules), badcl, strlen(badcl), NULL, 0, "out",
                                     NULL, &rep, &e),
                 XP_FORMAT);
    XP_CHECK_STR(e.msg, "out/clusters.json: clusters[0].rules[0] should be a rule index 0..8");
    xp__report_free(&rep);
}

/* xp_report_opts.gather for one process playing each part in turn: its
 * own items back, and what it was called with. */
static int gather_calls;
static xp_status gather_s;

static xp_status own_gather(void *ctx, xp_status s, const void *mine, size_t n, size_t size,
                            void **all, size_t *nall, xp_err *e)
{
    (void)ctx;
    (void)e;
    gather_calls++;
    gather_s = s;
    *all = malloc(n ? n * size : 1);
    if (n)
        memcpy(*all, mine, n * size);
    *nall = n;
    return s;
}

/* rules.jsonl parsed in parts (the miner's ranks): the parts, in order,
 * hold every rule once, for 1 to 5 parts and any split of the bytes; an
 * error names its line in the whole file, and the gather is reached. */
static void test_parts(void)
{
    static const char rules[] = RULE("10.0.0.1", "10.0.0.2", "0.9")
        RULE("10.0.0.2", "10.0.0.1", "0.8") "\n" RULE("10.0.0.1", "10.0.0.3", "0.7")
            RULE("10.0.0.3", "10.0.0.1", "0.6") RULE("10.0.0.2", "10.0.0.3", "0.5");
    static const double want[] = {0.9, 0.8, 0.7, 0.6, 0.5};
    xp_err e;
    for (int parts = 1; parts <= 5; parts++) {
        int got = 0, order = 1;
        for (int part = 0; part < parts; part++) {
            xp_report_opts o = {.part = part, .parts = parts, .gather = own_gather};
            xp_report rep;
            xp_err_clear(&e);
            gather_calls = 0;
            XP_CHECK_INT(
                xp__report_load_mem(rules, strlen(rules), NULL, 0, NULL, 0, "d", &o, &rep, &e),
                XP_OK);
            XP_CHECK_INT(gather_calls, parts > 1);
            for (size_t i = 0; i < rep.nrules; i++)
                order &= got + (int)i < 5 && rep.rules[i].score == want[got + i];
            got += (int)rep.nrules;
            xp__report_free(&rep);
        }
        XP_CHECK_INT(got, 5);
        XP_CHECK(order);
    }
    /* The bad line is line 4 of the file, in the second of two parts. */
    static const char bad[] = RULE("10.0.0.1", "10.0.0.2", "0.9")
        RULE("10.0.0.2", "10.0.0.1", "0.8") RULE("10.0.0.1", "10.0.0.3", "0.7") "{\"lhs\": 1}\n";
    for (int part = 0; part < 2; part++) {
        xp_report_opts o = {.part = part, .parts = 2, .gather = own_gather};
        xp_report rep;
        xp_err_clear(&e);
        gather_calls = 0;
        xp_status s = xp__report_load_mem(bad, strlen(bad), NULL, 0, NULL, 0, "out", &o, &rep, &e);
        XP_CHECK_INT(s, part == 0 ? XP_OK : XP_FORMAT);
        XP_CHECK_INT(gather_calls, 1);
        XP_CHECK_INT(gather_s, s);
        if (part == 1)
            XP_CHECK_STR(e.msg, "out/rules.jsonl: line 4: \"lhs\" should be an object");
        xp__report_free(&rep);
    }
    /* A process that fails before its part still reaches the gather. */
    xp_report_opts o = {.part = 1, .parts = 2, .gather = own_gather};
    gather_calls = 0;
    XP_CHECK_INT(xp__report_gather_failed(&o, XP_IO, &e), XP_IO);
    XP_CHECK_INT(gather_calls, 1);
    XP_CHECK_INT(gather_s, XP_IO);
    o.parts = 1;
    XP_CHECK_INT(xp__report_gather_failed(&o, XP_IO, &e), XP_IO);
    XP_CHECK_INT(gather_calls, 1); /* not in parts: no gather */
    xp_report_opts two = {.part = 0, .parts = 2, .gather = own_gather};
    xp_report rep;
    XP_CHECK_INT(xp__report_load("/nonexistent-dir", NULL, NULL, &two, &rep, &e), XP_IO);
    XP_CHECK_INT(gather_calls, 2); /* rules.jsonl unreadable: the gather is still reached */
    xp__report_free(&rep);
}

static void test_counts(void)
{
    char b[32];
    XP_CHECK_STR(xp__report_count(0, b, sizeof b), "0");
    XP_CHECK_STR(xp__report_count(999, b, sizeof b), "999");
    XP_CHECK_STR(xp__report_count(1000, b, sizeof b), "1,000");
    XP_CHECK_STR(xp__report_count(25200, b, sizeof b), "25,200");
    XP_CHECK_STR(xp__report_count(1234567, b, sizeof b), "1,234,567");
    XP_CHECK_STR(xp__report_pct(1184, 1260, b, sizeof b), "94%");
    XP_CHECK_STR(xp__report_pct(1, 250, b, sizeof b), "0.4%");
}

static void test_blob_escape(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    xp__report_json_str(f, "a</script><!-- & \"q\" \\ \n");
    fclose(f);
    XP_CHECK_STR(buf, "\"a\\u003c/script\\u003e\\u003c!-- \\u0026 \\\"q\\\" \\\\ \\n\"");
    free(buf);
}

static int svg_warnings;
static void svg_warn(void *ctx, const char *msg)
{
    (void)ctx;
    svg_warnings++;
    fprintf(stderr, "(expected) warning: %s\n", msg);
}

static void copy_file(const char *from, const char *to)
{
    char *buf = NULL;
    size_t len = 0;
    xp_err e;
    FILE *f = NULL;
    XP_CHECK_INT(xp__report_read_file(from, &buf, &len, &e), XP_OK);
    if (buf)
        f = fopen(to, "w");
    XP_CHECK(f != NULL);
    if (f) {
        fwrite(buf, 1, len, f);
        fclose(f);
    }
    free(buf);
}

static int exists(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* data: tests/report/data/enterprise (13 rules). */
static void test_svg(const char *data)
{
    char dir[] = "/tmp/xp-report-svg-XXXXXX", p[4096], q[4096];
    XP_CHECK(mkdtemp(dir) != NULL);
    const char *files[] = {"rules.jsonl", "clusters.json", "summary.json"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", data, files[i]);
        snprintf(q, sizeof q, "%s/%s", dir, files[i]);
        copy_file(p, q);
    }
    /* A fake dot (found first on PATH) that fails when XP_FAKE_DOT_FAIL is set. */
    snprintf(p, sizeof p, "%s/dot", dir);
    FILE *f = fopen(p, "w");
    XP_CHECK(f != NULL);
    if (f == NULL)
        return;
    fprintf(f, "#!/bin/sh\n[ -z \"$XP_FAKE_DOT_FAIL\" ] || exit 1\nprintf '<svg/>' > \"$3\"\n");
    fclose(f);
    chmod(p, 0755);
    const char *old_path = getenv("PATH");
    char *saved = strdup(old_path ? old_path : "/usr/bin:/bin");
    snprintf(q, sizeof q, "%s:%s", dir, saved);
    setenv("PATH", q, 1);
    xp_err e;
    xp_report_opts o = {.svg_max_rules = 13, .warn = svg_warn};
    XP_CHECK_INT(xp_report_write(dir, &o, &e), XP_OK);
    XP_CHECK(exists(dir, "graph.svg") && exists(dir, "graph.dot"));
    XP_CHECK_INT(svg_warnings, 0);
    /* Over the limit: no graph.svg (the older one removed), a warning. */
    o.svg_max_rules = 12;
    XP_CHECK_INT(xp_report_write(dir, &o, &e), XP_OK);
    XP_CHECK(!exists(dir, "graph.svg") && exists(dir, "report.txt"));
    XP_CHECK_INT(svg_warnings, 1);
    /* dot fails: still a success, no graph.svg, no .tmp left, a warning. */
    o.svg_max_rules = 0;
    setenv("XP_FAKE_DOT_FAIL", "1", 1);
    XP_CHECK_INT(xp_report_write(dir, &o, &e), XP_OK);
    unsetenv("XP_FAKE_DOT_FAIL");
    XP_CHECK(!exists(dir, "graph.svg") && !exists(dir, "graph.svg.tmp"));
    XP_CHECK(!exists(dir, "graph.dot.tmp") && exists(dir, "graph.graphml"));
    XP_CHECK_INT(svg_warnings, 2);
    /* xp_report_remove leaves the mined result and removes every report. */
    xp_report_remove(dir);
    XP_CHECK(!exists(dir, "report.txt") && !exists(dir, "report.html"));
    XP_CHECK(!exists(dir, "graph.dot") && !exists(dir, "graph.graphml"));
    XP_CHECK(exists(dir, "rules.jsonl") && exists(dir, "clusters.json"));
    setenv("PATH", saved, 1);
    free(saved);
    const char *all[] = {"rules.jsonl", "clusters.json", "summary.json", "dot"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, all[i]);
        unlink(p);
    }
    XP_CHECK_INT(rmdir(dir), 0);
}

int main(int argc, char **argv)
{
    test_names();
    test_side_id();
    test_json();
    test_json_numbers();
    test_model();
    test_parts();
    test_counts();
    test_blob_escape();
    if (argc > 1)
        test_svg(argv[1]);
    else
        fprintf(stderr, "test_svg not run: give tests/report/data/enterprise as argument\n");
    XP_TEST_END();
}
