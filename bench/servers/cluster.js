'use strict'
// A node:cluster primary for the --workers scenarios (workers.js):
// `node cluster.js <n> <server script> <module path>` forks n workers, each
// running the server script (app.js) on the module, and announces their
// shared port once all n listen (protocol: announce.js). Workers that
// listen(0) in a cluster share one port the primary picks. The scheduling
// policy is cluster's default (round-robin: the primary accepts and hands
// each worker its connections) unless NODE_CLUSTER_SCHED_POLICY=none is in
// the environment. The workers' own announcements go to the primary's pipe
// (silent) and are dropped; their stderr is passed on. A worker that exits
// before the harness stops the primary is a failure; on SIGTERM the primary
// takes its workers with it.

const cluster = require('cluster')
const { fail, ready } = require('./announce')

const [count, script, ...args] = process.argv.slice(2)
const n = Number(count)
if (!(n >= 1) || !script) fail('usage: node cluster.js <workers> <server script> <module path>')

cluster.setupPrimary({ exec: script, args, silent: true })
const ports = new Set()
let listening = 0
let stopping = false
cluster.on('fork', (worker) => {
  worker.process.stdout.resume()
  worker.process.stderr.pipe(process.stderr)
})
cluster.on('listening', (worker, address) => {
  ports.add(address.port)
  if (++listening < n) return
  if (ports.size !== 1) fail(`workers listen on ${[...ports].join(', ')}, not one shared port`, 3)
  ready([...ports][0])
})
cluster.on('exit', (worker, code, signal) => {
  if (!stopping) fail(`worker ${worker.process.pid} exited (${code ?? signal})`, 3)
})
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    stopping = true
    for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM')
    process.exit(0)
  })
}
for (let i = 0; i < n; i++) cluster.fork()
