/* xp_input.c - placeholder; the readers land with the ingest work. */
#include "xp_input.h"
