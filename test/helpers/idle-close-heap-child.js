'use strict'
// Run with --expose-gc by test/regressions/keep-alive-closed-connections.test.js:
// serves keep-alive connections, each asked for a few pipelined requests and
// closed by the client once answered (the connection waits for its next
// request when it closes), and prints the heap the server kept per
// connection, after warming up. argv[2]: the http module to serve with.
const net = require('net')
const http = require(process.argv[2])

const WARM_UP = 1000
const MEASURED = 2000
const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'

const server = http.createServer({ keepAliveTimeout: 30000 }, (req, res) => res.end('hi'))

function oneConnection (port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(GET.repeat(4)))
    let answered = 0
    socket.on('data', (d) => {
      answered += d.toString('latin1').split('hi').length - 1
      if (answered >= 4) socket.destroy()
    })
    socket.on('close', resolve)
    socket.on('error', () => {})
  })
}

async function heapAfterCollection () {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    global.gc()
  }
  return process.memoryUsage().heapUsed
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address()
  const connections = async (n) => { for (let i = 0; i < n; i++) await oneConnection(port) }
  await connections(WARM_UP)
  const before = await heapAfterCollection()
  await connections(MEASURED)
  const after = await heapAfterCollection()
  process.stdout.write(String(Math.round((after - before) / MEASURED)))
  server.close()
})
