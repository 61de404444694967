'use strict'
// npm run soak -- --minutes N [--impl uvhttp|node] [--asan] [--interval S]
//
// One server process (scripts/load/server-child.js with soak-app.js) under
// the mixed load of scripts/load/soak-load.js for N minutes (default 10),
// sampled every S seconds (default 10): RSS, heap, open descriptors, Node's
// active resources (process.getActiveResourcesInfo) and the libuv handles of
// the loop (the engine's sockets are not among Node's resources). It passes
// when the server never crashed and no well-behaved client saw a wrong or
// failed answer; when its descriptors and handles are back to their start
// values once the load is over; and, over a window of 20 minutes or more
// after the warm-up (the first fifth of the run, at least a minute), when
// RSS grows by less than 1 MiB per 10 minutes (least squares over the
// samples, each taken after a full garbage collection, so that what is
// measured is what the server keeps). --asan runs the server on the ASan/UBSan build (npm run
// build:asan) and fails on any sanitizer report; RSS is not judged there
// (the sanitizer's quarantine grows by design).
// The last lines are a summary the README can quote, then "soak: OK" or
// "soak: FAILED (…)". Everything is bounded: the load by the duration, the
// wait for the server to settle by 30 s, the server's stop by 10 s.
const { execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { startServer } = require('./load/server-process')
const { runLoad } = require('./load/soak-load')

const MiB = 1024 * 1024
const SLOPE_LIMIT = 1 // MiB per 10 minutes
// A shorter window cannot tell 1 MiB per 10 minutes from the ±2 MiB the
// samples move by (a 7-minute run on the development machine measured
// slopes of -4 to +8 MiB per 10 minutes for flat series).
const MIN_WINDOW_S = 20 * 60
const root = path.join(__dirname, '..')

function parseArgs (argv) {
  const a = { minutes: 10, impl: 'uvhttp', asan: false, interval: 10 }
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]
    if (k === '--asan') a.asan = true
    else if (k === '--minutes') a.minutes = Number(argv[++i])
    else if (k === '--impl') a.impl = argv[++i]
    else if (k === '--interval') a.interval = Number(argv[++i])
    else throw new Error(`unknown argument ${k} (--minutes N, --impl uvhttp|node, --asan, --interval S)`)
  }
  if (!(a.minutes > 0) || !(a.interval > 0) || !['uvhttp', 'node'].includes(a.impl)) throw new Error('bad arguments')
  return a
}

/** The sanitizer build's environment for the server, and where its reports go. */
function asanEnv () {
  const addon = path.join(root, 'build-asan', 'Release', 'uvhttp.node')
  if (!fs.existsSync(addon)) throw new Error(`${addon} missing: run npm run build:asan first`)
  const logs = path.join(root, 'build-asan', 'soak-logs')
  fs.rmSync(logs, { recursive: true, force: true })
  fs.mkdirSync(logs, { recursive: true })
  const lib = (name) => execFileSync('g++', [`-print-file-name=${name}`]).toString().trim()
  return {
    logs,
    env: {
      UVHTTP_ADDON_PATH: addon,
      LD_PRELOAD: `${lib('libasan.so')} ${lib('libubsan.so')}`,
      ASAN_OPTIONS: `detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86:log_path=${logs}/asan`,
      UBSAN_OPTIONS: `print_stacktrace=1:halt_on_error=1:exitcode=87:log_path=${logs}/ubsan`,
    },
  }
}

/** Least-squares slope of RSS over time, in MiB per 10 minutes. */
function rssSlope (samples) {
  const n = samples.length
  const xs = samples.map((s) => s.at / 1000)
  const ys = samples.map((s) => s.rss / MiB)
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my)
    den += (xs[i] - mx) ** 2
  }
  return den === 0 ? 0 : (num / den) * 600
}

const mib = (b) => (b / MiB).toFixed(1)
const fmt = (n) => n.toLocaleString('en-US')

function line (t0, s, stats) {
  const ops = Object.entries(stats).filter(([k]) => k !== 'firstErrors').map(([k, v]) => `${k} ${fmt(v.ok)}${v.errors ? ` (${v.errors} errors)` : ''}`).join(', ')
  return `soak: ${Math.round((s.at - t0) / 1000)} s: RSS ${mib(s.rss)} MiB, heap ${mib(s.heapUsed)} MiB, fds ${s.fds}, resources ${s.resources}` +
    (s.loopHandles === null ? '' : `, loop handles ${s.loopHandles}`) + (ops ? `; ${ops}` : '')
}

