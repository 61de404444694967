'use strict'
// Child process for the "exception in an 'upgrade' handler" test. argv[2] is
// the module id of the implementation under test. The handler takes the
// socket, listens for its data, then throws; the client's bytes after the
// head must reach the handler once, as `head`, and never again as 'data'.
// Prints one JSON line.
const impl = require(process.argv[2])
const net = require('net')

const report = { uncaught: [], head: null, data: '' }
const done = (code) => { process.stdout.write(JSON.stringify(report) + '\n'); process.exit(code) }
setTimeout(() => { report.timedOut = true; done(2) }, 4000).unref()

process.on('uncaughtException', (err) => { report.uncaught.push(err.message) })

const server = impl.createServer()
server.on('upgrade', (req, socket, head) => {
  report.head = head.toString()
  socket.on('data', (chunk) => { report.data += chunk })
  throw new Error('boom from upgrade')
})

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    client.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: demo\r\n\r\nHELLO')
  })
  client.on('error', () => {})
  const waitThenSend = setInterval(() => {
    if (report.uncaught.length === 0) return
    clearInterval(waitThenSend)
    client.write('MORE')
    setTimeout(() => { client.destroy(); server.close(); done(0) }, 100)
  }, 5)
})
