'use strict'
// Child process for the OpenTelemetry test: an application as users trace
// it, with @opentelemetry/instrumentation-http and the Node tracer SDK set
// up before it requires 'http' (run it with a preload that makes 'http'
// uvhttp to trace uvhttp). A client request goes to a front server, whose
// handler reads the body and calls a back server; the back server answers
// with the traceparent header it received. Prints one JSON line: the
// finished spans, and what the back server received.
const { trace } = require('@opentelemetry/api')
const { registerInstrumentations } = require('@opentelemetry/instrumentation')
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http')
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node')
const { InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base')

const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
provider.register()
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] })

const http = require('http')

setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: 'timed out' }) + '\n')
  process.exit(2)
}, 8000).unref()

const uvhttp = require('uvhttp')
const clients = []

/** A GET or POST with this process's http; resolves the response body once it has ended. */
function call (port, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { text += c })
      res.on('end', () => resolve(text))
    })
    clients.push(req)
    req.on('error', reject)
    req.end(body)
  })
}

const back = http.createServer((req, res) => {
  res.setHeader('Content-Type', 'application/json')
  res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null }))
})

const front = http.createServer((req, res) => {
  req.resume()
  req.on('end', async () => {
    // The outgoing call is made in the request's trace context, carried
    // through the body's events (the instrumentation binds them to it).
    const answer = await call(back.address().port, '/back')
    res.statusCode = 201
    res.end(answer)
  })
})

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))

async function main () {
  await listen(back)
  await listen(front)
  const ports = { front: front.address().port, back: back.address().port }
  const received = JSON.parse(await call(ports.front, '/front?q=1', 'hello'))
  await new Promise((resolve) => front.close(resolve))
  await new Promise((resolve) => back.close(resolve))
  // Server spans end at the response's 'finish': give them a turn.
  await new Promise((resolve) => setImmediate(resolve))
  const spans = exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? span.parentSpanId ?? null,
    attributes: span.attributes,
    status: span.status,
  }))
  // Which http the servers and the client request really were (the test
  // checks it ran on the implementation it meant to trace).
  const onUvhttp = front instanceof uvhttp.Server && clients.every((req) => req instanceof uvhttp.ClientRequest)
  process.stdout.write(JSON.stringify({ spans, received, ports, onUvhttp, activeAtEnd: trace.getActiveSpan() !== undefined }) + '\n')
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ error: String(err && err.stack) }) + '\n')
  process.exit(1)
})
