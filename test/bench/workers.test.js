'use strict'
// `npm run bench -- --workers N` (issue 13.4): the variants of S1 and S2 are
// served by several processes (bench/workers.js), and a run's CPU time is
// every server process's (bench/proc.js). These tests start the real thing
// (a cluster primary and its workers, reusePort processes, nginx in front)
// through the harness's own code, send requests through it, and check what
// the measurement counts and that stopping leaves nothing running.
const assert = require('assert')
const childProcess = require('child_process')
const fs = require('fs')
const nodeHttp = require('http')
const { parseArgs, REPO_ROOT } = require('../../bench/options')
const { SCENARIOS, withWorkers } = require('../../bench/scenarios')
const contenders = require('../../bench/contenders')
const { startWorkers, serverCores, reusePortMissing } = require('../../bench/workers')
const { cpuMeter } = require('../../bench/proc')
const { which } = require('../helpers/reverse-proxy')
const { nodeHasReusePort } = require('../helpers/net')
const { withTimeout, waitFor } = require('../helpers/res-util')

const alive = (pid) => fs.existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
const opts = { serverCore: 0, loadCore: 1 }

/** GET / on a new connection; resolves the body. */
function hello (port) {
  return withTimeout(new Promise((resolve, reject) => {
    nodeHttp.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (c) => { body += c })
      res.on('end', () => resolve(body))
    }).on('error', reject)
  }), 5000, 'GET /')
}

describe('bench --workers: options and cores', () => {
  it('--workers N runs 1 and N processes; a list is taken as given; S1 or S2 must be in the run', () => {
    const args = (...a) => parseArgs(['node', 'run.js', ...a])
    assert.deepStrictEqual(args('--workers', '2').workers, [1, 2])
    assert.deepStrictEqual(args('--workers', '4,1,2').workers, [1, 2, 4])
    assert.strictEqual(args().workers, null)
    assert.throws(() => args('--workers', '0'), /1 or more/)
    assert.throws(() => args('--workers', '2', '--scenarios', 'S3'), /varies S1 and S2/)
    assert.throws(() => args('--workers', '2', '--instructions'), /not --instructions/)
    assert.throws(() => args('--update-readme', '--workers', '2', '--scenarios', 'S1'), /needs S1 and S2/)
    assert.strictEqual(args('--update-readme', '--workers', '2', '--scenarios', 'S1,S2').updateReadme, true)
  })

  it('S1 and S2 get a variant per way and count; the others none', () => {
    const s1 = SCENARIOS.find((s) => s.id === 'S1')
    assert.deepStrictEqual(withWorkers(s1, [1, 2]).map((v) => v.id), ['S1-c1', 'S1-c2', 'S1-r1', 'S1-r2', 'S1-n1', 'S1-n2'])
    assert.deepStrictEqual(withWorkers(SCENARIOS.find((s) => s.id === 'S3'), [1, 2]), [])
  })

  it('the floor sits the variants out, and core without reusePort the reusePort ones', () => {
    const [v] = withWorkers(SCENARIOS.find((s) => s.id === 'S1'), [2]).filter((x) => x.via === 'reusePort')
    const list = contenders.allContenders({ impls: new Map([['core', 'http'], ['uvhttp', REPO_ROOT]]), only: null, repoRoot: REPO_ROOT })
    const by = (name) => list.find((c) => c.name === name)
    assert.strictEqual(contenders.takesPart(by('uvhttp'), v), true)
    assert.strictEqual(contenders.takesPart(by('floor'), v), false)
    assert.strictEqual(contenders.takesPart({ ...by('core'), noReusePort: 'none on this line' }, v), false)
  })

  it('N processes get N cores besides wrk\'s, or every core when there are too few', () => {
    assert.deepStrictEqual(serverCores(1, opts, 2), { cores: [0], sharesLoad: false })
    assert.deepStrictEqual(serverCores(2, opts, 2), { cores: [0, 1], sharesLoad: true })
    assert.deepStrictEqual(serverCores(4, { serverCore: 2, loadCore: 0 }, 8), { cores: [2, 3, 4, 5], sharesLoad: false })
    assert.deepStrictEqual(serverCores(7, { serverCore: 2, loadCore: 0 }, 8), { cores: [2, 3, 4, 5, 6, 7, 1], sharesLoad: false })
  })
})

