'use strict'
// node:cluster (issue 13): a server in each worker listens through the
// primary, with both scheduling policies: round-robin (the primary accepts
// and hands each worker accepted sockets) and SCHED_NONE (the workers share
// the listening socket). Whatever the policy, uvhttp's engine serves every
// connection itself (req.socket has no JS handle), never through a JS socket.
// The application is test/helpers/cluster-app.js, a child of the test.
const assert = require('assert')
const childProcess = require('child_process')
const nodeHttp = require('http')
const path = require('path')
const { eachImpl } = require('../helpers/impls')
const { withTimeout, moduleIdFor } = require('../helpers/res-util')
const { nodeHasReusePort } = require('../helpers/net')

const app = path.join(__dirname, '..', 'helpers', 'cluster-app.js')

/** The cluster app with `policy` ('rr', 'none' or 'reusePort'), and the events its primary reported. */
async function startCluster (name, policy) {
  const child = childProcess.fork(app, [moduleIdFor(name), policy], {
    env: { ...process.env, NODE_CLUSTER_SCHED_POLICY: policy === 'none' ? 'none' : 'rr' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const events = []
  let wake = () => {}
  child.on('message', (msg) => { events.push(msg); wake() })
  child.on('exit', () => wake())
  const cluster = {
    child,
    events,
    /** Resolves the first reported event matching pred (already seen or to come). */
    event (pred, ms = 8000) {
      return withTimeout(new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(pred)
          if (found) return resolve(found)
          if (child.exitCode !== null) return reject(new Error(`cluster exited; events: ${JSON.stringify(events)}`))
          const prev = wake
          wake = () => { prev(); check() }
        }
        check()
      }), ms, `cluster event; events: ${JSON.stringify(events)}`)
    },
    send (msg) { child.send(msg) },
    async stop () {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send({ cmd: 'shutdown' })
      await withTimeout(exited, 5000, 'cluster shutdown').catch(() => {
        // A stuck cluster must not outlive the test: its workers too.
        for (const { pid } of events.filter((e) => e.event === 'listening')) {
          try { process.kill(pid, 'SIGKILL') } catch {}
        }
        child.kill('SIGKILL')
      })
    }
  }
  const first = await cluster.event((e) => e.event === 'listening')
  await cluster.event((e) => e.event === 'listening' && e.id !== first.id)
  cluster.port = first.port
  return cluster
}

/** GET path; resolves { status, body (parsed JSON) }. agent false: a new connection. */
function get (port, urlPath, agent = false) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = nodeHttp.get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }))
      res.on('error', reject)
    })
    req.on('error', reject)
  }), 5000, `GET ${urlPath}`)
}

/** `n` requests at once, each on a new connection, to a handler that keeps its worker busy for `ms`. */
function burst (port, n, ms = 20) {
  return Promise.all(Array.from({ length: n }, () => get(port, `/busy?ms=${ms}`)))
}

/**
 * Bursts of new connections until two workers have answered (at most 30):
 * every answer. Round-robin alternates; with SCHED_NONE whichever worker
 * wakes first accepts every pending connection, so it takes a few bursts.
 */
async function untilBothAnswer (port) {
  const answers = []
  for (let round = 0; round < 30; round++) {
    answers.push(...await burst(port, 10))
    if (new Set(answers.map((a) => a.body.worker)).size >= 2) break
  }
  return answers
}

/** Keep-alive agents (one connection each), by the worker that owns their connection; at least `perWorker` for each of two workers. */
async function connectionsToBoth (port, perWorker, agents) {
  const byWorker = new Map()
  for (let tries = 0; tries < 40; tries++) {
    const batch = Array.from({ length: 4 }, () => new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 }))
    agents.push(...batch)
    const answers = await Promise.all(batch.map((agent) => get(port, '/busy?ms=20', agent)))
    answers.forEach(({ body }, i) => {
      if (!byWorker.has(body.worker)) byWorker.set(body.worker, [])
      byWorker.get(body.worker).push(batch[i])
    })
    const counts = [...byWorker.values()].map((a) => a.length)
    if (counts.length === 2 && counts.every((c) => c >= perWorker)) return byWorker
  }
  throw new Error('could not reach both workers')
}

