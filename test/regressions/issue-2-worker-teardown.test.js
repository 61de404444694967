'use strict'
// Issue 2 (found while running the suite on the sanitizer build): a Worker
// that ends while uvhttp still has a listener or sockets open on its loop
// aborted the whole process ("uv_loop_close() while having open handles"),
// because nothing closed the addon's libuv handles when the environment went
// away. The addon now closes them from an async environment cleanup hook,
// without calling into JS, and the environment waits for their close
// callbacks. Run in a child process: the failure mode is an abort.
const assert = require('assert')
const { execFile } = require('child_process')
const path = require('path')

const pkg = path.join(__dirname, '..', '..')

function runChild (script) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], { timeout: 20000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? err.signal) : 0, stdout, stderr })
    })
  })
}

describe('regression: issue 2, environment teardown with open handles', function () {
  this.timeout(30000)

  for (const how of ['terminate', 'process.exit']) {
    it(`a Worker ending by ${how} with a listener, server and client sockets open`, async function () {
      const script = `
        const { Worker } = require('worker_threads')
        const net = require('net')
        const workerCode = ${JSON.stringify(`
          const { parentPort } = require('worker_threads')
          const http = require(${JSON.stringify(pkg)})
          const agent = new http.Agent({ keepAlive: true })
          const server = http.createServer((req, res) => res.end('hi'))
          server.listen(0, '127.0.0.1', () => {
            const port = server.address().port
            // A keep-alive client socket of the engine, left in the pool.
            http.get({ host: '127.0.0.1', port, agent }, (res) => {
              res.resume()
              res.on('end', () => parentPort.postMessage(port))
            })
          })
          parentPort.on('message', (m) => { if (m === 'exit') process.exit(0) })
        `)}
        const w = new Worker(workerCode, { eval: true })
        w.on('error', (e) => { console.error(e); process.exit(3) })
        w.once('message', (port) => {
          // A socket of our own, kept open on the worker's server.
          const s = net.connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'))
          s.on('error', () => {})
          s.once('data', () => {
            w.once('exit', (code) => {
              s.destroy()
              console.log('worker gone ' + code)
            })
            if (${JSON.stringify(how)} === 'terminate') w.terminate()
            else w.postMessage('exit')
          })
        })
      `
      const { code, stdout, stderr } = await runChild(script)
      assert.strictEqual(code, 0, `child failed (${code}):\n${stderr}`)
      assert.match(stdout, /worker gone/)
    })
  }
})