async function main () {
  const args = parseArgs(process.argv.slice(2))
  const asan = args.asan ? asanEnv() : null
  const server = await startServer({ impl: args.impl, app: path.join(__dirname, 'load', 'soak-app.js'), env: asan ? asan.env : {} })
  console.log(`soak: ${args.minutes} min of mixed load on ${args.impl}${args.asan ? ' (ASan/UBSan build)' : ''}, server pid ${server.pid}, Node ${process.version}, samples every ${args.interval} s`)
  const start = await server.sample(true)
  const t0 = start.at
  const end = t0 + args.minutes * 60000
  const stats = {}
  const samples = [start]
  console.log(line(t0, start, stats))
  const sampler = setInterval(async () => {
    const s = await server.sample(true)
    if (s === null) return
    samples.push(s)
    console.log(line(t0, s, stats))
  }, args.interval * 1000)
  const until = () => (server.crashed() ? 0 : end)
  await runLoad(server.port, until, stats)
  clearInterval(sampler)

  // Settled: every connection gone, so descriptors and handles are what they were.
  let last = await server.sample(true)
  const settleBy = Date.now() + 30000
  const settled = (s) => s.fds <= start.fds && s.resources <= start.resources && (s.loopHandles === null || s.loopHandles <= start.loopHandles)
  while (last !== null && !settled(last) && Date.now() < settleBy) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    last = await server.sample(true)
  }
  const crash = server.crashed()
  const exit = await server.stop()

  // ---- the verdict ----------------------------------------------------------------
  const failures = []
  const total = Object.entries(stats).filter(([k]) => k !== 'firstErrors').reduce((a, [, v]) => a + v.ok, 0)
  const errors = Object.entries(stats).filter(([k]) => k !== 'firstErrors' && k !== 'aborted mid-body').reduce((a, [, v]) => a + v.errors, 0)
  const crashes = crash || exit.code !== 0 ? 1 : 0
  if (crashes) failures.push(`the server ${crash ? 'crashed' : 'did not stop cleanly'} (${exit.code ?? exit.signal})`)
  if (errors) failures.push(`${errors} failed or wrong answers: ${stats.firstErrors.join('; ')}`)
  const durationS = ((last ? last.at : Date.now()) - t0) / 1000
  const warmupS = Math.max(60, (args.minutes * 60) / 5)
  const window = samples.filter((s) => s.at - t0 >= warmupS * 1000)
  const slope = window.length >= 2 ? rssSlope(window) : NaN
  const windowS = window.length >= 2 ? (window[window.length - 1].at - window[0].at) / 1000 : 0
  const judged = !args.asan && windowS >= MIN_WINDOW_S
  if (judged && !(slope < SLOPE_LIMIT)) failures.push(`RSS grows ${slope.toFixed(2)} MiB per 10 min after warm-up (limit ${SLOPE_LIMIT})`)
  if (last === null) failures.push('no final sample')
  else if (!settled(last)) failures.push(`not back to the start: fds ${start.fds} -> ${last.fds}, resources ${start.resources} -> ${last.resources}, loop handles ${start.loopHandles} -> ${last.loopHandles}`)
  if (asan) {
    const reports = fs.readdirSync(asan.logs).filter((f) => /^(asan|ubsan)/.test(f))
    for (const f of reports) console.log(`== ${f}\n${fs.readFileSync(path.join(asan.logs, f), 'utf8').split('\n').slice(0, 60).join('\n')}`)
    if (reports.length) failures.push('sanitizer report')
  }

  const kinds = Object.entries(stats).filter(([k]) => k !== 'firstErrors').map(([k, v]) => `${k} ${fmt(v.ok)}`).join(', ')
  const date = new Date().toISOString().slice(0, 10)
  console.log(`soak: summary: ${(durationS / 60).toFixed(1)} min on ${date}, ${args.impl}${args.asan ? ' (ASan/UBSan)' : ''} on Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB`)
  console.log(`soak: ${fmt(total)} exchanges (${kinds}); ${crashes} crashes, ${errors} failed answers`)
  const windowText = windowS > 0 ? `over ${(windowS / 60).toFixed(1)} min after a ${(warmupS / 60).toFixed(1)} min warm-up` : 'no samples after the warm-up'
  const slopeText = Number.isNaN(slope) ? 'n/a' : `${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MiB per 10 min`
  const verdict = judged ? `limit ${SLOPE_LIMIT}` : args.asan ? 'not judged on the sanitizer build' : `not judged: under ${MIN_WINDOW_S / 60} min`
  const peak = samples.concat(last || []).reduce((m, s) => Math.max(m, s.rss), 0)
  console.log(`soak: RSS ${mib(start.rss)} MiB at the start, ${mib(peak)} MiB at the peak, ${last ? mib(last.rss) : '?'} MiB at the end; slope ${slopeText} ${windowText} (${verdict})`)
  if (last) {
    console.log(`soak: at the end, after the load: fds ${start.fds} -> ${last.fds}, Node's resources ${start.resources} -> ${last.resources}` +
      (start.loopHandles === null ? '' : `, libuv handles ${start.loopHandles} -> ${last.loopHandles}`) + `, heap ${mib(start.heapUsed)} -> ${mib(last.heapUsed)} MiB`)
  }
  console.log(failures.length ? `soak: FAILED (${failures.join('; ')})` : 'soak: OK')
  process.exitCode = failures.length ? 1 : 0
}

main().catch((err) => {
  console.log(`soak: FAILED (${err.message})`)
  process.exitCode = 1
})
