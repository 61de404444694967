'use strict'
// The process under load for npm run soak and npm run stress: one HTTP server
// of the implementation named on the command line (`node` for core http,
// `uvhttp` for this package), with the application an app module sets up.
// It talks to the script that forked it over IPC only: {port} once it
// listens, a sample of its own resources on request, a collection on request
// (started with --expose-gc), and a clean close on `stop`. An uncaught
// exception ends it with a non-zero code: that is a crash to the script.
// Usage (by server-process.js): node server-child.js <node|uvhttp> <app module> [options JSON]
const fs = require('fs')
const path = require('path')

const [impl, appModule, optionsJson] = process.argv.slice(2)
const http = impl === 'uvhttp' ? require(path.join(__dirname, '..', '..')) : require('http')
const app = require(path.resolve(appModule))
const server = app.createApp(http, JSON.parse(optionsJson || '{}'))

/** What this process holds now: memory, descriptors, handles. */
function sample () {
  const mem = process.memoryUsage()
  return {
    at: Date.now(),
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    external: mem.external,
    fds: fs.readdirSync('/proc/self/fd').length,
    // Node's own view; the engine's sockets are not in it (they are libuv
    // handles of the addon), so those are counted from the loop as well.
    resources: process.getActiveResourcesInfo().length,
    loopHandles: impl === 'uvhttp' ? require(path.join(__dirname, '..', '..', 'dist', 'engine', 'binding.js')).binding.activeHandles().length : null,
    // What the application counts of its own (stress-app.js: bytes streamed).
    app: app.stats ? app.stats() : null,
  }
}

// Node opens its stdio handles when first used (a warning, say): open them
// now, so that they count in the start value rather than as a leak.
void process.stdout
void process.stderr

process.on('message', (msg) => {
  if (msg.cmd === 'sample') {
    if (msg.gc && global.gc) global.gc()
    process.send({ id: msg.id, sample: sample() })
  } else if (msg.cmd === 'stop') {
    if (server.closeAllConnections) server.closeAllConnections()
    server.close(() => process.exit(0))
  }
})
process.on('disconnect', () => process.exit(0))

server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
