#!/usr/bin/env bash
# Installs the tools the benchmark drives, only those that are missing, so it
# is safe to run before every benchmark (run.js calls it when a tool is absent).
#   bench/setup.sh            wrk and taskset (the load runs)
#   bench/setup.sh valgrind   also valgrind (npm run bench -- --instructions)
#   bench/setup.sh nginx      also nginx (npm run bench -- --workers N)
# Debian package names: wrk, util-linux (taskset), valgrind (callgrind_control),
# nginx-light (what .ci/run installs for test/proxy/).
set -euo pipefail

want=(wrk:wrk taskset:util-linux)
for extra in "$@"; do
  case "$extra" in
    valgrind) want+=(valgrind:valgrind callgrind_control:valgrind) ;;
    nginx) want+=(nginx:nginx-light) ;;
    *) echo "setup.sh: unknown tool '$extra' (known: valgrind, nginx)" >&2; exit 2 ;;
  esac
done

# Daemons such as nginx live in sbin, which a user's PATH may lack.
missing=()
for pair in "${want[@]}"; do
  PATH="$PATH:/usr/sbin:/sbin" command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# Deduplicate (valgrind provides two of the commands).
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "bench/setup.sh: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
