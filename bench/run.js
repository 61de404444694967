#!/usr/bin/env node
'use strict'
// Entry point: `npm run bench -- [options]` (see --help, and README.md for the
// method). Checks the tools, drops contenders that cannot load, then runs the
// rounds (each round: every scenario, each contender in turn, so contenders
// interleave A B A B …), prints a table on stdout and writes bench/results/.

const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawnSync, execFileSync } = require('child_process')
const { parseArgs, HELP, REPO_ROOT } = require('./options')
const { SCENARIOS, resolve, withWorkers } = require('./scenarios')
const contenders = require('./contenders')
const { measureWrk, measureClient, startFixedServer, startServer } = require('./measure')
const { stop, stopAll } = require('./child')
const { summarizeAll, table, writeJson, fmt } = require('./report')
const { writeSvg, chartLabels } = require('./svg')
const { benchSection, workersSection, updateReadme, BENCH_MARKERS, WORKERS_MARKERS } = require('./readme')
const { createEta } = require('./eta')
const { measureInstructions } = require('./instructions')
const { reusePortMissing, serverCores } = require('./workers')
const { which } = require('../test/helpers/reverse-proxy')

// Where --update-readme writes: the charts kept in the repository (the
// --workers variants have their own), and the README showing them.
const CHART = path.join(__dirname, 'chart.svg')
const WORKERS_CHART = path.join(__dirname, 'chart-workers.svg')
const README = path.join(REPO_ROOT, 'README.md')

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

function ensureTools ({ valgrind, nginx }) {
  const need = ['wrk', 'taskset', ...(valgrind ? ['valgrind', 'callgrind_control'] : []), ...(nginx ? ['nginx'] : [])]
  const missing = need.filter((t) => !which(t))
  if (!missing.length) return
  note(`missing ${missing.join(', ')}: running bench/setup.sh`)
  execFileSync('bash', [path.join(__dirname, 'setup.sh'), ...(valgrind ? ['valgrind'] : []), ...(nginx ? ['nginx'] : [])], { stdio: 'inherit' })
}

/**
 * Tries each contender once (a server starts and stops, a client's module
 * resolves); one clear line and a skip for each that cannot, so the harness
 * works before the engine does. With --workers, an http contender's server is
 * also tried with reusePort (c.noReusePort says why it cannot; its reusePort
 * rows are then not run). Resolves { ok, skipped: {name: reason},
 * noReusePort: {name: reason}, versions: {package: version} } .
 */
async function loadableContenders (opts, wanted) {
  const ok = []
  const skipped = {}
  const noReusePort = {}
  const versions = {}
  for (const c of wanted) {
    try {
      const probe = SCENARIOS.find((sc) => contenders.server(c, sc))
      if (probe) {
        const s = await startServer(c, probe, opts.serverCore)
        await stop(s.child)
        const pair = opts.workers && withWorkers(probe, [2]).find((v) => v.via === 'reusePort' && contenders.server(c, v))
        const why = pair && await reusePortMissing(contenders.server(c, pair), opts, c.name)
        if (why) {
          c.noReusePort = noReusePort[c.name] = why
          note(`${why}; its reusePort rows are not run`)
        }
      } else {
        const pkg = require(`${c.modulePath}/package.json`)
        versions[pkg.name] = pkg.version
      }
      ok.push(c)
    } catch (err) {
      if (c.name === 'core') throw new Error(`core http does not start: ${err.message}`)
      note(`skipping ${c.name}: ${err.message.split('\n')[0]}`)
      skipped[c.name] = err.message
    }
  }
  return { ok, skipped, noReusePort, versions }
}

function machineInfo () {
  // "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer" -> "wrk 4.1.0"
  const wrkLine = spawnSync('wrk', ['-v']).stdout.toString().split('\n')[0].trim()
  const version = /\d+\.\d+(\.\d+)?/.exec(wrkLine)
  const wrk = version ? `wrk ${version[0]}` : wrkLine
  const cpus = os.cpus()
  let distro
  try { distro = /^PRETTY_NAME="?([^"\n]*)/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))[1] } catch {}
  return { node: process.version, kernel: `${os.type()} ${os.release()}`, distro, cpu: cpus[0] && cpus[0].model, cores: cpus.length, memoryGB: Math.round(os.totalmem() / 2 ** 30), wrk }
}

/** Expected seconds of one run before any has been measured (eta.js refines it). */
function nominalSeconds (sc, opts) {
  if (sc.kind !== 'client') return opts.warmup + opts.duration + 1
  return 1 + (sc.requests * 1.2) / 5000
}

/** The scenarios of a load run, in table order: the selected ones, then the --workers variants of S1 and S2. */
function loadScenarios (opts) {
  const base = opts.scenarioIds.map((id) => resolve(SCENARIOS.find((s) => s.id === id), opts.quick))
    .map((s) => (s.kind === 'client' && opts.requests ? { ...s, requests: opts.requests } : s))
  return opts.workers ? [...base, ...base.flatMap((s) => withWorkers(s, opts.workers))] : base
}

