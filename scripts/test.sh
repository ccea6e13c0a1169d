#!/bin/sh
# scripts/test.sh - set up, build, and run the whole test suite (ctest),
# then the same suite in an AddressSanitizer+UBSan build when
# scripts/test-asan.sh exists (skip with XP_NO_ASAN=1).
# Prints "N passed, N failed" and exits non-zero on any failure.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" "$here/build"
. "$here/scripts/env.sh"
rc=0
ctest --test-dir "$here/build" --output-on-failure -j2 --timeout 900 \
    2>&1 | tee "$here/build/ctest.log" || rc=1
grep -q "tests passed" "$here/build/ctest.log" || rc=1
grep -q "tests passed, 0 tests failed" "$here/build/ctest.log" || rc=1
if [ -z "${XP_NO_ASAN:-}" ] && [ -x "$here/scripts/test-asan.sh" ]; then
    "$here/scripts/test-asan.sh" || rc=1
fi
python3 - "$here/build/ctest.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", text)
if m:
    failed, total = int(m.group(2)), int(m.group(3))
    skipped = len(re.findall(r"\*\*\*Skipped|Not Run", text))
    print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped (ctest, build/)")
else:
    print("0 passed, 1 failed (ctest did not finish)")
PY
exit $rc
