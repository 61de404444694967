'use strict'
// The package as a user gets it (issue 11): `npm pack`, then `npm install`
// of the tarball into fresh projects.
//   1. With no compiler on PATH (and no apt): the install loads the prebuild
//      and compiles nothing; a server and a client run on every Node line at
//      hand; ESM imports, uvhttp/register and a TypeScript app work from it.
//   2. With the prebuild removed and a compiler present: the install builds
//      from the llhttp sources the tarball carries, with no apt and no
//      download of Node's headers.
//   3. With neither: the install fails saying what was looked for and what
//      to run, and so does the loader.
// Its own mocha run (npm run test:package; .ci/run counts it): it packs
// and installs, which takes minutes. npm install fetches the package's
// dependencies (node-addon-api, node-gyp-build) from the registry.
const assert = require('assert')
const { execFile, execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const root = path.join(__dirname, '..', '..')
const fixtures = path.join(__dirname, 'fixtures')
const prebuildName = path.join('prebuilds', `${process.platform}-${process.arch}`, 'uvhttp.napi.uv1.glibc.node')
// npm itself, run by this node: npm runs the test script, or it is on PATH.
const npmCli = process.env.npm_execpath || fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim())

/** The Node lines at hand: this one, and those test:node-matrix installed. */
const nodeLines = [process.execPath, ...[22, 24, 26]
  .map((line) => path.join(root, 'test', 'node-lines', 'node_modules', `node${line}`, 'bin', 'node'))
  .filter((bin) => fs.existsSync(bin))]

function versionOf (node) {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
}

const COMPILERS = /^(?:.*-)?(?:cc|c\+\+|gcc|g\+\+|cpp|clang|clang\+\+|clang-cpp|make|gmake)(?:-[0-9.]+)?$/
const APT = /^(?:apt|apt-get|apt-cache|dpkg|dpkg-deb|curl|wget)$/

/** A directory of links to everything on PATH except the names `hidden` matches. */
function toolsWithout (dir, hidden) {
  fs.mkdirSync(dir, { recursive: true })
  for (const from of process.env.PATH.split(path.delimiter)) {
    let names = []
    try { names = fs.readdirSync(from) } catch { continue }
    for (const name of names) {
      const link = path.join(dir, name)
      if (hidden.test(name) || fs.existsSync(link)) continue
      try { fs.symlinkSync(path.join(from, name), link) } catch {}
    }
  }
  // This test's own node first, whatever PATH says.
  fs.rmSync(path.join(dir, 'node'), { force: true })
  fs.symlinkSync(process.execPath, path.join(dir, 'node'))
  return dir
}

/** The environment of a user whose PATH is `tools` (no CC/CXX/MAKE of ours). */
function userEnv (tools, extra = {}) {
  const env = { ...process.env, PATH: tools, ...extra }
  for (const k of ['CC', 'CXX', 'MAKE', 'LINK', 'UVHTTP_ADDON_PATH', 'npm_config_build_from_source']) delete env[k]
  for (const k of Object.keys(env)) if (k.startsWith('npm_lifecycle') || k.startsWith('npm_package')) delete env[k]
  return env
}

/** Runs a command; resolves { code, output } (stdout and stderr together). */
function run (cmd, args, { cwd, env, timeout = 300000 }) {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd, env, timeout, maxBuffer: 64 << 20 }, (err) => {
      resolve({ code: err ? (err.code ?? err.signal) : 0, output })
    })
    let output = ''
    child.stdout.on('data', (d) => { output += d })
    child.stderr.on('data', (d) => { output += d })
  })
}

/** A fresh project that npm-installs `tarball`; resolves the install's { code, output }. */
async function install (dir, tarball, env, args = []) {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'uvhttp-user', private: true }))
  return run(process.execPath, [npmCli, 'install', tarball, '--foreground-scripts', '--no-audit', '--no-fund', ...args], { cwd: dir, env })
}

/** Runs `node args` in dir with env; resolves the JSON its last line printed. */
async function nodeJson (node, args, { cwd, env }) {
  const out = await run(node, args, { cwd, env, timeout: 20000 })
  assert.strictEqual(out.code, 0, `${path.basename(node)} ${args.join(' ')}:\n${out.output}`)
  return JSON.parse(out.output.trim().split('\n').pop())
}