async function runLoad (opts, list, meta) {
  const scenarios = loadScenarios(opts)
  const most = opts.workers ? Math.max(...opts.workers) : 1
  if (most > 1 && serverCores(most, opts).sharesLoad) {
    note(`${most} server processes on ${os.cpus().length} cores: they share core ${opts.loadCore} with wrk (req/CPU-s is the figure to read)`)
  }
  // Rounds interleave the contenders: each round runs every scenario, and
  // each scenario every contender taking part, core first.
  const plan = []
  for (let round = 1; round <= opts.rounds; round++) {
    for (const sc of scenarios) {
      for (const c of list) if (contenders.takesPart(c, sc)) plan.push({ round, sc, c, key: `${sc.id} ${c.name}`, group: sc.id, nominal: nominalSeconds(sc, opts) })
    }
  }
  const eta = createEta(plan)
  const records = []
  let fixed = null
  try {
    for (let i = 0; i < plan.length; i++) {
      const { round, sc, c } = plan[i]
      const where = `round ${round}/${opts.rounds} ${sc.id} ${c.name}`
      progress(`[${i + 1}/${plan.length} ${eta.status(i)}] ${where} …`)
      const t0 = Date.now()
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
        eta.record(i, (Date.now() - t0) / 1000)
        const thr = sc.unit === 'MB/s' ? `${fmt(m.bytesPerSec / 1e6)} MB/s` : `${fmt(m.reqPerSec)} req/s`
        const nginx = m.proxyReqPerCpuSec ? `, nginx ${fmt(m.proxyReqPerCpuSec)} req/CPU-s` : ''
        progress(`[${i + 1}/${plan.length} ${eta.status(i + 1)}] ${where} ${thr}, ${fmt(m.reqPerCpuSec)} req/CPU-s${nginx}, p99 ${fmt(m.p99Ms)} ms${m.errors ? `, ${m.errors} errors` : ''}`)
      } catch (err) {
        rec = { round, scenarioId: sc.id, contender: c.name, ok: false, error: err.message.split('\n')[0] }
        eta.record(i, (Date.now() - t0) / 1000)
        note(`[${i + 1}/${plan.length} ${eta.status(i + 1)}] ${where} failed: ${rec.error}`)
      }
      records.push(rec)
    }
  } finally {
    if (fixed) await stop(fixed.child)
  }
  const rows = summarizeAll(records, scenarios, list.map((c) => c.name))
  note('')
  process.stdout.write(`${table(rows)}\n`)
  for (const reason of Object.values(meta.noReusePort)) process.stdout.write(`${reason}; its reusePort rows were not run\n`)
  const json = writeJson(opts.out, { meta, scenarios, contenders: list, summary: rows, records })
  // The scenarios' chart, and the --workers variants' in a file of its own
  // (ratios of n processes to n of core's, the cluster primary counted).
  const charts = [false, true].map((workers) => {
    const mine = scenarios.filter((sc) => Boolean(sc.workers) === workers)
    const ids = new Set(mine.map((sc) => sc.id))
    return {
      workers,
      scenarios: mine,
      rows: rows.filter((r) => ids.has(r.scenario)),
      file: path.join(opts.out, workers ? 'ratios-workers.svg' : 'ratios.svg'),
      kept: workers ? WORKERS_CHART : CHART,
      labels: { ...chartLabels({ mode: meta.mode, rounds: opts.rounds, date: meta.startedAt.slice(0, 10), workers }), scenarios: mine }
    }
  }).filter((ch) => ch.scenarios.length)
  for (const ch of charts) writeSvg(ch.file, ch.rows, ch.labels)
  note(`results: ${path.relative(process.cwd(), json)}  charts: ${charts.map((ch) => path.relative(process.cwd(), ch.file)).join(', ')}`)
  if (opts.updateReadme) {
    for (const ch of charts) {
      // The main section shows full runs only (--scenarios S1,S2 --workers N
      // updates the workers section alone).
      if (!ch.workers && opts.scenarios) continue
      writeSvg(ch.kept, ch.rows, ch.labels)
      const chart = path.relative(REPO_ROOT, ch.kept)
      const section = ch.workers ? workersSection(ch.rows, ch.scenarios, meta, chart) : benchSection(ch.rows, ch.scenarios, meta, chart)
      updateReadme(README, section, ch.workers ? WORKERS_MARKERS : BENCH_MARKERS)
      note(`updated ${path.relative(process.cwd(), README)} and ${path.relative(process.cwd(), ch.kept)}`)
    }
  }
  const failed = records.filter((r) => !r.ok).length
  if (failed) {
    note(`${failed} of ${records.length} runs failed`)
    process.exitCode = 1
  }
}

async function runInstructions (opts, list, meta) {
  const rows = []
  // Each server as S1 runs it (clients have none to measure).
  const s1 = SCENARIOS.find((sc) => sc.id === 'S1')
  for (const c of list.filter((c) => contenders.server(c, s1))) {
    try {
      rows.push({ ok: true, ...await measureInstructions({ name: c.name, serverArgs: contenders.server(c, s1), core: opts.serverCore, warmup: opts.iwarmup, n1: opts.n1, n2: opts.n2, outDir: opts.out, progress }) })
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
  const json = writeJson(opts.out, { meta, contenders: list, instructions: rows })
  note(`results: ${path.relative(process.cwd(), json)} (callgrind files beside it, for callgrind_annotate)`)
}

async function main () {
  const opts = parseArgs(process.argv)
  if (opts.help) { process.stdout.write(HELP); return }
  if (os.cpus().length < 2) note('warning: fewer than 2 cores; server and load share a core')
  ensureTools({ valgrind: opts.instructions, nginx: Boolean(opts.workers) })
  fs.mkdirSync(opts.out, { recursive: true })
  const { ok, skipped, noReusePort, versions } = await loadableContenders(opts, contenders.allContenders({ impls: opts.impls, only: opts.only, repoRoot: REPO_ROOT }))
  const meta = {
    skipped,
    noReusePort,
    versions,
    mode: opts.instructions ? 'instructions' : (opts.quick ? 'quick' : 'full'),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    options: { ...opts, impls: Object.fromEntries(opts.impls) }
  }
  if (opts.instructions) await runInstructions(opts, ok, meta)
  else await runLoad(opts, ok, meta)
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
