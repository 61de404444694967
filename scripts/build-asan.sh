#!/usr/bin/env bash
# The sanitizer build (npm run build:asan): CMakeLists.txt through cmake-js,
# into build-asan/: the addon with ASan+UBSan (build-asan/Release/uvhttp.node)
# and the fuzz targets as corpus replayers (build-asan/<name>_fuzz; built with
# clang as libFuzzer binaries by scripts/fuzz.sh instead). Idempotent: a
# second run only rebuilds what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/fetch-llhttp.sh
source scripts/node-headers.sh

start=$(date +%s)
# -m: plain Makefiles whether or not ninja is around, so build-asan/ always has
# one layout; the parallelism is the machine's.
npx --no-install cmake-js build --directory "$root" --out build-asan -m \
  --parallel "$(nproc)" --log-level warn
addon="$root/build-asan/Release/uvhttp.node"
[ -f "$addon" ] || { echo "build-asan: $addon was not produced" >&2; exit 1; }
for src in test/fuzz/*_fuzz.cc; do
  t=$(basename "$src" _fuzz.cc)
  [ -x "$root/build-asan/${t}_fuzz" ] || { echo "build-asan: build-asan/${t}_fuzz was not produced" >&2; exit 1; }
done
echo "build-asan: built $addon and the fuzz replayers in $(( $(date +%s) - start )) s"
