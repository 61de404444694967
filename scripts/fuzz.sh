#!/usr/bin/env bash
# Coverage-guided fuzzing (issue 12.2): npm run fuzz -- [--seconds N] [--parallel P] [target ...]
#
# Builds the libFuzzer targets with clang (CMakeLists.txt through cmake-js,
# into build-fuzz/; Debian: apt-get install clang libclang-rt-14-dev), then
# runs each target (default: all of test/fuzz/*_fuzz.cc) for N seconds
# (default 60), P at a time (default 1), under nice (FUZZ_NICE, default 19).
# Each starts from the committed corpus test/fuzz/corpus/<target>/ (read
# only) plus what earlier runs found in build-fuzz/corpus/<target>/ (where new
# inputs go). A crash, sanitizer report, leak, timeout or broken invariant is
# a finding: libFuzzer stops that target and saves the input under
# build-fuzz/findings/<target>/; copy it into the corpus as regress-<what>.
#
# Prints one line per target and a Markdown table the README quotes:
#   fuzz: <target>: <cpu> CPU-s, <n> execs (<r>/s), cov <c> ft <f>, corpus <k>, findings <x>
# and last "fuzz: OK, N targets, 0 findings" or "fuzz: FAILED, …" (exit 1).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=60
parallel=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=()
for src in test/fuzz/*_fuzz.cc; do all+=("$(basename "$src" _fuzz.cc)"); done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [ -f "test/fuzz/${t}_fuzz.cc" ] || { echo "fuzz: no target '$t' (targets: ${all[*]})" >&2; exit 2; }
done

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; on Debian: apt-get install clang libclang-rt-14-dev (libFuzzer)" >&2
  exit 1
fi
bash scripts/fetch-llhttp.sh || exit 1
source scripts/node-headers.sh
echo "fuzz: building the libFuzzer targets with $(clang++ --version | head -n 1)"
npx --no-install cmake-js build --directory "$root" --out build-fuzz -m --parallel "$(nproc)" \
  --cc clang --cxx clang++ -T fuzz --log-level warn || { echo "fuzz: FAILED (build)"; exit 1; }

logs=build-fuzz/logs
mkdir -p "$logs"

# Runs one target; leaves its summary line in $logs/<target>.summary.
run () {
  local t=$1 work=build-fuzz/corpus/$1 found=build-fuzz/findings/$1/ log=$logs/$1.log
  mkdir -p "$work" "$found"
  # Parser targets get the HTTP dictionary; the write queue's scripts are
  # kept short enough to run fast (a thousand operations).
  local extra=(-dict=test/fuzz/http.dict)
  [ "$t" != write_queue ] || extra=(-max_len=1024)
  local before status cpu
  before=$(ls "$found" | wc -l)
  local TIMEFORMAT='%U %S'
  { time nice -n "${FUZZ_NICE:-19}" "build-fuzz/${t}_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
      -timeout=10 -rss_limit_mb=2560 -artifact_prefix="$found" "${extra[@]}" "$work" "test/fuzz/corpus/$t" \
      >"$log" 2>&1; } 2>"$logs/$t.time"
  status=$?
  cpu=$(awk '{ printf "%d", $1 + $2 }' "$logs/$t.time")
  local execs rate last cov ft corp findings
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  findings=$(( $(ls "$found" | wc -l) - before ))
  # An abort in LLVMFuzzerInitialize (an expectation broken) saves no input.
  [ "$status" -eq 0 ] || [ "$findings" -gt 0 ] || findings=1
  echo "fuzz: $t: ${cpu} CPU-s, ${execs:-0} execs (${rate:-0}/s), cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}, findings $findings" \
    >"$logs/$t.summary"
  if [ "$findings" -gt 0 ]; then
    {
      echo "fuzz: $t: exit status $status; the report (full log: $log):"
      grep -E -A 12 '^fuzz: FAILED|^==[0-9]+==ERROR|runtime error|^SUMMARY' "$log" | head -n 60
      ls "$found" | sed "s|^|fuzz: $t: saved $found|"
    } >>"$logs/$t.summary"
  fi
}

echo "fuzz: ${targets[*]}: $seconds s each, $parallel at a time (nice ${FUZZ_NICE:-19})"
running=0
for t in "${targets[@]}"; do
  run "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait

total=0
echo
echo "| target | CPU-s | execs | exec/s | cov | ft | corpus | findings |"
echo "|---|---|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
  head -n 1 "$logs/$t.summary" |
    sed -E 's/^fuzz: ([a-z_]+): ([0-9]+) CPU-s, ([0-9]+) execs \(([0-9]+)\/s\), cov (\S+) ft (\S+), corpus (\S+), findings ([0-9]+)$/| \1 | \2 | \3 | \4 | \5 | \6 | \7 | \8 |/'
done
echo
for t in "${targets[@]}"; do
  cat "$logs/$t.summary"
  n=$(head -n 1 "$logs/$t.summary" | sed -n 's/.*findings \([0-9]*\)$/\1/p')
  total=$((total + ${n:-1}))
done
if [ "$total" -eq 0 ]; then
  echo "fuzz: OK, ${#targets[@]} targets, 0 findings"
  exit 0
fi
echo "fuzz: FAILED, ${#targets[@]} targets, $total findings"
exit 1
