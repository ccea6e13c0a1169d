/*
 * xp_driver.h - the whole program, stage by stage in the paper's order.
 * Collective on MPI_COMM_WORLD; initialises and finalises MPI itself.
 */
#ifndef XP_DRIVER_H
#define XP_DRIVER_H

/* Returns the process exit code: 0 on success, 1 on failure, 2 on bad
 * options (--names included), 3 when the mined result was written but the
 * reports were not (docs/outputs.md). */
int xp_driver_main(int argc, char **argv);

#endif
