#!/usr/bin/env bash
# Unpacks Debian's llhttp C sources (package libllhttp-source, unstable suite)
# into native/deps/llhttp. llhttp is never committed: it enters through apt at
# build time. Its licence (the package's copyright file) goes with it, as
# LICENSE: npm pack ships both (package.json "files"). The machine's apt
# config lists only stable suites, so we point a private apt configuration at
# the unstable suite of the same archive, read from the system's own apt
# sources (no host name is written here).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/native/deps/llhttp"
[ -f "$dest/src/llhttp.c" ] && [ -f "$dest/include/llhttp.h" ] && [ -f "$dest/LICENSE" ] && exit 0

work="$root/native/deps/.apt"
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/etc"

# First URI of a Debian archive (not the security one) in the system's sources.
uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
  grep -oE '(https?|file)://[^ ]+' | grep -E '/debian/?$' | grep -v security | head -n 1 || true)
if [ -z "$uri" ]; then
  echo "fetch-llhttp: no Debian archive URI found in /etc/apt/sources.list*;" >&2
  echo "  install libllhttp-source (llhttp 9.x) and copy /usr/src/llhttp to $dest" >&2
  exit 1
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $uri unstable main" > "$work/etc/sources.list"
aptopts=(-o "Dir::Etc::SourceList=$work/etc/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Get::List-Cleanup=0")
apt-get "${aptopts[@]}" -qq update
(cd "$work" && apt-get "${aptopts[@]}" -qq download libllhttp-source)
deb=$(ls "$work"/libllhttp-source_*.deb | head -n 1)
rm -rf "$work/x" && dpkg -x "$deb" "$work/x"
src="$work/x/usr/src/llhttp"
[ -f "$src/src/llhttp.c" ] || { echo "fetch-llhttp: $deb has no usr/src/llhttp/src/llhttp.c" >&2; exit 1; }
copyright="$work/x/usr/share/doc/libllhttp-source/copyright"
[ -f "$copyright" ] || { echo "fetch-llhttp: $deb has no copyright file" >&2; exit 1; }
rm -rf "$dest" && mkdir -p "$dest" && cp -r "$src"/. "$dest"/ && cp "$copyright" "$dest/LICENSE"
echo "fetch-llhttp: llhttp $(dpkg-deb -f "$deb" Version) unpacked into native/deps/llhttp"
