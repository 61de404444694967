'use strict'
// The binding contract of native/standalone_parser.cc (issue 4): the Parser
// that serves sockets JS owns returns the same batch records the engine's
// Connection delivers for the same bytes, whatever the chunking, and goes
// quiet after an upgrade or an error.
const assert = require('assert')
const net = require('net')
const { binding } = require('../../dist/engine/binding.js')
const { ServerConnection } = require('../../dist/server/server-connection.js')
const uvhttp = require('../..')

const C = binding.constants
const { splitBatch } = require('../helpers/records')

/** Splits a batch into records; merges adjacent BODY and DATA records and drops the socket-level ones. */
function records (batches, { keepEof = false } = {}) {
  const out = []
  for (const batch of batches) {
    for (const rec of splitBatch(batch)) {
      const kind = rec[0]
      if (kind === C.kEvDrain || kind === C.kEvClose || kind === C.kEvIoError || (kind === C.kEvEof && !keepEof)) continue
      const last = out[out.length - 1]
      if ((kind === C.kEvBody || kind === C.kEvData) && last && last[0] === kind) {
        last[1] = Buffer.concat([last[1], rec[1]])
      } else {
        out.push(rec)
      }
    }
  }
  return out
}

/** Feeds `input` to a fresh Parser in pieces of `step` bytes (0: one piece). */
function parse (input, { step = 0, wantUpgrade = false, maxHeaderSize = C.kDefaultMaxHeaderSize, maxHeaderEntries = 0, finish = false } = {}) {
  const p = new binding.Parser()
  p.setLimits(maxHeaderSize, maxHeaderEntries, false)
  const buf = Buffer.from(input, 'latin1')
  const batches = []
  const n = step || buf.length
  for (let i = 0; i < buf.length; i += n) {
    const b = p.execute(buf.subarray(i, i + n), wantUpgrade)
    if (b === undefined) continue
    batches.push(b)
    if (leftHttp(b) && i + n < buf.length) {
      // What follows is read by the application from the socket itself.
      batches.push([C.kEvData, buf.subarray(i + n)])
      break
    }
  }
  if (finish) batches.push(p.finish())
  return { parser: p, batches }
}

/** Whether a batch holds the head of a request that leaves HTTP (upgrade, CONNECT). */
function leftHttp (batch) {
  return records([batch], { keepEof: true }).some((r) => r[0] === C.kEvHead && (r[6] & C.kHeadUpgrade))
}

/** What the engine's Connection delivered for `input` written at once (recorded at ServerConnection#onBatch). */
async function engineRecords (input, { upgrade = false } = {}) {
  const seen = []
  const original = ServerConnection.prototype.onBatch
  ServerConnection.prototype.onBatch = function (batch) {
    seen.push(batch.slice())
    return original.call(this, batch)
  }
  const server = uvhttp.createServer((req, res) => { req.resume(); res.end() })
  server.on('clientError', (err, socket) => socket.destroy(err))
  if (upgrade) server.on('upgrade', (req, socket) => socket.destroy())
  try {
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    await new Promise((resolve) => {
      const s = net.connect(server.address().port, '127.0.0.1', () => s.end(Buffer.from(input, 'latin1')))
      s.resume()
      s.on('error', () => {})
      s.on('close', resolve)
      setTimeout(() => s.destroy(), 2000).unref()
    })
  } finally {
    ServerConnection.prototype.onBatch = original
    server.closeAllConnections()
    server.close()
  }
  return records(seen)
}

