'use strict'
// Command-line options of bench/run.js, with their defaults in one place.

const path = require('path')
const { SCENARIOS, QUICK_IDS, WORKER_BASES } = require('./scenarios')

const REPO_ROOT = path.resolve(__dirname, '..')

const HELP = `usage: npm run bench -- [options]

  --quick               smoke test: 1 round, 1 s per wrk run, fewer connections
                        and requests, scenarios ${QUICK_IDS.join(',')}
  --instructions        instructions per request under callgrind instead of load
  --update-readme       after a full run: rewrite the README's bench section and
                        bench/chart.svg (refused with --quick, --scenarios, --only);
                        with --workers, also (or, with --scenarios, only) its
                        workers section and bench/chart-workers.svg
  --workers N           also run ${WORKER_BASES.join(' and ')} (those selected) with 1 and N server
                        processes, each via node:cluster, via listen({ reusePort })
                        and behind nginx; a list (1,2,4) gives the counts
  --rounds N            rounds, contenders interleaved in each (default 3)
  --duration S          measured seconds per wrk run (default 5; quick 1)
  --warmup S            unmeasured wrk seconds before each run (default 1; quick 0)
  --scenarios LIST      e.g. S1,F1,C2 (default all: ${SCENARIOS.map((s) => s.id).join(',')})
  --requests N          client scenarios' request count (default 50000; quick 3000)
  --impl NAME=PATH      add or replace an http-shaped contender; PATH is given to
                        require() (defaults: core=http uvhttp=${REPO_ROOT})
  --only LIST           run only these contenders (core is always kept), among
                        core, uvhttp, --impl names, floor, undici.request, undici.Pool
  --server-core N       core for the measured process (default 0)
  --load-core N         core for wrk / the fixed client peer (default 1)
  --n1 N --n2 N         --instructions request counts (default 8000, 16000)
  --iwarmup N           --instructions warm-up requests (default 2000)
  --out DIR             results folder (default bench/results)
  --help
`


function parseArgs (argv) {
  const o = {
    quick: false,
    instructions: false,
    updateReadme: false,
    rounds: undefined,
    duration: undefined,
    warmup: undefined,
    scenarios: undefined,
    workers: null,
    requests: undefined,
    impls: new Map([['core', 'http'], ['uvhttp', REPO_ROOT]]),
    only: null,
    serverCore: 0,
    loadCore: 1,
    n1: 8000,
    n2: 16000,
    iwarmup: 2000,
    out: path.join(__dirname, 'results')
  }
  const num = (v, name) => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a number, got ${v}`)
    return n
  }
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    switch (a) {
      case '--quick': o.quick = true; break
      case '--instructions': o.instructions = true; break
      case '--update-readme': o.updateReadme = true; break
      case '--rounds': o.rounds = Math.max(1, Math.round(num(val(), a))); break
      case '--duration': o.duration = Math.max(1, Math.round(num(val(), a))); break
      case '--warmup': o.warmup = Math.round(num(val(), a)); break
      case '--scenarios': o.scenarios = val().split(',').map((s) => s.trim().toUpperCase()); break
      case '--workers': {
        const counts = val().split(',').map((v) => Math.round(num(v, a)))
        if (counts.some((n) => n < 1)) throw new Error('--workers counts processes: 1 or more')
        // One count N means 1 and N: the single process is what N is compared with.
        o.workers = [...new Set(counts.length === 1 ? [1, counts[0]] : counts)].sort((x, y) => x - y)
        break
      }
      case '--requests': o.requests = Math.max(1, Math.round(num(val(), a))); break
      case '--impl': {
        const v = val()
        const eq = v.indexOf('=')
        if (eq < 1) throw new Error(`--impl wants NAME=PATH, got ${v}`)
        const p = v.slice(eq + 1)
        // Paths are relative to where the user is; bare names go to require().
        o.impls.set(v.slice(0, eq), p.startsWith('.') ? path.resolve(p) : p)
        break
      }
      case '--only': o.only = val().split(',').map((s) => s.trim()); break
      case '--server-core': o.serverCore = num(val(), a); break
      case '--load-core': o.loadCore = num(val(), a); break
      case '--n1': o.n1 = Math.round(num(val(), a)); break
      case '--n2': o.n2 = Math.round(num(val(), a)); break
      case '--iwarmup': o.iwarmup = Math.round(num(val(), a)); break
      case '--out': o.out = path.resolve(val()); break
      case '--help': case '-h': o.help = true; break
      default: throw new Error(`unknown option ${a} (try --help)`)
    }
  }
  if (!o.impls.has('core')) throw new Error('the core contender is the baseline and cannot be removed')
  // The README shows every scenario of a full run, and its chart every
  // contender; its workers section every variant of S1 and S2.
  if (o.updateReadme && (o.quick || o.only || o.instructions || (o.scenarios && !o.workers))) {
    throw new Error('--update-readme needs a full run: without --quick, --scenarios, --only or --instructions (--scenarios only beside --workers)')
  }
  if (o.workers && o.instructions) throw new Error('--workers is for load runs, not --instructions')
  o.rounds ??= o.quick ? 1 : 3
  o.duration ??= o.quick ? 1 : 5
  o.warmup ??= o.quick ? 0 : 1
  const ids = o.scenarios ?? (o.quick ? QUICK_IDS : SCENARIOS.map((s) => s.id))
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id))
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(',')}`)
  o.scenarioIds = ids
  if (o.workers && !ids.some((id) => WORKER_BASES.includes(id))) {
    throw new Error(`--workers varies ${WORKER_BASES.join(' and ')}: --scenarios has neither`)
  }
  if (o.updateReadme && o.workers && o.scenarios && !WORKER_BASES.every((id) => ids.includes(id))) {
    throw new Error(`--update-readme --workers needs ${WORKER_BASES.join(' and ')} for the README's workers section`)
  }
  return o
}

module.exports = { parseArgs, HELP, REPO_ROOT }
