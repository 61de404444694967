'use strict'
// Child process for "a process whose upgrades are finished exits by itself"
// (issue 9.4). argv[2] is the module id of the implementation under test.
// Two rounds of: a client request asking for `Upgrade: Test` that writes a
// few bytes without ending; the server's 'upgrade' handler writes a 101 with
// bytes after it and ends its socket on 'end'; the client's 'upgrade'
// handler ends its socket. Then the server is closed, and nothing else is
// left to do: the process must exit on its own (no process.exit here). It
// prints one JSON line at exit.
const http = require(process.argv[2])

const report = { rounds: [], serverClosed: false, socketsClosed: 0 }
process.on('exit', () => process.stdout.write(JSON.stringify(report) + '\n'))

const server = http.createServer(() => { throw new Error('not an upgrade') })
server.on('upgrade', (req, socket) => {
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: Test\r\n\r\nhead')
  socket.on('end', () => socket.end())
  socket.on('close', () => report.socketsClosed++)
})

server.listen(0, '127.0.0.1', () => round(2))

function round (left) {
  const req = http.request({
    port: server.address().port,
    host: '127.0.0.1',
    headers: { Connection: 'Upgrade', Upgrade: 'Test' }
  })
  req.write('fooo')
  req.on('upgrade', (res, socket, head) => {
    report.rounds.push(`${res.statusCode} ${head}`)
    socket.on('close', () => report.socketsClosed++)
    socket.end()
    if (left > 1) round(left - 1)
    else server.close(() => { report.serverClosed = true })
  })
}
