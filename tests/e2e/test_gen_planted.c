/* test_gen_planted.c - planted.tsv parsing and the rule matcher (xp_planted.h). */
#include <stdlib.h>
#include <string.h>

#include "xp_planted.h"
#include "xp_test.h"

static const char text[] =
    "group\tkind\ta\tb\tnote\n"
    "1\tdns-web\t*:*>10.0.0.53:53/udp\t*:*>10.0.1.1:80/tcp\tdns before web\n"
    "2\tfrontend-db\t*:*>10.0.2.10:80/tcp\t*:*>10.0.2.20:3306/tcp\tfe calls db\n"
    "4\tcron\t10.0.5.1:*>10.0.5.100:873/tcp\t10.0.5.2:*>10.0.5.100:873/tcp\tcron\n"
    "5\tscanner\t10.9.9.9:*>*:445/tcp\t10.9.9.9:*>*:445/tcp\tscan\n"
    "8\tv6\t*:*>fe80::1:53/17\t*:123>2001:db8::1:123/udp\tcover: v6 sides\n";

static xp_planted *load(void)
{
    xp_planted *p = NULL;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_planted_parse(&p, text, strlen(text), "t.tsv", &e), XP_OK);
    return p;
}

/* Generic and flow sides, both orders, and what must not match. */
static void test_match(const xp_planted *p)
{
    const char *dns = "*:*>10.0.0.53:53/udp", *web = "*:*>10.0.1.1:80/tcp";
    XP_CHECK_INT(xp_planted_count(p), 5);
    XP_CHECK_INT(xp_planted_match(p, dns, web), 1);
    XP_CHECK_INT(xp_planted_match(p, web, dns), 1);
    /* A concrete client flow matches a pattern whose src is '*'. */
    XP_CHECK_INT(xp_planted_match(p, "10.1.0.7:*>10.0.0.53:53/udp", "10.1.0.7:*>10.0.1.1:80/tcp"),
                 1);
    /* Another web server, port or protocol is not planted. */
    XP_CHECK_INT(xp_planted_match(p, dns, "*:*>10.0.1.2:80/tcp"), 0);
    XP_CHECK_INT(xp_planted_match(p, dns, "*:*>10.0.1.1:443/tcp"), 0);
    XP_CHECK_INT(xp_planted_match(p, dns, "*:*>10.0.1.1:80/udp"), 0);
    XP_CHECK_INT(xp_planted_match(p, dns, dns), 0);
    /* Front end (generic) with the db flow. */
    XP_CHECK_INT(xp_planted_match(p, "10.0.2.10:*>10.0.2.20:3306/tcp", "*:*>10.0.2.10:80/tcp"), 2);
    /* A concrete pattern src does not match a rule side's '*'. */
    XP_CHECK_INT(xp_planted_match(p, "*:*>10.0.5.100:873/tcp", "10.0.5.2:*>10.0.5.100:873/tcp"), 0);
    XP_CHECK_INT(
        xp_planted_match(p, "10.0.5.2:*>10.0.5.100:873/tcp", "10.0.5.1:*>10.0.5.100:873/tcp"), 4);
    XP_CHECK_INT(
        xp_planted_match(p, "10.0.5.1:*>10.0.5.100:873/tcp", "10.0.5.1:*>10.0.5.100:873/tcp"), 0);
    XP_CHECK_INT(xp_planted_match(p, "10.9.9.9:*>10.0.8.1:445/tcp", "10.9.9.9:*>10.0.8.40:445/tcp"),
                 5);
    XP_CHECK_INT(xp_planted_match(p, "10.9.9.8:*>10.0.8.1:445/tcp", "10.9.9.9:*>10.0.8.40:445/tcp"),
                 0);
    /* A distractor: the monitor and an ssh session. */
    XP_CHECK_INT(xp_planted_match(p, "10.0.6.1:*>10.0.6.2:161/udp", "10.1.0.3:*>10.0.9.22:22/tcp"),
                 0);
}

static void test_v6_and_lines(const xp_planted *p)
{
    /* Addresses compare as addresses: another spelling of the same v6. */
    XP_CHECK_INT(
        xp_planted_match(p, "2001:db8:0::1:*>fe80:0::1:53/udp", "fe80::9:123>2001:db8::1:123/udp"),
        8);
    XP_CHECK_INT(xp_planted_match(p, "*:*>fe80::1:53/udp", "fe80::9:124>2001:db8::1:123/udp"), 0);
    XP_CHECK_INT(xp_planted_is_cover(p, 4), 1);
    XP_CHECK_INT(xp_planted_is_cover(p, 0), 0);
    XP_CHECK_INT(xp_planted_group(p, 2), 4);
    XP_CHECK_INT(xp_planted_group(p, 99), 0);
    XP_CHECK_INT(xp_planted_match_line(p, "*:*>10.0.0.53:53/udp", "*:*>10.0.1.1:80/tcp", 0), 0);
    XP_CHECK_INT(xp_planted_match_line(p, "*:*>10.0.0.53:53/udp", "*:*>10.0.1.1:80/tcp", 1), -1);
    /* Malformed rule sides are an error, not a silent miss. */
    XP_CHECK(xp_planted_match(p, "10.0.0.53:53/udp", "*:*>10.0.1.1:80/tcp") < 0);
    XP_CHECK(xp_planted_match(p, "*:*>10.0.0.53:x/udp", "*:*>1.2.3.4:80/tcp") < 0);
    XP_CHECK(xp_planted_match(p, "*:*>10.0.0.53:53/xyz", "*:*>1.2.3.4:80/tcp") < 0);
    XP_CHECK(xp_planted_match(p, "*:*>10.0.0.300:53/udp", "*:*>1.2.3.4:80/tcp") < 0);
}

static void bad(const char *t, const char *want)
{
    xp_planted *p = NULL;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_planted_parse(&p, t, strlen(t), "bad.tsv", &e), XP_FORMAT);
    XP_CHECK(p == NULL);
    XP_CHECK(strstr(e.msg, want) != NULL);
    if (strstr(e.msg, want) == NULL)
        fprintf(stderr, "message: %s (wanted '%s')\n", e.msg, want);
}

static void test_errors(void)
{
    bad("", "empty");
    bad("kind\tgroup\n", "line 1: expected the header");
    bad("group\tkind\ta\tb\tnote\n1\tx\t*:*>1.2.3.4:80/tcp\n", "line 2: expected 5");
    bad("group\tkind\ta\tb\tnote\nx\tk\t*:*>1.2.3.4:80/tcp\t*:*>*:*/*\tn\n", "line 2: group");
    bad("group\tkind\ta\tb\tnote\n1\tk\t*:*>1.2.3.4:80/tcp\t*:*>1.2.3.4/tcp\tn\n",
        "line 2: side b");
    bad("group\tkind\ta\tb\tnote\n1\tk\t*:*>1.2.3.4:70000/tcp\t*:*>*:*/*\tn\n", "line 2: side a");
}

int main(void)
{
    xp_planted *p = load();
    if (p) {
        test_match(p);
        test_v6_and_lines(p);
        xp_planted_free(&p);
        XP_CHECK(p == NULL);
    }
    test_errors();
    XP_TEST_END();
}
