/*
 * xp_report_assets.h - files embedded into report.html at build time by
 * io/report.cmake (generated xp_report_assets.c in the build tree): the
 * graph library from node_modules (empty when it was not installed), and
 * the page's own script and style sheet (io/xp_report_page.js, .css).
 * Each array holds len bytes followed by a NUL.
 */
#ifndef XP_REPORT_ASSETS_H
#define XP_REPORT_ASSETS_H

#include <stddef.h>

extern const char xp__report_lib_js[];
extern const size_t xp__report_lib_js_len;
extern const char xp__report_lib_name[]; /* "cytoscape 3.34.4", or "" */
extern const char xp__report_page_js[];
extern const size_t xp__report_page_js_len;
extern const char xp__report_page_css[];
extern const size_t xp__report_page_css_len;

#endif
