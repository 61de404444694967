'use strict'
// npm's install step. A prebuilt binary (prebuilds/, via node-gyp-build) is
// used when there is one; otherwise the addon is built from source, which
// first needs llhttp's sources (scripts/fetch-llhttp.sh). When that fails,
// say what to do instead of leaving node-gyp's stack trace alone.
const { execFileSync } = require('child_process')
const path = require('path')

const root = path.join(__dirname, '..')
try {
  require('node-gyp-build').path(root)
  process.exit(0) // a usable binary is already there
} catch {}

function run (cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })
}

try {
  run('bash', [path.join(__dirname, 'fetch-llhttp.sh')])
  // npm hands its own node-gyp to install scripts; a dev checkout has ours.
  const nodeGyp = process.env.npm_config_node_gyp || require.resolve('node-gyp/bin/node-gyp.js')
  run(process.execPath, [nodeGyp, 'rebuild', '-j', '2'])
} catch (err) {
  console.error('\nuvhttp: no prebuilt binary for ' + process.platform + '-' + process.arch +
    ' and the source build failed.\n' +
    'Remedies: install g++, make and python3; make llhttp 9.x sources available in ' +
    'native/deps/llhttp (npm run fetch-llhttp uses Debian\'s libllhttp-source); then `npm rebuild uvhttp`.')
  process.exit(1)
}
