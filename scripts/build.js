'use strict'
// `npm run build`: brings llhttp, the addon and dist/ up to date, doing only
// what is out of date, and says in one line (on stderr) what it rebuilds and
// why, or that nothing needed it:
//   llhttp   native/deps/llhttp missing            -> scripts/fetch-llhttp.sh
//   addon    an input newer than the built addon    -> node-gyp build (make
//            recompiles the changed files); binding.gyp newer than the
//            configured Makefile, or no Makefile   -> node-gyp rebuild
//   dist     a lib/**/*.ts newer than the last successful compile, or one
//            without its dist .js                   -> tsc
// and removes from dist/ what tsc emitted for lib/ files that no longer exist
// (tsc never deletes). "Newer" is file mtime. The addon and the compile stamp
// get the time their build *started*, so a file saved during a build is
// still newer next time; a failed build leaves them older than their sources.
// Forced full builds: npm run build:native, npm run build:ts.
// Run it through npm (npm hands node-gyp the local Node headers).

const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')

const root = path.join(__dirname, '..')
const rel = (p) => path.relative(root, p)
const at = (...p) => path.join(root, ...p)

const ADDON = at('build', 'Release', 'uvhttp.node')
const MAKEFILE = at('build', 'Makefile')
const LLHTTP = at('native', 'deps', 'llhttp')
const LIB = at('lib')
const DIST = at('dist')
// Written after each successful tsc run, dated when that run started.
const TS_STAMP = at('dist', '.tsc-stamp')

function mtime (file) {
  try { return fs.statSync(file).mtimeMs } catch { return -Infinity }
}

/** Files under dir (recursively) whose name passes keep; [] if dir is missing. */
function files (dir, keep) {
  let entries
  try { entries = fs.readdirSync(dir, { withFileTypes: true }) } catch { return [] }
  return entries.flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p, keep) : (keep(e.name) ? [p] : [])
  })
}

/** The newest of files, as { file, time }; time -Infinity when there is none. */
function newest (list) {
  return list.reduce((best, file) => {
    const time = mtime(file)
    return time > best.time ? { file, time } : best
  }, { file: null, time: -Infinity })
}

function run (what, cmd, args) {
  // Children's stdout goes to our stderr: `npm run bench > table.txt` keeps
  // only the table.
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['inherit', 2, 2] })
  if (r.status !== 0) {
    process.stderr.write(`build: ${what} failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`})\n`)
    process.exit(1)
  }
}

function llhttpStep () {
  const have = fs.existsSync(path.join(LLHTTP, 'src', 'llhttp.c')) && fs.existsSync(path.join(LLHTTP, 'include', 'llhttp.h'))
  if (have) return null
  return { says: `llhttp fetched (${rel(LLHTTP)} missing)`, run: () => run('fetch-llhttp', 'bash', [at('scripts', 'fetch-llhttp.sh')]) }
}

/** Needs llhttp present (its sources are inputs), so it is planned after llhttpStep ran. */
function addonStep () {
  const configInputs = [at('binding.gyp'), at('scripts', 'llhttp-sources.js')]
  const sources = [
    ...configInputs,
    ...files(at('native'), (n) => /\.(cc|h)$/.test(n)).filter((f) => !f.startsWith(at('native', 'deps'))),
    ...files(path.join(LLHTTP, 'src'), (n) => n.endsWith('.c')),
    ...files(path.join(LLHTTP, 'include'), (n) => n.endsWith('.h'))
  ]
  const built = mtime(ADDON)
  const src = newest(sources)
  const config = newest(configInputs)
  let why
  if (built === -Infinity) why = `${rel(ADDON)} missing`
  else if (src.time > built) why = `${rel(src.file)} newer than ${rel(ADDON)}`
  else return null
  // Configure again (node-gyp rebuild) when the Makefile is missing or older
  // than what generates it; otherwise make recompiles only what changed.
  const configure = mtime(MAKEFILE) < config.time
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js')
  return {
    says: `addon ${configure ? 'configured and built' : 'built'} (${why})`,
    run: () => {
      const started = Date.now() / 1000
      run('node-gyp', process.execPath, [nodeGyp, configure ? 'rebuild' : 'build', '-j', '2'])
      // make relinks only when an object changed; date the addon so a header
      // no object depends on does not ask for this build again.
      fs.utimesSync(ADDON, started, started)
    }
  }
}

/** dist/ files tsc emitted for a lib/ source that is gone. */
function orphans () {
  return files(DIST, (n) => /\.(js|d\.ts)(\.map)?$/.test(n)).filter((f) => {
    const base = rel(f).slice('dist/'.length).replace(/(\.d\.ts|\.js)(\.map)?$/, '')
    return !fs.existsSync(path.join(LIB, `${base}.ts`))
  })
}

function removeEmptyDirs (dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) removeEmptyDirs(path.join(dir, e.name))
  }
  if (dir !== DIST && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir)
}

function distSteps () {
  const steps = []
  const gone = orphans()
  if (gone.length) {
    steps.push({
      says: `${gone.length} file${gone.length > 1 ? 's' : ''} removed from dist (lib/ source gone: ${gone.slice(0, 2).map(rel).join(', ')}${gone.length > 2 ? ', …' : ''})`,
      run: () => { for (const f of gone) fs.unlinkSync(f); removeEmptyDirs(DIST) }
    })
  }
  const sources = files(LIB, (n) => n.endsWith('.ts'))
  const stamp = mtime(TS_STAMP)
  // Declaration-only files (.d.ts) emit nothing.
  const unbuilt = sources.find((f) => !f.endsWith('.d.ts') && !fs.existsSync(path.join(DIST, rel(f).slice('lib/'.length).replace(/\.ts$/, '.js'))))
  const src = newest([...sources, at('tsconfig.json')])
  let why
  if (stamp === -Infinity) why = 'never compiled here'
  else if (unbuilt) why = `${rel(unbuilt)} has no dist .js`
  else if (src.time > stamp) why = `${rel(src.file)} changed since the last compile`
  if (why) {
    steps.push({
      says: `TypeScript compiled (${why})`,
      run: () => {
        const started = Date.now() / 1000
        run('tsc', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', at('tsconfig.json')])
        fs.writeFileSync(TS_STAMP, '')
        fs.utimesSync(TS_STAMP, started, started)
      }
    })
  }
  return steps
}

function main () {
  const fetch = llhttpStep()
  const plan = fetch
    // Fresh llhttp sources are newer than any addon: it is built after them.
    ? [fetch, { says: 'addon built (llhttp is new)', run: () => { const a = addonStep(); if (a) a.run() } }]
    : [addonStep()].filter(Boolean)
  plan.push(...distSteps())
  if (!plan.length) {
    process.stderr.write('build: nothing to rebuild (llhttp present; addon and dist newer than their sources)\n')
    return
  }
  // Said before it runs: a build takes a while and prints its own output.
  process.stderr.write(`build: ${plan.map((s) => s.says).join('; ')}\n`)
  for (const s of plan) s.run()
}

main()
