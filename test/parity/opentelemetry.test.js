'use strict'
// OpenTelemetry as users run it (issue 16): @opentelemetry/instrumentation-http
// with the Node tracer SDK, on an unmodified program (test/helpers/otel-child.js)
// whose require('http') is node:http or uvhttp. A client request to a front
// server whose handler calls a back server must give four spans in one
// trace (client → server → client → server), the context carried by the
// traceparent header, with the attributes node:http gives.
const assert = require('assert')
const path = require('path')
const { execFile } = require('child_process')
const { impls } = require('../helpers/impls')

const child = path.join(__dirname, '..', 'helpers', 'otel-child.js')
// The app is started as users start it on uvhttp: with the register preload
// first, then OpenTelemetry's (which patches the http exports it finds).
const preload = 'uvhttp/register'

/** Runs the traced program on `name`'s http; resolves its report. */
function run (name) {
  const args = name === 'uvhttp' ? ['-r', preload, child] : [child]
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 15000 }, (err, stdout, stderr) => {
      let report
      try { report = JSON.parse(stdout) } catch { return reject(new Error(`no report (${err?.message}): ${stdout} ${stderr}`)) }
      if (report.error) return reject(new Error(report.error))
      assert.strictEqual(report.onUvhttp, name === 'uvhttp', `the program did not run on ${name}`)
      resolve(report)
    })
  })
}

/**
 * The spans as comparable text: ids replaced by the span's place in the
 * chain, ports by which server they belong to ('front', 'back') or
 * 'ephemeral' (a client's own port).
 */
function normalise ({ spans, ports }) {
  const byId = new Map(spans.map((s) => [s.spanId, s]))
  const portName = (p) => p === ports.front ? 'front' : p === ports.back ? 'back' : typeof p === 'number' ? 'ephemeral' : p
  const label = (s) => `${s.name} ${s.kind === 1 ? 'server' : s.kind === 2 ? 'client' : s.kind}`
  return spans.map((s) => {
    const attributes = {}
    for (const [key, value] of Object.entries(s.attributes)) {
      if (/port$/.test(key)) attributes[key] = portName(value)
      else if (typeof value === 'string') attributes[key] = value.replace(/:(\d+)/, (_, p) => `:${portName(Number(p))}`)
      else attributes[key] = value
    }
    const parent = s.parentSpanId === null ? null : byId.has(s.parentSpanId) ? label(byId.get(s.parentSpanId)) : 'unknown'
    return { span: label(s), parent, attributes, status: s.status }
  }).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)
}

describe('OpenTelemetry instrumentation-http', function () {
  this.timeout(30000)
  let reference

  before(async () => {
    reference = await run('node:http')
  })

  for (const [name] of impls) {
    it(`[${name}] a server span and a client span per request, in one trace, with node:http's attributes`, async () => {
      const report = name === 'node:http' ? reference : await run(name)
      const spans = report.spans
      assert.strictEqual(spans.length, 4, JSON.stringify(spans, null, 2))
      // One trace: every span but the first client's has its parent in it.
      assert.strictEqual(new Set(spans.map((s) => s.traceId)).size, 1)
      const chain = normalise(report)
      assert.deepStrictEqual(chain.map((s) => [s.span, s.parent]).sort(), [
        ['GET client', 'POST server'],
        ['GET server', 'GET client'],
        ['POST client', null],
        ['POST server', 'POST client'],
      ])
      // The back server received the outgoing call's context.
      const outgoing = spans.find((s) => s.name === 'GET' && s.kind === 2)
      assert.strictEqual(report.received.traceparent, `00-${outgoing.traceId}-${outgoing.spanId}-01`)
      const server = chain.find((s) => s.span === 'POST server')
      assert.strictEqual(server.attributes['http.response.status_code'], 201)
      assert.strictEqual(server.attributes['url.path'], '/front')
      assert.deepStrictEqual(chain, normalise(reference))
    })
  }
})
