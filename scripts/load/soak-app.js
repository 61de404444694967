'use strict'
// The application npm run soak serves: the benchmark's routes (hello, a
// body's length, 1 MiB in 64 KiB writes with backpressure; bench/servers/
// routes.js) and an echo over 'upgrade', so one process meets every path.
const { route } = require('../../bench/servers/routes')

function createApp (http) {
  // Long enough that a keep-alive client never races the server's close.
  const server = http.createServer({ keepAliveTimeout: 30000 }, route)
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {})
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n')
    if (head.length) socket.write(head)
    socket.pipe(socket)
  })
  return server
}

module.exports = { createApp }
