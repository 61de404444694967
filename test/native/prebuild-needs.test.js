'use strict'
// What the prebuilt binary needs (scripts/prebuild-needs.json, which the
// README and the loader's message repeat) must be what the binary really
// needs: the libraries it links, the newest glibc/libstdc++ symbol versions
// it imports, its N-API version, and every Node and libuv function it calls
// must exist in the Node running this suite (npm run test:node-matrix runs it
// on each Node line). The binary checked is the node-gyp build that
// scripts/prebuild.js copies into the tarball.
const assert = require('assert')
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..', '..')
const needs = require('../../scripts/prebuild-needs.json')
const addon = path.join(root, 'build', 'Release', 'uvhttp.node')
const target = `${process.platform}-${process.arch}`
const record = needs.prebuilds[target]
// The sanitizer run preloads libasan into this process; the tools must not get it.
const env = { ...process.env, LD_PRELOAD: '' }
const tool = (cmd, args) => execFileSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 })

function have (cmd) {
  try { tool(cmd, ['--version']); return true } catch { return false }
}

describe('what the prebuilt binary needs (scripts/prebuild-needs.json)', function () {
  before(function () {
    if (!record) this.skip() // no prebuild is made for this platform
    assert.ok(fs.existsSync(addon), `${addon} is missing: npm run build`)
    assert.ok(have('objdump'), 'objdump (binutils) is needed to check the binary')
  })

  it('links exactly the recorded libraries, and ldd finds each', function () {
    const needed = [...tool('objdump', ['-p', addon]).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]).sort()
    assert.deepStrictEqual(needed, [...record.needed].sort())
    const ldd = tool('ldd', [addon])
    assert.doesNotMatch(ldd, /not found/)
    for (const lib of record.needed) assert.match(ldd, new RegExp(`^\\s*${lib.replace(/[.+]/g, '\\$&')} => /`, 'm'))
  })

  it('imports no symbol version newer than the recorded glibc, libstdc++ and C++ ABI', function () {
    const newest = {}
    for (const [, ns, version] of tool('objdump', ['-T', addon]).matchAll(/\b(GLIBC|GLIBCXX|CXXABI)_([0-9.]+)\b/g)) {
      if (!newest[ns] || compareVersions(version, newest[ns]) > 0) newest[ns] = version
    }
    // Equal, not "at most": a lower need is worth recording (it widens the
    // systems the README promises), a higher one must be.
    assert.deepStrictEqual(newest, record.versions)
  })

  it('is built for the recorded N-API version, which this Node has', function () {
    const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8')
    assert.match(gyp, new RegExp(`"NAPI_VERSION=${needs.napi}"`))
    assert.ok(Number(process.versions.napi) >= needs.napi, `Node ${process.version} has N-API ${process.versions.napi}`)
    assert.strictEqual(process.versions.uv.split('.')[0], String(needs.libuv))
  })

  it(`calls only N-API and libuv functions this Node (${process.version}) exports`, function () {
    const imported = undefinedSymbols(addon).filter((s) => /^(napi_|uv_|node_api_)/.test(s))
    assert.ok(imported.includes('napi_get_uv_event_loop') && imported.includes('uv_tcp_init'), 'the addon imports N-API and libuv')
    const exported = new Set(dynamicSymbols(process.execPath).filter((s) => !s.undefined).map((s) => s.name))
    assert.deepStrictEqual(imported.filter((s) => !exported.has(s)), [])
  })
})

function dynamicSymbols (file) {
  return tool('objdump', ['-T', file]).split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 4 && /^[0-9a-f]{8,}$/.test(cols[0]))
    .map((cols) => ({ name: cols[cols.length - 1], undefined: cols.includes('*UND*') }))
}

function undefinedSymbols (file) {
  return dynamicSymbols(file).filter((s) => s.undefined).map((s) => s.name)
}

function compareVersions (a, b) {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) - (y[i] || 0)
  }
  return 0
}
