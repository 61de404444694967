'use strict'
// listen({ port, reusePort: true }) (issue 13.2): independent processes bind
// one port with SO_REUSEPORT and the kernel spreads new connections over
// them. Node has the option from 22.12 (earlier lines ignore it, so there the
// node:http run is skipped); uvhttp binds natively and has it on every line.
const assert = require('assert')
const childProcess = require('child_process')
const nodeHttp = require('http')
const path = require('path')
const { once } = require('events')
const { eachImpl } = require('../helpers/impls')
const { withTimeout, moduleIdFor } = require('../helpers/res-util')
const { nodeHasReusePort } = require('../helpers/net')

const child = path.join(__dirname, '..', 'helpers', 'reuse-port-child.js')

/** A server process; resolves { proc, line } once it printed "listening <port>" or "error <code>". */
function start (name, port, reuse) {
  const proc = childProcess.spawn(process.execPath, [child, moduleIdFor(name), String(port), reuse ? 'reuse' : ''], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  return withTimeout(new Promise((resolve, reject) => {
    proc.stdout.on('data', (c) => {
      out += c
      const line = out.split('\n').find((l) => /^(listening|error) /.test(l))
      if (line) resolve({ proc, line })
    })
    proc.on('exit', (code) => reject(new Error(`server process exited with ${code}: ${out}`)))
  }), 5000, 'server process start')
}

async function stop (proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = once(proc, 'exit')
  proc.stdin.end()
  await withTimeout(exited, 3000, 'server process exit').catch(() => proc.kill('SIGKILL'))
}

function get (port) {
  return withTimeout(new Promise((resolve, reject) => {
    nodeHttp.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      let text = ''
      res.on('data', (c) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode, pid: Number(text) }))
    }).on('error', reject)
  }), 5000, 'GET')
}

eachImpl('listen({ reusePort })', (http, name) => {
  const procs = []
  afterEach(async () => { await Promise.all(procs.splice(0).map(stop)) })

  it('two processes listen on one port; the kernel spreads new connections over both', async function () {
    this.timeout(20000)
    if (name === 'node:http' && !(await nodeHasReusePort())) this.skip()
    const a = await start(name, 0, true)
    procs.push(a.proc)
    assert.match(a.line, /^listening \d+$/)
    const port = Number(a.line.split(' ')[1])
    const b = await start(name, port, true)
    procs.push(b.proc)
    assert.strictEqual(b.line, `listening ${port}`)
    const answers = []
    for (let round = 0; round < 20 && new Set(answers.map((r) => r.pid)).size < 2; round++) {
      answers.push(...await Promise.all(Array.from({ length: 10 }, () => get(port))))
    }
    assert.ok(answers.every((r) => r.status === 200))
    assert.deepStrictEqual(new Set(answers.map((r) => r.pid)), new Set([a.proc.pid, b.proc.pid]))
  })

  it('without reusePort the second process cannot listen: EADDRINUSE', async function () {
    this.timeout(10000)
    const a = await start(name, 0, false)
    procs.push(a.proc)
    const port = Number(a.line.split(' ')[1])
    const b = await start(name, port, false)
    procs.push(b.proc)
    assert.strictEqual(b.line, 'error EADDRINUSE')
  })
})
