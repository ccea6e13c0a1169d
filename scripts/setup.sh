#!/bin/sh
# scripts/setup.sh - install what is missing on Debian 12, fetch the npm
# package that report.html embeds, and build expose-mpi into build/.
#
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
#
# Installs with apt-get (after apt-get update) only when a package is missing,
# so a second run is quick. Needs root or sudo for that step.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$here/build"}
[ $# -gt 0 ] && shift

# Build and run-time dependencies (Debian 12 package names, TOOLCHAIN.md).
# chromium: the report.html test; graphviz: graph.svg and its test;
# slurm-wlm/munge: the one-node Slurm test; python3-pandas/scipy: the peer
# baseline of the benchmarks; clang: libFuzzer builds (-DXP_FUZZ=ON);
# python3-matplotlib: the plots of bench/run-scaling.sh.
# libopenblas0-serial: the BLAS and LAPACK behind LAPACK and ScaLAPACK
# (Debian's alternatives pick it over the reference ones; serial, so that
# ranks do not start threads): dsyevr of n = 1000 0.305 -> 0.082 s
# (docs/clustering.md, "Costs and limits").
pkgs="build-essential cmake pkg-config git ca-certificates
      openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools
      libscalapack-openmpi-dev liblapack-dev libopenblas0-serial libpcap-dev zlib1g-dev
      python3 python3-pandas python3-scipy python3-matplotlib chromium graphviz
      slurm-wlm munge clang valgrind procps"

# Node.js: many machines carry NodeSource's nodejs, which bundles npm and
# conflicts with Debian's npm package. Ask apt for node only when the
# commands are absent, never for Debian's npm beside a working one.
missing=
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing:$missing"
    sudo=
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

# report.html embeds cytoscape from the npm registry (never committed).
if [ ! -f "$here/node_modules/cytoscape/dist/cytoscape.min.js" ]; then
    echo "setup: npm ci (cytoscape for report.html)"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$build.cmake.log" 2>&1 ||
    { cat "$build.cmake.log"; exit 1; }
cmake --build "$build" -j"$(nproc)"
echo "setup: built $build/mpi/expose-mpi"
