'use strict'
// A client that pipelines requests without ever reading the responses must
// not make the server buffer without bound (DESIGN.md #6, COMPAT.md #10):
// once the responses back up, the server stops reading that socket, so the
// client's writes stall too.
const assert = require('assert')
const net = require('net')
const { eachImpl } = require('./../helpers/impls')
const { listen, close } = require('./../helpers/net')

eachImpl('pipeline flood', (http) => {
  let server
  afterEach(() => close(server))

  it('stops reading a socket whose client pipelines requests and reads no response', async function () {
    this.timeout(15000)
    let requests = 0
    const body = Buffer.alloc(16 * 1024, 'r')
    server = http.createServer((req, res) => {
      requests++
      res.end(body)
    })
    const port = await listen(server)
    const sock = net.connect(port, '127.0.0.1')
    await new Promise((resolve) => sock.once('connect', resolve))
    sock.pause() // never read a byte of the responses
    // Padded requests fill the kernel's buffers within a few megabytes.
    const one = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(2000)}\r\n\r\n`
    const request = Buffer.from(one.repeat(256))
    const rssBefore = process.memoryUsage().rss
    // Write until the kernel buffers are full both ways (the server stopped
    // reading) or a generous bound is reached.
    let sent = 0
    const deadline = Date.now() + 8000
    while (Date.now() < deadline && sent < 50000) {
      if (!sock.write(request)) {
        const drained = await Promise.race([
          new Promise((resolve) => sock.once('drain', () => resolve(true))),
          new Promise((resolve) => setTimeout(resolve, 500, false)),
        ])
        if (!drained) break
      }
      sent += 256
    }
    const handled = requests
    await new Promise((resolve) => setTimeout(resolve, 300))
    const growth = process.memoryUsage().rss - rssBefore
    sock.destroy()
    // The client stalled well before its bound, because the server stopped
    // taking requests; the server answered only a bounded number of them.
    assert.ok(sent < 50000, `the client was never stalled (${sent} requests sent)`)
    assert.ok(handled < sent, `the server handled every request (${handled} of ${sent})`)
    assert.ok(growth < 256 * 1024 * 1024, `memory grew by ${growth} bytes`)
  })
})
