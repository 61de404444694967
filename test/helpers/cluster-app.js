'use strict'
// A node:cluster application for the cluster tests (test/parity/cluster.test.js),
// run as a child of the test: argv[2] is the module id of the http
// implementation; NODE_CLUSTER_SCHED_POLICY ('rr' or 'none') picks how the
// primary shares the port, or argv[3] 'reusePort' has each worker bind the
// port itself (listen({ port, reusePort: true })). The primary forks two
// workers that listen on one port of 127.0.0.1, replaces a worker killed by
// a signal (not one that exits or fails to start), and talks to the test
// over IPC: it reports 'listening' (id, pid, port), 'exit' (id, code,
// signal, exitedAfterDisconnect) and what workers send ('closed': the
// callback of their server.close(); a worker whose server closed stays, as
// cluster's IPC channel holds it), and takes the commands 'kill' (SIGKILL a
// worker), 'disconnect' (worker.disconnect()) and 'shutdown' (disconnect
// every worker, exit once they have).
//
// A worker answers every request with JSON: { worker: its id, handle: the
// class of req.socket._handle, or null for a socket the uvhttp engine owns }.
// GET /busy?ms=N spins N ms first (a busy worker cannot accept, so the other
// takes the next connections), /slow?ms=N answers after N ms, /close calls
// server.close() first.
const cluster = require('cluster')

const reusePort = process.argv[3] === 'reusePort'

if (cluster.isPrimary) {
  const report = (msg) => { if (process.connected) process.send(msg) }
  // The port, once the first worker has it (a reusePort worker binds it itself).
  let port = 0
  const fork = () => cluster.fork({ APP_PORT: String(port) })
  const listening = (worker, address) => {
    report({ event: 'listening', id: worker.id, pid: worker.process.pid, port: address.port })
    if (port === 0) {
      port = address.port
      if (reusePort) fork()
    }
  }
  // An exclusive listen (reusePort) does not go through the primary, so
  // cluster has no 'listening' for it: those workers say so themselves.
  cluster.on('listening', listening)
  cluster.on('message', (worker, msg) => {
    if (msg.event === 'listening') listening(worker, msg)
    else report({ ...msg, id: worker.id })
  })
  cluster.on('exit', (worker, code, signal) => {
    report({ event: 'exit', id: worker.id, code, signal, exitedAfterDisconnect: worker.exitedAfterDisconnect })
    if (signal !== null && !worker.exitedAfterDisconnect) fork()
  })
  process.on('message', (msg) => {
    const worker = cluster.workers[msg.id]
    if (msg.cmd === 'kill') worker.process.kill('SIGKILL')
    else if (msg.cmd === 'disconnect') worker.disconnect()
    else if (msg.cmd === 'shutdown') shutdown()
  })
  // Every worker closes its servers and exits, then the primary. (Exiting
  // once cluster.disconnect() calls back would close the IPC channels while
  // the workers still tell the primary their handles are closed.)
  const shutdown = () => {
    const workers = Object.values(cluster.workers)
    let left = workers.length
    if (left === 0) process.exit(0)
    for (const worker of workers) {
      worker.once('exit', () => { if (--left === 0) process.exit(0) })
      worker.disconnect()
    }
  }
  // Never outlive the test.
  process.on('disconnect', () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGKILL')
    process.exit(1)
  })
  fork()
  if (!reusePort) fork()
} else {
  const http = require(process.argv[2])
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    const ms = Number(url.searchParams.get('ms') || 0)
    const reply = () => res.end(JSON.stringify({
      worker: cluster.worker.id,
      handle: req.socket._handle ? req.socket._handle.constructor.name : null
    }))
    if (url.pathname === '/busy') {
      const until = Date.now() + ms
      while (Date.now() < until);
      reply()
    } else if (url.pathname === '/slow') {
      setTimeout(reply, ms)
    } else if (url.pathname === '/close') {
      server.close((err) => process.send({ event: 'closed', error: err ? err.code : null }))
      reply()
    } else {
      reply()
    }
  })
  if (reusePort) {
    server.listen({ port: Number(process.env.APP_PORT), host: '127.0.0.1', reusePort: true }, () => {
      process.send({ event: 'listening', port: server.address().port })
    })
  } else {
    server.listen(0, '127.0.0.1')
  }
}
