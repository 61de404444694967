'use strict'
// Bodies and backpressure both ways (COMPAT.md #10) with each
// implementation's client: a large upload written as fast as write() allows
// ('drain'), piped uploads, and a response read slowly, which must hold the
// server back instead of piling up in the client.
const assert = require('assert')
const crypto = require('crypto')
const stream = require('stream')
const { eachImpl } = require('../helpers/impls')
const { SERVERS, useServers, withTimeout, waitFor } = require('../helpers/client-util')

const MB = 1024 * 1024

eachImpl('client bodies', (http) => {
  const servers = useServers()

  for (const [serverName, serverHttp] of SERVERS) {
    describe(`against the ${serverName}`, () => {
      it('a large upload honours write() === false and \'drain\'', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          const hash = crypto.createHash('sha1')
          let n = 0
          req.on('data', (c) => { hash.update(c); n += c.length })
          req.on('end', () => res.end(`${n} ${hash.digest('hex')}`))
        })
        const chunk = crypto.randomBytes(64 * 1024)
        const total = 16 * MB
        const expected = crypto.createHash('sha1')
        let falses = 0
        let drains = 0
        const body = await withTimeout(new Promise((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (d) => { text += d })
            res.on('end', () => resolve(text))
          })
          req.on('error', reject)
          req.on('drain', () => drains++)
          let sent = 0
          const pump = () => {
            while (sent < total) {
              expected.update(chunk)
              sent += chunk.length
              if (!req.write(chunk)) {
                falses++
                req.once('drain', pump)
                return
              }
            }
            req.end()
          }
          pump()
        }), 8000, 'upload')
        assert.strictEqual(body, `${total} ${expected.digest('hex')}`)
        assert(falses > 0, 'write() never returned false')
        assert.strictEqual(drains, falses)
      })

      it('stream.pipeline(readable, req) uploads chunked', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          let n = 0
          req.on('data', (c) => { n += c.length })
          req.on('end', () => res.end(`${req.headers['transfer-encoding']} ${n}`))
        })
        const body = await withTimeout(new Promise((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, method: 'PUT' }, (res) => {
            let text = ''
            res.on('data', (d) => { text += d })
            res.on('end', () => resolve(text))
          })
          req.on('error', reject)
          let left = 200
          const source = new stream.Readable({
            read () { this.push(left-- > 0 ? Buffer.alloc(10000, 7) : null) }
          })
          stream.pipeline(source, req, (err) => { if (err) reject(err) })
        }), 5000, 'pipeline')
        assert.strictEqual(body, 'chunked 2000000')
      })

      it('a slow reader holds the server back; every byte arrives', async () => {
        const total = 8 * MB
        const state = { written: 0, blocked: false }
        const { port } = await servers.http(serverHttp, (req, res) => {
          res.setHeader('Content-Length', total)
          const chunk = Buffer.alloc(64 * 1024, 'x')
          const pump = () => {
            while (state.written < total) {
              state.written += chunk.length
              if (!res.write(chunk)) {
                state.blocked = true
                res.once('drain', pump)
                return
              }
            }
            res.end()
          }
          pump()
        })
        let received = 0
        let paused = 0
        await withTimeout(new Promise((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
            // A few chunks every couple of milliseconds, nothing in between.
            const step = () => {
              let c
              for (let n = 0; n < 4 && (c = res.read()) !== null; n++) received += c.length
              paused++
              if (!res.readableEnded) setTimeout(step, 2)
            }
            res.on('end', resolve)
            step()
          })
          req.on('error', reject)
        }), 8000, 'slow download')
        assert.strictEqual(received, total)
        assert(state.blocked, 'the server never met backpressure')
        assert(paused > 1)
      })

      it('after a response read slowly enough to pause the socket, the next one on that socket arrives', async () => {
        const { port } = await servers.http(serverHttp, (req, res) => {
          res.end(req.url === '/big' ? Buffer.alloc(4 * MB, 'z') : 'small')
        })
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
        const read = (path, slowly) => withTimeout(new Promise((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
            let length = 0
            res.on('data', (c) => {
              length += c.length
              if (!slowly) return
              res.pause()
              setTimeout(() => res.resume(), 1)
            })
            res.on('end', () => resolve([length, req.reusedSocket]))
          })
          req.on('error', reject)
        }), 8000, path)
        const big = await read('/big', true)
        await waitFor(() => Object.keys(agent.freeSockets).length === 1, 2000, 'pooled')
        const small = await read('/small', false)
        agent.destroy()
        assert.deepStrictEqual([big, small], [[4 * MB, false], [5, true]])
      })

      it('a paused response stops the server\'s writes until resumed', async () => {
        const state = { written: 0 }
        const { port } = await servers.http(serverHttp, (req, res) => {
          const chunk = Buffer.alloc(64 * 1024, 'y')
          let stopped = false
          const pump = () => {
            while (!stopped && state.written < 64 * MB) {
              state.written += chunk.length
              if (!res.write(chunk)) { res.once('drain', pump); return }
            }
          }
          res.on('close', () => { stopped = true })
          pump()
        })
        await withTimeout(new Promise((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
            res.once('data', () => {
              res.pause()
              setTimeout(() => {
                const before = state.written
                setTimeout(() => {
                  // Paused for 100 ms: the server made (almost) no progress.
                  try {
                    assert(state.written - before <= 4 * MB, `server wrote ${state.written - before} bytes to a paused client`)
                    assert(state.written < 32 * MB)
                  } catch (err) {
                    reject(err)
                  }
                  req.destroy()
                  resolve()
                }, 100)
              }, 100)
            })
          })
          req.on('error', () => {})
        }), 5000, 'paused download')
      })
    })
  }
})