const CASES = [
  ['GET with headers', 'GET /a?b=c HTTP/1.1\r\nHost: x\r\nX-Mixed-Case: v\r\nEmpty:\r\n\r\n'],
  ['Content-Length body', 'POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world'],
  ['chunked body with trailers', 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: done\r\n\r\n'],
  ['pipelined requests, HTTP/1.0', 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.0\r\n\r\n'],
  ['a parse error mid-stream', 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nBad Header\r\n\r\n'],
  ['an upgrade with head bytes', 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello', { upgrade: true }],
  ['CONNECT', 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\ntunnel bytes'],
  ['an upgrade nobody takes', 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n']
]

describe('native Parser (sockets JS owns): the engine\'s records for the same bytes', () => {
  for (const [title, input, opts = {}] of CASES) {
    it(title, async () => {
      const engine = await engineRecords(input, opts)
      const { batches } = parse(input, { wantUpgrade: !!opts.upgrade })
      assert.deepStrictEqual(records(batches), engine)
      // Any chunking gives the same records (bodies merged), and so does one byte at a time.
      for (const step of [1, 2, 7, 13]) {
        assert.deepStrictEqual(records(parse(input, { step, wantUpgrade: !!opts.upgrade }).batches).map(stripErrorPacket), engine.map(stripErrorPacket), `step ${step}`)
      }
    })
  }

  it('after an upgrade or an error, further input is ignored; finish() still says EOF', () => {
    const up = parse('CONNECT h:1 HTTP/1.1\r\n\r\n').parser
    assert.strictEqual(up.execute(Buffer.from('GET / HTTP/1.1\r\n\r\n'), false), undefined)
    assert.deepStrictEqual(up.finish(), [C.kEvEof])
    const bad = parse('XYZ@ / HTTP/1.1\r\n\r\n').parser
    assert.strictEqual(bad.execute(Buffer.from('GET / HTTP/1.1\r\n\r\n'), false), undefined)
    assert.deepStrictEqual(bad.finish(), [C.kEvEof])
  })

  it('finish() reports a truncated message as the engine does at EOF (bytesParsed 0, no rawPacket)', () => {
    const { batches } = parse('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab', { finish: true })
    assert.deepStrictEqual(records(batches, { keepEof: true }).slice(1), [
      [C.kEvBody, Buffer.from('ab')],
      [C.kEvParseError, 'HPE_INVALID_EOF_STATE', 'Invalid EOF state', 0, undefined],
      [C.kEvEof]
    ])
  })

  it('setLimits(maxHeaderSize): HPE_HEADER_OVERFLOW as the engine\'s listener limit', () => {
    const head = `GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}\r\n\r\n`
    assert.strictEqual(records(parse(head, { maxHeaderSize: 64 }).batches)[0][1], 'HPE_HEADER_OVERFLOW')
    assert.strictEqual(records(parse(head, { maxHeaderSize: 1024 }).batches)[0][0], C.kEvHead)
  })

  it('setLimits(…, maxHeaderEntries): a field past the limit is HPE_HEADER_OVERFLOW at its name, in any chunking', () => {
    const head = 'GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'
    for (const step of [0, 1, 5]) {
      const [rec] = records(parse(head, { maxHeaderEntries: 4, step }).batches)
      assert.deepStrictEqual([rec[0], rec[1], rec[2]], [C.kEvParseError, 'HPE_HEADER_OVERFLOW', 'Header overflow'], `step ${step}`)
      assert.strictEqual(records(parse(head, { maxHeaderEntries: 6, step }).batches)[0][0], C.kEvHead)
      assert.strictEqual(records(parse(head, { maxHeaderEntries: 0, step }).batches)[0][0], C.kEvHead)
    }
  })

  it('messageAge and headersComplete follow the message being parsed', () => {
    const p = new binding.Parser()
    assert.ok(p.messageAge >= 0, 'the clock runs from construction (headersTimeout)')
    assert.strictEqual(p.headersComplete, false)
    p.execute(Buffer.from('POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\na'), false)
    assert.ok(p.messageAge >= 0)
    assert.strictEqual(p.headersComplete, true)
    p.execute(Buffer.from('b'), false)
    assert.strictEqual(p.messageAge, -1)
  })

  it('an argument that is not bytes is refused quietly (JS validates; native never aborts)', () => {
    const p = new binding.Parser()
    assert.strictEqual(p.execute('GET / HTTP/1.1\r\n\r\n', false), undefined)
    assert.strictEqual(p.execute(undefined, false), undefined)
    p.setLimits('x', 0, false)
    assert.ok(Array.isArray(p.execute(new Uint8Array(Buffer.from('GET / HTTP/1.1\r\n\r\n')), false)))
  })
})

/** rawPacket is the chunk the error was found in, which depends on the chunking. */
function stripErrorPacket (rec) {
  return rec[0] === C.kEvParseError ? [rec[0], rec[1], rec[2]] : rec
}
