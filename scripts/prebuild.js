'use strict'
// npm pack's prepack step, after `npm run build`: puts the addon just built
// into prebuilds/<platform>-<arch>/ under a name node-gyp-build matches at
// run time, so an install on this platform loads it and compiles nothing.
// The tags say what the binary needs: any Node with N-API (napi), libuv 1.x
// (uv1: the engine calls libuv directly) and, on Linux, glibc or musl.
// What it needs of glibc and libstdc++ is recorded in prebuild-needs.json
// and checked against objdump's output by test/native/prebuild-needs.test.js.
//
// It also checks that llhttp's sources and licence are in place: the
// tarball carries them (package.json "files") for platforms with no
// prebuild, which build from source with no network.
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const needs = require('./prebuild-needs.json')

const root = path.join(__dirname, '..')
const built = path.join(root, 'build', 'Release', 'uvhttp.node')

/** node-gyp-build's file name for this platform's binary. */
function prebuildName () {
  const tags = ['uvhttp', 'napi', 'uv' + process.versions.uv.split('.')[0]]
  if (process.platform === 'linux') tags.push(libc())
  return path.join(`${process.platform}-${process.arch}`, tags.join('.') + '.node')
}

function libc () {
  return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl'
}

function main () {
  const llhttp = path.join(root, 'native', 'deps', 'llhttp')
  for (const f of ['src/llhttp.c', 'src/api.c', 'src/http.c', 'include/llhttp.h', 'LICENSE']) {
    if (!fs.existsSync(path.join(llhttp, f))) {
      throw new Error(`prebuild: ${path.join(llhttp, f)} is missing; the tarball must carry llhttp's sources and licence.\n` +
        '  Run `rm -rf native/deps/llhttp && npm run fetch-llhttp`, then pack again.')
    }
  }
  if (!fs.existsSync(built)) throw new Error(`prebuild: ${built} is missing; run \`npm run build\` first`)
  const target = `${process.platform}-${process.arch}`
  if (!needs.prebuilds[target]) {
    throw new Error(`prebuild: scripts/prebuild-needs.json has no record for ${target}: ` +
      'add what the binary needs (objdump -p / -T), so the README and the loader say it')
  }

  const dir = path.join(root, 'prebuilds')
  fs.rmSync(dir, { recursive: true, force: true })
  const dest = path.join(dir, prebuildName())
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  fs.copyFileSync(built, dest)
  // Debug sections are most of the file and no user needs them.
  try {
    execFileSync('strip', ['--strip-unneeded', dest], { stdio: 'inherit' })
  } catch (err) {
    console.warn(`prebuild: strip failed (${err.message}); the binary keeps its symbols`)
  }
  console.log(`prebuild: ${path.relative(root, dest)} (${fs.statSync(dest).size} bytes)`)
}

module.exports = { prebuildName }
if (require.main === module) main()
