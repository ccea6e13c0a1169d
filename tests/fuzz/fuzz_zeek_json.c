/* fuzz_zeek_json.c - the Zeek parser on JSON lines (fuzz_zeek_common.h), and
 * the ISO-8601 time parser on the raw bytes. Input as for fuzz_zeek_tsv. */
#include <math.h>

#include "fuzz_zeek_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double t;
    if (xp_zeek_iso8601((const char *)data, size, &t) == 0 && !isfinite(t))
        abort();
    return fuzz_zeek_one(data, size);
}
