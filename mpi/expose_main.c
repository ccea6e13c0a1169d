/* expose_main.c - the expose-mpi executable: parse, run, turn status into exit code. */
#include "xp_driver.h"

int main(int argc, char **argv) { return xp_driver_main(argc, argv); }
