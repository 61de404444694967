'use strict'
// The request line and default Host of a CONNECT request, which changed in
// Node 26: 26.5 sends the target (the request's path) as the default Host
// (nodejs/node#64114), and 26.11 drops the slash a URL puts before a target
// given as its path (nodejs/node#64876). Earlier lines send the server's
// authority and keep the path as given. Each case runs on node:http and
// uvhttp and is checked against the running release's rule.
const assert = require('assert')
const net = require('net')
const { eachImpl } = require('../helpers/impls')

const [major, minor] = process.versions.node.split('.').map(Number)
const since = (m) => major > 26 || (major === 26 && minor >= m)
const HOST_IS_TARGET = since(5)
const URL_PATH_UNSLASHED = since(11)

/** The head a request sends, read by a raw server that then closes. */
async function headSent (makeRequest) {
  const server = net.createServer()
  const head = new Promise((resolve) => {
    server.on('connection', (socket) => {
      let seen = ''
      socket.setEncoding('latin1')
      socket.on('data', (chunk) => {
        seen += chunk
        const end = seen.indexOf('\r\n\r\n')
        if (end !== -1) { resolve(seen.slice(0, end).split('\r\n')); socket.destroy() }
      })
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  const req = makeRequest(port)
  const failed = new Promise((resolve) => req.on('error', resolve))
  req.end()
  try {
    const lines = await head
    await failed // the server closed without answering
    return { port, lines }
  } finally {
    server.close()
  }
}

eachImpl('a CONNECT request\'s target and default Host', (http) => {
  it('options.path is the target; the default Host is the target from 26.5, the server\'s authority before', async () => {
    const { port, lines } = await headSent((port) => http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: 'example.com:443' }))
    assert.strictEqual(lines[0], 'CONNECT example.com:443 HTTP/1.1')
    assert.strictEqual(lines[1], HOST_IS_TARGET ? 'Host: example.com:443' : `Host: 127.0.0.1:${port}`)
  })

  it('a Host header given in the options wins on every line', async () => {
    const { lines } = await headSent((port) => http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: 'example.com:443', headers: { Host: 'given:1' } }))
    assert.deepStrictEqual(lines.slice(0, 2), ['CONNECT example.com:443 HTTP/1.1', 'Host: given:1'])
  })

  it('a target given as a URL\'s path loses the URL\'s slash from 26.11', async () => {
    const { lines } = await headSent((port) => http.request(`http://127.0.0.1:${port}/example.com:443`, { method: 'CONNECT' }))
    const target = URL_PATH_UNSLASHED ? 'example.com:443' : '/example.com:443'
    assert.strictEqual(lines[0], `CONNECT ${target} HTTP/1.1`)
    if (HOST_IS_TARGET) assert.strictEqual(lines[1], `Host: ${target}`)
  })

  it('a URL whose path is overridden by options.path keeps that path as given', async () => {
    const { lines } = await headSent((port) => http.request(`http://127.0.0.1:${port}/ignored`, { method: 'CONNECT', path: '/example.com:443' }))
    assert.strictEqual(lines[0], 'CONNECT /example.com:443 HTTP/1.1')
  })
})
