# Sourced by scripts/build-asan.sh and scripts/fuzz.sh before they run
# cmake-js: points it at Node's headers offline.
#
# cmake-js would download Node's headers into ~/.cmake-js. It takes a Node
# distribution directory from npm's `nodedir` setting instead (it reads
# npm_config_nodedir, the variable npm itself exports), so we point that at
# the headers installed with the running node (<prefix>/include/node).
if [ -z "${npm_config_nodedir:-}" ] || [ ! -f "$npm_config_nodedir/include/node/node_api.h" ]; then
  npm_config_nodedir=$(node -p "require('path').resolve(process.execPath, '..', '..')")
fi
if [ ! -f "$npm_config_nodedir/include/node/node_api.h" ] || [ ! -f "$npm_config_nodedir/include/node/uv.h" ]; then
  echo "Node's headers are not in $npm_config_nodedir/include/node;" >&2
  echo "  install them with this node (Debian/NodeSource: they come with the nodejs package)" >&2
  echo "  or set npm_config_nodedir to a Node source/headers tree." >&2
  exit 1
fi
export npm_config_nodedir
