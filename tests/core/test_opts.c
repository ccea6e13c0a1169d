/* Options table: defaults, bounds, errors. */
#include "xp_opts.h"
#include "xp_test.h"

static xp_status parse(xp_opts *o, xp_err *e, int argc, char **argv)
{
    xp_err_clear(e);
    xp_opts_release(o);
    xp_opts_defaults(o);
    return xp_opts_parse(o, argc, argv, e);
}

int main(void)
{
    xp_opts o = {0};
    xp_err e;
    char *a1[] = {"x", "--top-k", "10", "--window=0.5", "-o", "d", "--paper", "in.pcap"};
    XP_CHECK_INT(parse(&o, &e, 8, a1), XP_OK);
    XP_CHECK_INT(o.top_k, 10);
    XP_CHECK_NEAR(o.window, 0.5, 0);
    XP_CHECK_STR(o.out, "d");
    XP_CHECK_INT(o.paper, 1);
    XP_CHECK_INT(o.ninputs, 1);
    XP_CHECK_NEAR(o.alpha, 0.01, 0);
    XP_CHECK_INT(o.beta, 3);
    XP_CHECK_NEAR(o.max_presence, 0.9, 0);
    XP_CHECK_NEAR(o.ratio, 3, 0);

    char *a2[] = {"x", "--top-k", "0", "in"};
    XP_CHECK_INT(parse(&o, &e, 4, a2), XP_ARG);
    XP_CHECK(strstr(e.msg, "--top-k") != NULL);
    char *a3[] = {"x", "--window", "abc", "in"};
    XP_CHECK_INT(parse(&o, &e, 4, a3), XP_ARG);
    XP_CHECK(strstr(e.msg, "abc") != NULL);
    char *a4[] = {"x", "--bogus", "in"};
    XP_CHECK_INT(parse(&o, &e, 3, a4), XP_ARG);
    char *a5[] = {"x"};
    XP_CHECK_INT(parse(&o, &e, 1, a5), XP_ARG);
    char *a6[] = {"x", "in", "--alpha"};
    XP_CHECK_INT(parse(&o, &e, 3, a6), XP_ARG);
    xp_opts_release(&o);
    XP_TEST_END();
}
