'use strict'
// Child process for the "exception in a request handler" test. argv[2] is the
// module id of the implementation under test. Its handler throws on /throw;
// the script records what reached process 'uncaughtException', checks that a
// second connection is still served, and prints one JSON line.
const impl = require(process.argv[2])
const client = require('http') // the client side is always Node's own http

const report = { uncaught: [], ok: null }
const done = (code) => { process.stdout.write(JSON.stringify(report) + '\n'); process.exit(code) }
setTimeout(() => { report.timedOut = true; done(2) }, 4000).unref()

process.on('uncaughtException', (err) => {
  report.uncaught.push({ message: err.message, isError: err instanceof Error, custom: err.custom })
})

const server = impl.createServer((req, res) => {
  if (req.url === '/throw') {
    const err = new Error('boom from handler')
    err.custom = 42
    throw err
  }
  res.end('still serving')
})

function get (port, path) {
  return new Promise((resolve, reject) => {
    const req = client.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { body += c })
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
  })
}

server.listen(0, '127.0.0.1', async () => {
  const port = server.address().port
  const thrower = client.get({ host: '127.0.0.1', port, path: '/throw', agent: false })
  thrower.on('error', () => {})
  thrower.on('response', () => { report.throwerGotResponse = true })
  while (report.uncaught.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  report.ok = await get(port, '/ok')
  thrower.destroy()
  server.close()
  done(0)
})
