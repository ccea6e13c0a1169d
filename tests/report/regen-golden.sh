#!/bin/sh
# regen-golden.sh BUILD_DIR - regenerate tests/report/golden/*.txt on purpose
# (STYLE.md practice 17). Read `git diff tests/report/golden` before committing.
set -eu
build=${1:?usage: regen-golden.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cmake --build "$build" --target expose-report
for name in enterprise hotspot hotspot-noclusters empty; do
  "$here/golden.sh" regen "$build/io/expose-report" "$name"
done
