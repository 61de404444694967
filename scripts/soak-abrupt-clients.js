'use strict'
// Clients that misbehave, for scripts/soak-asan.sh: each connects, sends a
// burst of pipelined GETs (1 to 40) and the start of a POST whose body never
// completes, then resets the connection after 0 to 6 ms, so the server meets
// resets mid-pipeline, mid-body and mid-write. 20 at a time, `count` in all.
// Usage: node soak-abrupt-clients.js <port> [count]
const net = require('net')

const port = Number(process.argv[2])
const count = Number(process.argv[3] || 3000)
const GET = 'GET / HTTP/1.1\r\nHost: soak\r\n\r\n'
const POST = 'POST /length HTTP/1.1\r\nHost: soak\r\nContent-Length: 100000\r\n\r\n'

let started = 0
let finished = 0

function one () {
  const n = started++
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(GET.repeat(1 + (n % 40)) + POST + 'x'.repeat(n % 5000))
    setTimeout(() => socket.resetAndDestroy(), n % 7)
  })
  socket.on('error', () => {})
  socket.on('close', () => {
    finished++
    if (started < count) one()
    else if (finished === count) console.log(`soak: ${count} abrupt clients done`)
  })
}

for (let i = 0; i < 20 && started < count; i++) one()
