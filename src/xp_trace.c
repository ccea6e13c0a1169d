/* xp_trace.c - releasing the pipeline's plain structs (see xp_trace.h). */
#include "xp_trace.h"

#include <stdlib.h>
#include <string.h>

void xp_meta_free(xp_meta *m)
{
    if (m == NULL)
        return;
    free(m->hosts);
    free(m->cols);
    free(m->n_present);
    free(m->n_new);
    free(m->cw_present);
    free(m->cw_new);
    free(m->shard_w);
    free(m->shard_work);
    memset(m, 0, sizeof *m);
}

void xp_actmat_free(xp_actmat *a)
{
    if (a == NULL)
        return;
    free(a->wptr);
    free(a->col);
    free(a->client);
    free(a->isnew);
    memset(a, 0, sizeof *a);
}
