'use strict'
// What to tell a user whose uvhttp has no working native addon: the install
// step (scripts/install.js) when it can neither load a prebuilt binary nor
// build one, and the loader (lib/engine/binding.ts) when nothing loads.
// Modelled on sharp's loader: say what was looked for, on which runtime, and
// the commands that fix it.
const fs = require('fs')
const path = require('path')

const needs = require('./prebuild-needs.json')

/** "linux-x64 (glibc 2.36), Node.js v22.1.0 with N-API 9" */
function runtime () {
  let libc = ''
  if (process.platform === 'linux') {
    const glibc = process.report.getReport().header.glibcVersionRuntime
    libc = glibc ? ` (glibc ${glibc})` : ' (musl)'
  }
  return `${process.platform}-${process.arch}${libc}, Node.js ${process.version} with N-API ${process.versions.napi}`
}

/** What node-gyp-build looks at in the package, and what is there. */
function lookedFor (root) {
  const places = [path.join('build', 'Release'), path.join('prebuilds', `${process.platform}-${process.arch}`)]
  return places.map((dir) => {
    let found = []
    try { found = fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.node')) } catch {}
    return `${dir}/*.node (${found.length ? 'found ' + found.join(', ') : 'none'})`
  }).join(' and ')
}

/** "linux-x64 (glibc 2.32 or newer and …)" for each prebuild the package carries. */
function prebuilds () {
  return Object.entries(needs.prebuilds).map(([target, p]) => `${target} (${p.means})`).join(', ')
}

const TOOLCHAIN = 'a C++ compiler, make and Python 3 (Debian/Ubuntu: apt-get install g++ make python3; ' +
  'Fedora/RHEL: dnf install gcc-c++ make python3; Alpine: apk add build-base python3; macOS: xcode-select --install)'

function remedies () {
  return [
    'Possible solutions:',
    '- Run the install step again and read its output: npm rebuild uvhttp --foreground-scripts' +
      ' (an install with --ignore-scripts skips it).',
    `- The package carries prebuilt binaries for ${prebuilds()}.` +
      ` Elsewhere it builds from the sources it carries, which needs ${TOOLCHAIN}; then run the command above.`,
    '- In a clone of the repository: npm run build.',
    '- Bundlers: keep uvhttp external, so its addon is found next to its package.json.',
    'See "Install" in uvhttp\'s README.'
  ].join('\n')
}

/** The loader's message for an addon that could not be loaded from root. */
function loadFailure (root, cause) {
  return `uvhttp: could not load its native addon on ${runtime()}.\n` +
    `Looked in ${root} for ${lookedFor(root)}.\n` +
    `Error: ${String(cause && cause.message).split('\n')[0]}\n` + remedies()
}

module.exports = { runtime, lookedFor, remedies, loadFailure, TOOLCHAIN }
