#!/usr/bin/env bash
# The sanitizer build under load (npm run soak:asan, after npm run build:asan):
# the benchmark's server (bench/servers/app.js) with the ASan/UBSan addon
# loaded, driven by wrk through the pipelined, POST, connection-per-request
# and large-response scenarios, then by clients that reset their connections
# mid-pipeline and mid-body (scripts/soak-abrupt-clients.js). It fails on any
# sanitizer report or if the server did not survive. Every load is bounded
# in time; the server is stopped by its PID. Last line: "soak-asan: OK" or
# "soak-asan: FAILED (...)".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

addon="$root/build-asan/Release/uvhttp.node"
[ -f "$addon" ] || { echo "soak-asan: $addon missing: run npm run build:asan first"; echo "soak-asan: FAILED (no ASan build)"; exit 1; }
bash bench/setup.sh || { echo "soak-asan: FAILED (wrk could not be installed)"; exit 1; }

logs="$root/build-asan/soak-logs"
rm -rf "$logs" && mkdir -p "$logs"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86:log_path=$logs/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87:log_path=$logs/ubsan"
export UVHTTP_ADDON_PATH="$addon"
preload="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"

LD_PRELOAD="$preload" node bench/servers/app.js "$root" > "$logs/server.out" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null' EXIT
port=
for _ in $(seq 1 100); do
  port=$(node -e "try { console.log(JSON.parse(require('fs').readFileSync('$logs/server.out', 'utf8').split('\n')[0]).port || '') } catch {}")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$logs/server.out"; echo "soak-asan: FAILED (server did not start)"; exit 1; }

url="http://127.0.0.1:$port"
load () { timeout 30 wrk -t1 "$@" | grep -E 'requests in|errors' | sed 's/^/soak: /'; }
load -c50 -d5s -s bench/lua/pipeline.lua "$url/"
load -c50 -d3s -s bench/lua/post-4k.lua "$url/"
load -c50 -d3s -H 'Connection: close' "$url/"
load -c10 -d3s "$url/big"
timeout 120 node scripts/soak-abrupt-clients.js "$port" 3000

alive=1
kill -0 "$server" 2>/dev/null || alive=0
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
trap - EXIT

reports=$(ls "$logs" | grep -E '^(asan|ubsan)' || true)
if [ -n "$reports" ]; then
  for f in $reports; do echo "== $f"; head -60 "$logs/$f"; done
  echo "soak-asan: FAILED (sanitizer report)"
  exit 1
fi
if [ "$alive" -eq 0 ]; then
  cat "$logs/server.out"
  echo "soak-asan: FAILED (the server died under load)"
  exit 1
fi
echo "soak-asan: OK"