for (const policy of ['rr', 'none']) {
  eachImpl(`node:cluster, schedulingPolicy ${policy === 'rr' ? 'round-robin' : 'SCHED_NONE'}`, (http, name) => {
    let cluster = null
    const agents = []
    afterEach(async () => {
      for (const agent of agents.splice(0)) agent.destroy()
      if (cluster) await cluster.stop()
      cluster = null
    })

    it('both workers serve; the engine serves every connection itself', async function () {
      this.timeout(30000)
      cluster = await startCluster(name, policy)
      const answers = [...await burst(cluster.port, 20), ...await untilBothAnswer(cluster.port)]
      assert.ok(answers.every((a) => a.status === 200))
      assert.strictEqual(new Set(answers.map((a) => a.body.worker)).size, 2, JSON.stringify(answers.map((a) => a.body.worker)))
      // Node serves through a JS socket over a TCP handle; uvhttp natively.
      const handles = new Set(answers.map((a) => a.body.handle))
      assert.deepStrictEqual([...handles], [name === 'uvhttp' ? null : 'TCP'])
    })

    it('a worker that dies is replaced; requests on the other worker never fail', async function () {
      this.timeout(30000)
      cluster = await startCluster(name, policy)
      const byWorker = await connectionsToBoth(cluster.port, 1, agents)
      const [dying, surviving] = [...byWorker.keys()]
      const kept = byWorker.get(surviving)[0]
      cluster.send({ cmd: 'kill', id: dying })
      const replaced = cluster.event((e) => e.event === 'listening' && e.id > surviving && e.id > dying)
      let served = 0
      let done = false
      replaced.then(() => { done = true }, () => { done = true })
      while (!done) {
        const { status, body } = await get(cluster.port, '/', kept)
        assert.strictEqual(status, 200)
        assert.strictEqual(body.worker, surviving)
        served++
      }
      const exit = await cluster.event((e) => e.event === 'exit' && e.id === dying)
      assert.strictEqual(exit.signal, 'SIGKILL')
      const { id: replacement } = await replaced
      assert.ok(served > 0)
      const answers = await untilBothAnswer(cluster.port)
      assert.ok(answers.every((a) => a.status === 200))
      assert.deepStrictEqual(new Set(answers.map((a) => a.body.worker)), new Set([surviving, replacement]))
    })

    it('server.close() in a worker: idle connections close, the busy one finishes, the callback runs once the last is gone; the other worker takes every new connection', async function () {
      this.timeout(30000)
      cluster = await startCluster(name, policy)
      const byWorker = await connectionsToBoth(cluster.port, 3, agents)
      const [closing, other] = [...byWorker.keys()]
      const [closer, busy, idle] = byWorker.get(closing)
      const idleSocket = idle.freeSockets[Object.keys(idle.freeSockets)[0]][0]
      const idleClosed = new Promise((resolve) => idleSocket.once('close', resolve))
      const slow = get(cluster.port, '/slow?ms=300', busy)
      await new Promise((resolve) => setTimeout(resolve, 50))
      const closed = await get(cluster.port, '/close', closer)
      assert.deepStrictEqual([closed.status, closed.body.worker], [200, closing])
      await withTimeout(idleClosed, 2000, 'the idle connection closing')
      const answers = await burst(cluster.port, 10)
      assert.ok(answers.every((a) => a.status === 200 && a.body.worker === other))
      const late = await slow
      assert.deepStrictEqual([late.status, late.body.worker], [200, closing])
      assert.strictEqual(cluster.events.find((e) => e.event === 'closed'), undefined, 'close callback before the connections are gone')
      closer.destroy()
      busy.destroy()
      const cb = await cluster.event((e) => e.event === 'closed' && e.id === closing)
      assert.strictEqual(cb.error, null)
    })

    it('worker.disconnect() closes the worker\'s server: the request in flight completes, then the worker exits', async function () {
      this.timeout(30000)
      cluster = await startCluster(name, policy)
      const byWorker = await connectionsToBoth(cluster.port, 1, agents)
      const [leaving, other] = [...byWorker.keys()]
      const slow = get(cluster.port, '/slow?ms=300', byWorker.get(leaving)[0])
      await new Promise((resolve) => setTimeout(resolve, 50))
      cluster.send({ cmd: 'disconnect', id: leaving })
      const late = await slow
      assert.deepStrictEqual([late.status, late.body.worker], [200, leaving])
      byWorker.get(leaving)[0].destroy()
      const exit = await cluster.event((e) => e.event === 'exit' && e.id === leaving)
      assert.deepStrictEqual([exit.code, exit.signal, exit.exitedAfterDisconnect], [0, null, true])
      const answers = await burst(cluster.port, 6)
      assert.ok(answers.every((a) => a.status === 200 && a.body.worker === other))
    })
  })
}

eachImpl('node:cluster, workers listening with reusePort', (http, name) => {
  let cluster = null
  afterEach(async () => {
    if (cluster) await cluster.stop()
    cluster = null
  })

  // As Node 22.12+ does, reusePort makes a worker's listen exclusive: it binds
  // its own socket with SO_REUSEPORT instead of asking the primary.
  it('each worker binds the port itself; the kernel spreads connections; the engine serves them', async function () {
    this.timeout(30000)
    if (name === 'node:http' && !(await nodeHasReusePort())) this.skip()
    cluster = await startCluster(name, 'reusePort')
    const answers = await untilBothAnswer(cluster.port)
    assert.ok(answers.every((a) => a.status === 200))
    assert.strictEqual(new Set(answers.map((a) => a.body.worker)).size, 2)
    assert.deepStrictEqual([...new Set(answers.map((a) => a.body.handle))], [name === 'uvhttp' ? null : 'TCP'])
  })
})
