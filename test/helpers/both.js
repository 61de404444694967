'use strict'
// Runs one case on node:http and on uvhttp and returns both outcomes, for
// tests whose expected result is "what the running Node line does": they
// compare the two instead of hard-coding one line's behaviour.
const nodeHttp = require('http')
const path = require('path')
const { listen, close, rawRequest, normaliseDate } = require('./net')
const { withTimeout } = require('./req-util')

const uvhttp = require(path.join(__dirname, '..', '..'))

/**
 * For each implementation: starts `http.createServer(options, handler(log))`
 * on 127.0.0.1:0, sends `request` (raw text, or a function (port) => promise
 * resolving what the client saw), waits until `settle(log)` is true (or
 * `ms`), and resolves { node, uvhttp }, each { wire, log }.
 */
async function onBoth ({ handler, request, options, settle = () => true, ms = 2000 }) {
  const out = {}
  for (const [name, http] of [['node', nodeHttp], ['uvhttp', uvhttp]]) {
    const log = []
    const server = options ? http.createServer(options, handler(log, http)) : http.createServer(handler(log, http))
    const port = await listen(server)
    try {
      const wire = typeof request === 'function'
        ? await request(port, log)
        : normaliseDate((await rawRequest(port, request, { ms })).data)
      await withTimeout(waitUntil(() => settle(log)), ms, `${name}: settle`).catch(() => {})
      out[name] = { wire, log }
    } finally {
      server.closeAllConnections?.()
      await close(server)
    }
  }
  return out
}

function waitUntil (pred) {
  return new Promise((resolve) => {
    const check = () => (pred() ? resolve() : setTimeout(check, 5))
    check()
  })
}

module.exports = { onBoth }
