#!/usr/bin/env bash
# The sanitizer run (npm run test:asan, after npm run build:asan):
#   1. the fuzz targets' committed corpora (test/fuzz/corpus/<target>: seeds
#      and the inputs of past findings) replayed once through each target's
#      g++ ASan/UBSan build, after the parser expectations they check first
#      (coverage-guided fuzzing itself is npm run fuzz, with clang);
#   2. the whole mocha suite with the ASan/UBSan addon loaded into a stock
#      node: g++'s libasan (+ libubsan) preloaded, UVHTTP_ADDON_PATH naming
#      build-asan/Release/uvhttp.node (lib/engine/binding.ts honours it).
# Sanitizer reports go to files under build-asan/sanitizer-logs/, so one from
# a child process (tests spawn some) or one printed after mocha's summary is
# not lost: any such file fails the run and is printed.
# Arguments are passed to mocha (e.g. a spec file, --grep).
# The last lines say "test-asan: fuzz corpora passed|FAILED" and
# "test-asan: OK" or "test-asan: FAILED (…)"; .ci/run reads them.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

addon="$root/build-asan/Release/uvhttp.node"
if [ ! -f "$addon" ]; then
  echo "test-asan: $addon missing: run npm run build:asan first" >&2
  exit 1
fi
libasan=$(g++ -print-file-name=libasan.so)
libubsan=$(g++ -print-file-name=libubsan.so)
for lib in "$libasan" "$libubsan"; do
  # -print-file-name echoes the bare name when it does not find the file.
  [ -e "$lib" ] || { echo "test-asan: $lib not found (g++'s sanitizer runtimes: libasan8, libubsan1)" >&2; exit 1; }
done

logs="$root/build-asan/sanitizer-logs"
rm -rf "$logs" && mkdir -p "$logs"
# detect_leaks=0: node itself does not free everything at exit.
# halt_on_error=1: the first report stops the process (and UBSan's checks are
# compiled with -fno-sanitize-recover=undefined, CMakeLists.txt).
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86:log_path=$logs/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87:log_path=$logs/ubsan"

failures=()

# ---- 1. the fuzz corpora ----------------------------------------------------------
t0=$(date +%s)
fuzz_ok=1
for src in test/fuzz/*_fuzz.cc; do
  t=$(basename "$src" _fuzz.cc)
  replay="$root/build-asan/${t}_fuzz"
  if [ ! -x "$replay" ]; then
    echo "test-asan: $replay missing: run npm run build:asan first"
    fuzz_ok=0
  # Unlike node, the targets free everything: leaks count here.
  elif ! ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=0/detect_leaks=1} "$replay" "test/fuzz/corpus/$t"; then
    fuzz_ok=0
  fi
done
if [ -n "$(ls "$logs")" ]; then
  echo "test-asan: the fuzz replay produced sanitizer reports:"
  cat "$logs"/*
  fuzz_ok=0
fi
echo "test-asan: fuzz corpora took $(( $(date +%s) - t0 )) s"
if [ "$fuzz_ok" = 1 ]; then
  echo "test-asan: fuzz corpora passed"
else
  echo "test-asan: fuzz corpora FAILED"
  failures+=("fuzz corpora")
fi
rm -rf "$logs" && mkdir -p "$logs"

# ---- 2. mocha on the sanitizer addon ---------------------------------------------
# The suite imports dist/: compile the TypeScript as npm test does.
npx --no-install tsc -p tsconfig.json || { echo "test-asan: tsc failed"; echo "test-asan: FAILED (tsc)"; exit 1; }

export UVHTTP_ADDON_PATH="$addon"
# Children inherit LD_PRELOAD. Node children need it (they load the addon),
# but curl (test/parity/curl.test.js) deadlocks in setlocale() with libasan
# preloaded (glibc's locale lock; llvm-project issue 49223), so curl is
# reached through a shim that drops the preload.
if real_curl=$(command -v curl); then
  shims="$root/build-asan/no-asan-bin"
  mkdir -p "$shims"
  printf '#!/bin/sh\n# Written by scripts/test-asan.sh: curl without the ASan preload.\nunset LD_PRELOAD\nexec %s "$@"\n' \
    "$real_curl" > "$shims/curl"
  chmod +x "$shims/curl"
  export PATH="$shims:$PATH"
fi
# ASan must come first in the process; UBSan's runtime is preloaded beside it.
export LD_PRELOAD="$libasan $libubsan${LD_PRELOAD:+ $LD_PRELOAD}"

# Proof that what follows runs on the sanitizer build: the addon path and the
# ASan runtime are mapped into a node that loaded uvhttp (the suite asserts the
# same in test/native/addon-path.test.js).
node -e '
  require("./dist/engine/binding.js")
  const maps = require("fs").readFileSync("/proc/self/maps", "utf8")
  const addon = process.env.UVHTTP_ADDON_PATH
  if (!maps.includes(addon) || !/libasan\.so/.test(maps)) {
    console.error("test-asan: the sanitizer addon is not what node loaded"); process.exit(1)
  }
  console.log("test-asan: node " + process.version + " loads " + addon + " with the ASan runtime")
' || { echo "test-asan: FAILED (loading the sanitizer addon)"; cat "$logs"/* 2>/dev/null; exit 1; }

t0=$(date +%s)
"$root/node_modules/.bin/mocha" "$@"
mocha_status=$?
echo "test-asan: mocha took $(( $(date +%s) - t0 )) s (exit status $mocha_status)"
[ "$mocha_status" -eq 0 ] || failures+=("mocha")

if [ -n "$(ls "$logs")" ]; then
  echo "test-asan: sanitizer reports:"
  for f in "$logs"/*; do echo "== $f"; cat "$f"; done
  failures+=("sanitizer reports")
fi

if [ ${#failures[@]} -eq 0 ]; then
  echo "test-asan: OK (no sanitizer report)"
  exit 0
fi
echo "test-asan: FAILED (${failures[*]})"
exit 1