describe('the packed tarball, installed as a user would', function () {
  let work, tarball, packed

  before(async function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-package-'))
    // prepack (the build and the prebuild) first, on its own: its output
    // would mix with npm pack's JSON.
    const prepack = await run(process.execPath, [npmCli, 'run', 'prepack'], { cwd: root, env: process.env })
    assert.strictEqual(prepack.code, 0, prepack.output)
    const pack = await run(process.execPath, [npmCli, 'pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, env: process.env })
    assert.strictEqual(pack.code, 0, pack.output)
    packed = JSON.parse(pack.output.slice(pack.output.indexOf('[')))[0]
    tarball = path.join(work, packed.filename)
  })

  after(() => {
    if (work && !process.env.UVHTTP_KEEP_PACKAGE_TEST) fs.rmSync(work, { recursive: true, force: true })
  })

  it('carries the prebuild, llhttp\'s sources and licence, the compiled library and its types; nothing else of the repository', function () {
    const files = packed.files.map((f) => f.path)
    for (const f of [prebuildName, 'native/deps/llhttp/src/llhttp.c', 'native/deps/llhttp/src/api.c', 'native/deps/llhttp/src/http.c',
      'native/deps/llhttp/include/llhttp.h', 'native/deps/llhttp/LICENSE', 'binding.gyp', 'native/addon.cc', 'dist/index.js',
      'dist/index.d.ts', 'dist/register.js', 'dist/register.d.ts', 'scripts/install.js', 'scripts/addon-help.js', 'package.json', 'README.md']) {
      assert.ok(files.includes(f), `${f} is in the tarball`)
    }
    const unexpected = files.filter((f) => !/^(dist\/|native\/|prebuilds\/|scripts\/|binding\.gyp$|package\.json$|README\.md$)/.test(f))
    assert.deepStrictEqual(unexpected, [])
    assert.deepStrictEqual(files.filter((f) => /^(build|test|lib|bench)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts')), [])
    assert.ok(packed.size < 1024 * 1024, `packed size ${packed.size}`)
    this.test.title += ` (${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked)`
  })

  describe('with no compiler and no apt on PATH', () => {
    let project, env, installed

    before(async () => {
      project = path.join(work, 'prebuilt')
      env = userEnv(toolsWithout(path.join(work, 'tools-no-compiler'), new RegExp(`${COMPILERS.source}|${APT.source}`)))
      installed = await install(project, tarball, env)
    })

    it('the PATH really has no compiler, make or apt', async () => {
      const out = await run('sh', ['-c', 'command -v g++ || command -v c++ || command -v cc || command -v gcc || command -v clang || command -v make || command -v apt-get; true'], { env })
      assert.strictEqual(out.output.trim(), '')
    })

    it('npm install loads the prebuild and compiles nothing', () => {
      assert.strictEqual(installed.code, 0, installed.output)
      assert.match(installed.output, new RegExp(`uvhttp: using ${prebuildName.replace(/[.]/g, '\\.')}`))
      assert.ok(!fs.existsSync(path.join(project, 'node_modules', 'uvhttp', 'build')), 'no build/ directory')
    })

    for (const node of nodeLines) {
      it(`a server and a client run on the prebuild under Node ${versionOf(node)}`, async () => {
        fs.copyFileSync(path.join(fixtures, 'smoke.js'), path.join(project, 'smoke.js'))
        const out = await nodeJson(node, ['smoke.js'], { cwd: project, env })
        assert.deepStrictEqual(out, { status: 200, body: 'hello /smoke', addon: fs.realpathSync(path.join(project, 'node_modules', 'uvhttp', prebuildName)) })
      })
    }

    it(`ES modules: import http from 'uvhttp' and named imports, on Node ${nodeLines.map(versionOf).join(', ')}`, async () => {
      fs.copyFileSync(path.join(fixtures, 'esm.mjs'), path.join(project, 'esm.mjs'))
      for (const node of nodeLines) {
        assert.deepStrictEqual(await nodeJson(node, ['esm.mjs'], { cwd: project, env }),
          { body: 'esm /named', sameAsDefault: true, llhttp: 'string' }, versionOf(node))
      }
    })

    it(`uvhttp/register: node -r, node --import and a first import turn an application's node:http into uvhttp, on Node ${nodeLines.map(versionOf).join(', ')}`, async () => {
      const app = path.join(project, 'register')
      fs.cpSync(path.join(root, 'test', 'fixtures', 'register'), app, { recursive: true })
      const all = { server: true, serverReq: true, serverRes: true, clientReq: true, clientRes: true, agent: true, globalAgent: true }
      for (const node of nodeLines) {
        const v = versionOf(node)
        assert.deepStrictEqual(await nodeJson(node, ['-r', 'uvhttp/register', 'register/app.js'], { cwd: project, env }), { body: 'GET /cjs', ...all }, v)
        assert.deepStrictEqual(await nodeJson(node, ['--import', 'uvhttp/register', 'register/app.mjs'], { cwd: project, env }), { body: 'GET /esm-default', ...all }, v)
        assert.deepStrictEqual(await nodeJson(node, ['register/named.mjs'], { cwd: project, env }), { body: 'GET /esm-named', ...all }, v)
      }
    })

    it('TypeScript: test/types/app compiles against the installed package, and its server, client and upgrade run', async () => {
      const ts = path.join(project, 'ts')
      fs.cpSync(path.join(root, 'test', 'types', 'app'), ts, { recursive: true })
      const config = JSON.parse(fs.readFileSync(path.join(ts, 'tsconfig.json'), 'utf8'))
      // @types/node from the repository, as a user has their own.
      config.compilerOptions.typeRoots = [path.join(root, 'node_modules', '@types')]
      fs.writeFileSync(path.join(ts, 'tsconfig.json'), JSON.stringify(config))
      const tsc = await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', ts], { cwd: project, env })
      assert.strictEqual(tsc.code, 0, tsc.output)
      const out = await run(process.execPath, [path.join(ts, 'out', 'app.js')], { cwd: project, env, timeout: 20000 })
      assert.strictEqual(out.code, 0, out.output)
      assert.strictEqual(out.output, '200 hello GET /typed\n101 ping\n')
    })
  })

  describe('with the prebuild removed', () => {
    let bare

    before(() => {
      // The same tarball without prebuilds/, as for a platform it has none for.
      const unpacked = path.join(work, 'bare')
      fs.mkdirSync(unpacked)
      execFileSync('tar', ['xzf', tarball, '-C', unpacked])
      fs.rmSync(path.join(unpacked, 'package', 'prebuilds'), { recursive: true })
      bare = path.join(work, 'uvhttp-no-prebuild.tgz')
      execFileSync('tar', ['czf', bare, '-C', unpacked, 'package'])
    })

    describe('and a compiler (but no apt) on PATH', () => {
      let project, env, installed

      before(async () => {
        project = path.join(work, 'source')
        // No nodedir of the user's: the install step finds the running Node's headers itself.
        env = userEnv(toolsWithout(path.join(work, 'tools-no-apt'), APT), { npm_config_nodedir: '' })
        installed = await install(project, bare, env)
      })

      it('npm install builds from the sources in the tarball: no apt, no download of Node\'s headers', () => {
        assert.strictEqual(installed.code, 0, installed.output)
        assert.match(installed.output, /uvhttp: built build\/Release\/uvhttp\.node from source/)
        assert.doesNotMatch(installed.output, /fetch-llhttp: llhttp|gyp http GET|gyp info download/)
        // Node's headers from the running Node's own installation (scripts/install.js).
        assert.ok(installed.output.includes(`'-Dnode_root_dir=${path.resolve(process.execPath, '..', '..')}'`), 'node-gyp used the local headers')
      })

      it('a server and a client run on the source build', async () => {
        fs.copyFileSync(path.join(fixtures, 'smoke.js'), path.join(project, 'smoke.js'))
        const out = await nodeJson(process.execPath, ['smoke.js'], { cwd: project, env })
        assert.deepStrictEqual(out, { status: 200, body: 'hello /smoke', addon: fs.realpathSync(path.join(project, 'node_modules', 'uvhttp', 'build', 'Release', 'uvhttp.node')) })
      })
    })

    describe('and no compiler', () => {
      let env

      before(() => {
        env = userEnv(path.join(work, 'tools-no-compiler'))
      })

      it('npm install fails, saying what it looked for, what is missing and what to run', async () => {
        const out = await install(path.join(work, 'nothing'), bare, env)
        assert.notStrictEqual(out.code, 0)
        assert.match(out.output, /uvhttp: no native addon for linux-x64 \(glibc [0-9.]+\), Node\.js v[0-9.]+ with N-API \d+/)
        assert.match(out.output, /Looked in \S+ for build\/Release\/\*\.node \(none\) and prebuilds\/linux-x64\/\*\.node \(none\)/)
        assert.match(out.output, /Cannot build from source: this system has no C\+\+ compiler \(looked for c\+\+, g\+\+, clang\+\+ on PATH\), no make\./)
        assert.match(out.output, /npm rebuild uvhttp --foreground-scripts/)
      })

      it('installed with --ignore-scripts, require(\'uvhttp\') says the same', async () => {
        const project = path.join(work, 'ignored')
        const installed = await install(project, bare, env, ['--ignore-scripts'])
        assert.strictEqual(installed.code, 0, installed.output)
        const out = await run(process.execPath, ['-e', 'require("uvhttp")'], { cwd: project, env, timeout: 20000 })
        assert.notStrictEqual(out.code, 0)
        assert.match(out.output, /uvhttp: could not load its native addon on linux-x64/)
        assert.match(out.output, /prebuilds\/linux-x64\/\*\.node \(none\)/)
        assert.match(out.output, /Possible solutions:\n- Run the install step again and read its output: npm rebuild uvhttp --foreground-scripts/)
      })
    })
  })
})
