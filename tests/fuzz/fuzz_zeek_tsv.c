/* fuzz_zeek_tsv.c - the Zeek parser on TSV-shaped input (fuzz_zeek_common.h).
 * Input: byte 0 = skip_bad (low 2 bits), byte 1 = split point, then the log. */
#include "fuzz_zeek_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_zeek_one(data, size); }
