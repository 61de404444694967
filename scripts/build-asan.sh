#!/usr/bin/env bash
# The sanitizer build (npm run build:asan): CMakeLists.txt through cmake-js,
# into build-asan/: the addon with ASan+UBSan (build-asan/Release/uvhttp.node)
# and the parser fuzz driver (build-asan/parser_fuzz). Idempotent: a second
# run only rebuilds what changed.
#
# Offline: cmake-js would download Node's headers into ~/.cmake-js. It takes
# a Node distribution directory from npm's `nodedir` setting instead (it reads
# npm_config_nodedir, the variable npm itself exports), so we point that at
# the headers installed with the running node (<prefix>/include/node).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/fetch-llhttp.sh

if [ -z "${npm_config_nodedir:-}" ] || [ ! -f "$npm_config_nodedir/include/node/node_api.h" ]; then
  npm_config_nodedir=$(node -p "require('path').resolve(process.execPath, '..', '..')")
fi
if [ ! -f "$npm_config_nodedir/include/node/node_api.h" ] || [ ! -f "$npm_config_nodedir/include/node/uv.h" ]; then
  echo "build-asan: Node's headers are not in $npm_config_nodedir/include/node;" >&2
  echo "  install them with this node (Debian/NodeSource: they come with the nodejs package)" >&2
  echo "  or set npm_config_nodedir to a Node source/headers tree." >&2
  exit 1
fi
export npm_config_nodedir

start=$(date +%s)
# -m: plain Makefiles whether or not ninja is around, so build-asan/ always has
# one layout; the parallelism is the machine's.
npx --no-install cmake-js build --directory "$root" --out build-asan -m \
  --parallel "$(nproc)" --log-level warn
addon="$root/build-asan/Release/uvhttp.node"
fuzz="$root/build-asan/parser_fuzz"
[ -f "$addon" ] || { echo "build-asan: $addon was not produced" >&2; exit 1; }
[ -x "$fuzz" ] || { echo "build-asan: $fuzz was not produced" >&2; exit 1; }
echo "build-asan: built $addon and $fuzz in $(( $(date +%s) - start )) s"