describe('bench --workers: CPU time of a process and its descendants (bench/proc.js)', function () {
  this.timeout(20000)
  const procs = []
  afterEach(() => { for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL') })

  // A parent that forks a child burning 400 ms of CPU (its own CPU time, not
  // the clock's: on a loaded machine it is not always running), says "burnt" once it
  // has, and stays until its stdin ends (the child too).
  const FAMILY = `
    const { spawn } = require('child_process')
    const child = spawn(process.execPath, ['-e', 'const busy = () => { const u = process.cpuUsage(); return u.user + u.system }; while (busy() < 400e3); process.stdout.write("x"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0))'], { stdio: ['pipe', 'pipe', 'inherit'] })
    child.stdout.once('data', () => process.stdout.write('burnt ' + child.pid + '\\n'))
    process.stdin.resume()
    process.stdin.on('end', () => { child.stdin.end(); child.on('exit', () => process.exit(0)) })`

  function family () {
    const parent = childProcess.spawn(process.execPath, ['-e', FAMILY], { stdio: ['pipe', 'pipe', 'inherit'] })
    procs.push(parent)
    const burnt = withTimeout(new Promise((resolve) => {
      let out = ''
      parent.stdout.on('data', (c) => {
        out += c
        const m = /burnt (\d+)\n/.exec(out)
        if (m) resolve(Number(m[1]))
      })
    }), 10000, 'the child burning CPU')
    return { parent, burnt }
  }

  it('counts a process forked after the snapshot, from its start', async () => {
    const { parent, burnt } = family()
    const meter = cpuMeter([parent.pid])
    const childPid = await burnt
    const { seconds, pids } = meter.since()
    assert.deepStrictEqual(pids.sort(), [parent.pid, childPid].sort())
    // The child used 400 ms of CPU or more (less counted only if a tick was lost).
    assert(seconds >= 0.35, `${seconds} CPU seconds counted`)
    parent.stdin.end()
    await withTimeout(new Promise((resolve) => parent.on('exit', resolve)), 5000, 'exit')
  })

  it('a process gone before the end fails the measurement', async () => {
    const { parent, burnt } = family()
    await burnt
    const meter = cpuMeter([parent.pid])
    parent.stdin.end()
    await withTimeout(new Promise((resolve) => parent.on('exit', resolve)), 5000, 'exit')
    assert.throws(() => meter.since(), /exited during the run/)
  })
})

describe('bench --workers: the processes of each way (bench/workers.js)', function () {
  this.timeout(60000)
  const s1 = SCENARIOS.find((s) => s.id === 'S1')
  const variant = (via) => withWorkers(s1, [2]).find((v) => v.via === via)
  const uvhttp = { name: 'uvhttp', kind: 'http', modulePath: REPO_ROOT }
  const core = { name: 'core', kind: 'http', modulePath: 'http' }
  let serving = null

  before(function () {
    if (!which('taskset')) {
      console.log('      taskset is not installed here: skipped (bench/setup.sh installs it)')
      this.skip()
    }
  })
  afterEach(async () => { if (serving) await serving.stop(); serving = null })

  /** Starts the variant, checks it answers over several connections, and resolves what was measured and started. */
  async function serve (c, via) {
    serving = await startWorkers(contenders.server(c, variant(via)), variant(via), opts)
    const servers = cpuMeter(serving.servers)
    const proxy = serving.proxy && cpuMeter([serving.proxy])
    for (let i = 0; i < 6; i++) assert.strictEqual(await hello(serving.port), 'Hello, World!')
    return { servers: servers.since().pids, proxy: proxy && proxy.since().pids }
  }

  async function stopped (pids) {
    await serving.stop()
    serving = null
    await waitFor(() => !pids.some(alive), 5000, 'every process gone')
  }

  it('cluster: the primary and both workers are counted, and all stop', async () => {
    const { servers } = await serve(uvhttp, 'cluster')
    assert.strictEqual(servers.length, 3)
    await stopped(servers)
  })

  it('reusePort: two processes on one port, both counted', async () => {
    const { servers } = await serve(uvhttp, 'reusePort')
    assert.strictEqual(servers.length, 2)
    await stopped(servers)
  })

  it('nginx: two servers counted, nginx (master and worker) apart', async function () {
    if (!which('nginx')) {
      console.log('      nginx is not installed here: skipped (bench/setup.sh nginx installs it)')
      this.skip()
    }
    const { servers, proxy } = await serve(core, 'nginx')
    assert.strictEqual(servers.length, 2)
    assert.strictEqual(proxy.length, 2)
    assert(!proxy.some((pid) => servers.includes(pid)))
    await stopped([...servers, ...proxy])
  })

  it('the reusePort probe: uvhttp shares the port on every line, core http from Node 22.12', async () => {
    assert.strictEqual(await reusePortMissing(contenders.server(uvhttp, s1), opts, 'uvhttp'), null)
    const why = await reusePortMissing(contenders.server(core, s1), opts, 'core')
    if (await nodeHasReusePort()) assert.strictEqual(why, null)
    else assert.match(why, /^core on Node v\d+\.\d+\.\d+ has no listen\(\{ reusePort \}\) .*gets EADDRINUSE$/)
  })
})
