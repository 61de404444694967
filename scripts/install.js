'use strict'
// npm's install step: a prebuilt binary first, a source build second, an
// explanatory failure third (sharp's install/build.js, bufferutil's loader).
//
// 1. The binary node-gyp-build would load (prebuilds/<platform>-<arch>/, or
//    an earlier source build) is loaded here once: a prebuild that is present
//    but does not fit this system (an older glibc) fails now, not in the app.
//    --build-from-source (npm_config_build_from_source) skips this step.
// 2. The source build needs only a C++ compiler, make and Python 3: the
//    package carries llhttp's sources (native/deps/llhttp) and Node's headers
//    are taken from the running Node's installation when it has them, so
//    nothing is downloaded. The toolchain is checked first, so a missing
//    compiler gets a sentence instead of node-gyp's stack.
// 3. Otherwise: what was tried, and what to run (scripts/addon-help.js).
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')
const help = require('./addon-help')

const root = path.join(__dirname, '..')

function tryLoad () {
  try {
    const file = require('node-gyp-build').path(root)
    require(file)
    return { file }
  } catch (error) {
    return { error }
  }
}

function onPath (names) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean)
  return names.find((n) => path.isAbsolute(n) ? fs.existsSync(n) : dirs.some((d) => fs.existsSync(path.join(d, n))))
}

/** The tools node-gyp will call that this system lacks. */
function missingTools () {
  const cxx = process.env.CXX ? [process.env.CXX.split(' ')[0]] : ['c++', 'g++', 'clang++']
  const missing = []
  if (!onPath(cxx)) missing.push(`C++ compiler (looked for ${cxx.join(', ')} on PATH)`)
  if (!onPath([process.env.MAKE || 'make'])) missing.push('make')
  if (!onPath([process.env.PYTHON || process.env.npm_config_python || 'python3', 'python'])) missing.push('Python 3')
  return missing
}

/** node-gyp's arguments: the running Node's own headers when it has them (no download). */
function nodeGypArgs () {
  const args = ['rebuild', '-j', '2']
  const prefix = path.resolve(process.execPath, '..', '..')
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    args.push('--nodedir=' + prefix)
  }
  return args
}

function buildFromSource () {
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })
  // A no-op when the sources are there (always, in the package); a clone of
  // the repository fetches them through apt.
  run('bash', [path.join(__dirname, 'fetch-llhttp.sh')])
  // npm hands its own node-gyp to install scripts; a clone has ours.
  const nodeGyp = process.env.npm_config_node_gyp || require.resolve('node-gyp/bin/node-gyp.js')
  run(process.execPath, [nodeGyp, ...nodeGypArgs()])
}

function fail (tried) {
  console.error(`\nuvhttp: no native addon for ${help.runtime()}.\n${tried.join('\n')}\n${help.remedies()}`)
  process.exit(1)
}

function main () {
  const tried = []
  if (process.env.npm_config_build_from_source !== 'true') {
    const prebuilt = tryLoad()
    if (prebuilt.file) {
      console.log(`uvhttp: using ${path.relative(root, prebuilt.file)}`)
      return
    }
    tried.push(`Looked in ${root} for ${help.lookedFor(root)}: ${prebuilt.error.message.split('\n')[0]}`)
  }
  const missing = missingTools()
  if (missing.length) fail([...tried, `Cannot build from source: this system has no ${missing.join(', no ')}.`])
  try {
    buildFromSource()
  } catch (err) {
    fail([...tried, `The source build failed (${err.message.split('\n')[0]}); its output is above.`])
  }
  const built = tryLoad()
  if (built.error) fail([...tried, `The source build finished but its binary does not load: ${built.error.message.split('\n')[0]}`])
  console.log(`uvhttp: built ${path.relative(root, built.file)} from source`)
}

main()
