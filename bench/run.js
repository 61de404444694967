#!/usr/bin/env node
'use strict'
// Entry point: `npm run bench -- [options]` (see --help, and README.md for the
// method). Checks the tools, drops contenders that cannot load, then runs the
// rounds (each round: every scenario, each contender in turn, so contenders
// interleave A B A B …), prints a table on stdout and writes bench/results/.

const os = require('os')
const path = require('path')
const { spawnSync, execFileSync } = require('child_process')
const { parseArgs, HELP } = require('./options')
const { SCENARIOS, resolve } = require('./scenarios')
const { measureWrk, measureClient, startFixedServer, startApp } = require('./measure')
const { stop, stopAll } = require('./child')
const { summarizeAll, table, writeJson, fmt } = require('./report')
const { writeSvg } = require('./svg')
const { measureInstructions } = require('./instructions')

// One status line on stderr, rewritten in place on a terminal (stdout stays
// clean for the table, so `npm run bench > table.txt` works).
function progress (text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`)
  else process.stderr.write(text + '\n')
}
function note (text) {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
  process.stderr.write(text + '\n')
}

function ensureTools (needValgrind) {
  const need = ['wrk', 'taskset', ...(needValgrind ? ['valgrind', 'callgrind_control'] : [])]
  const missing = need.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)
  if (!missing.length) return
  note(`missing ${missing.join(', ')}: running bench/setup.sh`)
  execFileSync('bash', [path.join(__dirname, 'setup.sh'), ...(needValgrind ? ['valgrind'] : [])], { stdio: 'inherit' })
}

/**
 * Starts each implementation's app once; one clear line and a skip if it
 * cannot load. Resolves { contenders, skipped: {name: reason} }.
 */
async function loadableContenders (opts) {
  const ok = []
  const skipped = {}
  for (const [name, modulePath] of opts.impls) {
    try {
      const s = await startApp(modulePath, opts.serverCore)
      await stop(s.child)
      ok.push({ name, modulePath, client: 'http' })
    } catch (err) {
      if (name === 'core') throw new Error(`core http does not start: ${err.message}`)
      note(`skipping ${name}: ${err.message}`)
      skipped[name] = err.message
    }
  }
  return { contenders: ok, skipped }
}

function machineInfo () {
  const wrk = spawnSync('wrk', ['-v']).stdout.toString().split('\n')[0].trim()
  const cpus = os.cpus()
  return { node: process.version, kernel: `${os.type()} ${os.release()}`, cpu: cpus[0] && cpus[0].model, cores: cpus.length, memoryGB: Math.round(os.totalmem() / 2 ** 30), wrk }
}

async function runLoad (opts, contenders, meta) {
  const scenarios = opts.scenarioIds.map((id) => resolve(SCENARIOS.find((s) => s.id === id), opts.quick))
    .map((s) => (s.kind === 'client' && opts.requests ? { ...s, requests: opts.requests } : s))
  const forScenario = (sc) => (sc.kind === 'client'
    ? [...contenders, { name: 'undici', modulePath: 'undici', client: 'undici' }]
    : contenders)
  const total = opts.rounds * scenarios.reduce((a, sc) => a + forScenario(sc).length, 0)
  const records = []
  let fixed = null
  let step = 0
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const sc of scenarios) {
        for (const c of forScenario(sc)) {
          step++
          const where = `[${step}/${total}] round ${round}/${opts.rounds} ${sc.id} ${c.name}`
          progress(`${where} …`)
          let rec
          try {
            let m
            if (sc.kind === 'client') {
              fixed ??= await startFixedServer(opts.loadCore)
              m = await measureClient(sc, c, opts, fixed.port)
            } else {
              m = await measureWrk(sc, c, opts)
            }
            rec = { round, scenarioId: sc.id, contender: c.name, ok: true, ...m }
            const thr = sc.unit === 'MB/s' ? `${fmt(m.bytesPerSec / 1e6)} MB/s` : `${fmt(m.reqPerSec)} req/s`
            progress(`${where} ${thr}, ${fmt(m.reqPerCpuSec)} req/CPU-s, p99 ${fmt(m.p99Ms)} ms${m.errors ? `, ${m.errors} errors` : ''}`)
          } catch (err) {
            rec = { round, scenarioId: sc.id, contender: c.name, ok: false, error: err.message.split('\n')[0] }
            note(`${where} failed: ${rec.error}`)
          }
          records.push(rec)
        }
      }
    }
  } finally {
    if (fixed) await stop(fixed.child)
  }
  const names = [...new Set(scenarios.flatMap((sc) => forScenario(sc).map((c) => c.name)))]
  const rows = summarizeAll(records, scenarios, names)
  note('')
  process.stdout.write(`${table(rows)}\n`)
  const json = writeJson(opts.out, { meta, scenarios, contenders, summary: rows, records })
  const svg = writeSvg(opts.out, rows, `uvhttp bench: ratio to core http (${meta.mode}, ${opts.rounds} round${opts.rounds > 1 ? 's' : ''}, ${meta.startedAt.slice(0, 16)})`)
  note(`results: ${path.relative(process.cwd(), json)}  chart: ${path.relative(process.cwd(), svg)}`)
}

async function runInstructions (opts, contenders, meta) {
  const rows = []
  for (const c of contenders) {
    try {
      rows.push({ ok: true, ...await measureInstructions({ name: c.name, modulePath: c.modulePath, core: opts.serverCore, warmup: opts.iwarmup, n1: opts.n1, n2: opts.n2, outDir: opts.out, progress }) })
    } catch (err) {
      note(`${c.name} failed: ${err.message}`)
      rows.push({ ok: false, name: c.name, error: err.message })
    }
  }
  const core = rows.find((r) => r.name === 'core' && r.ok)
  note('')
  const lines = [['impl', `Ir/request (${opts.n1}→${opts.n2})`, 'halves (steady if equal)', `Ir/request (first ${opts.n1})`, 'start-up+warm-up Ir', '×core']]
  for (const r of rows) {
    lines.push(r.ok
      ? [r.name, fmt(r.irPerRequest), r.irPerRequestHalves.map(fmt).join(' / '), fmt(r.irPerRequestFirst), fmt(r.startupIr), core ? (r.irPerRequest / core.irPerRequest).toFixed(2) : '-']
      : [r.name, `failed: ${r.error.split('\n')[0]}`, '', '', '', ''])
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)))
  process.stdout.write(lines.map((l) => l.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n')
  const json = writeJson(opts.out, { meta, contenders, instructions: rows })
  note(`results: ${path.relative(process.cwd(), json)} (callgrind files beside it, for callgrind_annotate)`)
}

async function main () {
  const opts = parseArgs(process.argv)
  if (opts.help) { process.stdout.write(HELP); return }
  if (os.cpus().length < 2) note('warning: fewer than 2 cores; server and load share a core')
  ensureTools(opts.instructions)
  require('fs').mkdirSync(opts.out, { recursive: true })
  const { contenders, skipped } = await loadableContenders(opts)
  const meta = {
    skipped,
    mode: opts.instructions ? 'instructions' : (opts.quick ? 'quick' : 'full'),
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    options: { ...opts, impls: Object.fromEntries(opts.impls) }
  }
  if (opts.instructions) await runInstructions(opts, contenders, meta)
  else await runLoad(opts, contenders, meta)
}

// Ctrl-C: stop every process we started (by PID), then leave.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { stopAll().finally(() => process.exit(130)) })
}

main().catch(async (err) => {
  note(`bench: ${err.message}`)
  await stopAll()
  process.exitCode = 1
})
