'use strict'
// A deliberately simple load for --instructions: one keep-alive connection,
// one GET at a time, the next sent only when the previous response is complete.
// Sequential load makes the server's work per request the same in every run
// (no batching luck), which is what an instruction count per request needs.
// Only parses what it must: the head end and Content-Length.

const net = require('net')

const HEAD_END = Buffer.from('\r\n\r\n')

/** Opens the connection; resolves a client with send(n, deadline) and close(). */
function connect (port, path = '/') {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.removeListener('error', reject)
      resolve({ send: (n, deadline) => sendMany(socket, request, n, deadline), close: () => socket.destroy() })
    })
  })
}

/** Sends n requests one after another; resolves when the n-th response has ended. */
function sendMany (socket, request, n, deadline) {
  return new Promise((resolve, reject) => {
    let done = 0
    let buf = Buffer.alloc(0)
    let need = -1 // bytes of the current response still expected, -1 = head not seen
    const finish = (err) => {
      clearTimeout(timer)
      socket.removeListener('data', onData)
      socket.removeListener('close', onClose)
      err ? reject(err) : resolve(done)
    }
    const onClose = () => finish(new Error(`server closed the connection after ${done}/${n} requests`))
    const onData = (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
      for (;;) {
        if (need < 0) {
          const end = buf.indexOf(HEAD_END)
          if (end === -1) return
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, end).toString('latin1'))
          if (!m) return finish(new Error('response without Content-Length'))
          need = end + HEAD_END.length + Number(m[1])
        }
        if (buf.length < need) return
        buf = buf.subarray(need)
        need = -1
        if (++done === n) return finish(null)
        socket.write(request)
      }
    }
    const timer = setTimeout(() => finish(new Error(`deadline passed after ${done}/${n} requests`)), Math.max(0, deadline - Date.now()))
    socket.on('data', onData)
    socket.on('close', onClose)
    if (n === 0) return finish(null)
    socket.write(request)
  })
}

module.exports = { connect }
