'use strict'
// Issue 9.11: a request with `Expect: 100-continue` twice was refused with
// 417. Node decides from req.headers.expect, where duplicate Expect lines
// are joined with ', ', and looks for the 100-continue token anywhere in
// it; uvhttp looked at the first Expect line alone. Every combination below
// gets the answer Node gives: 100 Continue and 'request', 'checkExpectation',
// or 417, and the handler sees the joined value.
const assert = require('assert')
const { eachImpl } = require('../helpers/impls')
const { byLine } = require('../helpers/node-line')
const { rawConnect } = require('../helpers/req-raw')
const { serverPool } = require('../helpers/req-util')

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n'

// [Expect lines, what Node does with them, the value req.headers.expect holds]
const CASES = [
  [['Expect: 100-continue', 'Expect: 100-continue'], 'continue', '100-continue, 100-continue'],
  [['Expect: foo', 'Expect: 100-continue'], 'continue', 'foo, 100-continue'],
  [['Expect: 100-continue', 'Expect: foo'], 'continue', '100-continue, foo'],
  [['expect: 100-continue', 'EXPECT: bar'], 'continue', '100-continue, bar'],
  [['Expect: ', 'Expect: 100-continue'], 'continue', ', 100-continue'],
  [['Expect: 100-continue, foo'], 'continue', '100-continue, foo'],
  [['Expect: foo, 100-continue'], 'continue', 'foo, 100-continue'],
  [['Expect: foo', 'Expect: bar'], 'expectation', 'foo, bar'],
  [['Expect: 100-continuex', 'Expect: x100-continue'], 'expectation', '100-continuex, x100-continue'],
  [['Expect:'], 'expectation', '']
]

eachImpl('regression: issue 9.11, duplicate Expect headers', (http, name) => {
  const pool = serverPool()
  afterEach(() => pool.closeAll())

  /** A POST of 'ab' with `lines`; resolves what the client received. */
  async function send (port, lines) {
    const c = await rawConnect(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n${lines.join('\r\n')}\r\n\r\n`)
    return c
  }

  const echo = (req, res) => {
    let body = ''
    req.on('data', (chunk) => { body += chunk })
    req.on('end', () => res.end(`request ${JSON.stringify(req.headers.expect)} ${body}`))
  }

  for (const [lines, outcome, joined] of CASES) {
    const title = lines.map((l) => JSON.stringify(l)).join(' and ')

    it(`${title}: ${outcome === 'continue' ? '100 Continue, then the request' : '417'} without listeners`, async () => {
      const { port } = await pool.start(http, echo)
      const c = await send(port, lines)
      if (outcome === 'continue') {
        await c.waitFor(CONTINUE)
        await c.write('ab')
        await c.waitFor(`request ${JSON.stringify(joined)} ab`)
        assert.ok(c.text.startsWith(CONTINUE + 'HTTP/1.1 200 OK\r\n'), c.text)
      } else {
        await c.waitFor('\r\n\r\n0\r\n\r\n')
        assert.ok(c.text.startsWith('HTTP/1.1 417 Expectation Failed\r\n'), c.text)
      }
    })

    it(`${title}: ${outcome === 'continue' ? 'checkContinue' : 'checkExpectation'} with both listeners`, async () => {
      const { server, port } = await pool.start(http, echo)
      server.on('checkContinue', (req, res) => res.end(`checkContinue ${JSON.stringify(req.headers.expect)}`))
      server.on('checkExpectation', (req, res) => res.end(`checkExpectation ${JSON.stringify(req.headers.expect)}`))
      const c = await send(port, lines)
      await c.waitFor(`${outcome === 'continue' ? 'checkContinue' : 'checkExpectation'} ${JSON.stringify(joined)}`)
    })
  }

  // Node 20 drops the Expect line past maxHeadersCount from req.headers and
  // serves the request; the lines fixed for CVE-2026-58044 refuse a head with
  // more fields than maxHeadersCount (431), as uvhttp does on every line.
  const refusesPastCount = name === 'uvhttp' || byLine({ 20: false, 22: true })
  it(refusesPastCount ? 'refuses a head whose Expect line lies beyond maxHeadersCount (431)'
    : 'ignores an Expect line beyond maxHeadersCount, as req.headers does', async () => {
    const { server, port } = await pool.start(http, echo)
    server.maxHeadersCount = 2
    const c = await send(port, ['Expect: 100-continue'])
    await c.write('ab')
    if (refusesPastCount) {
      await c.waitFor('HTTP/1.1 431 ')
    } else {
      await c.waitFor('request undefined ab')
    }
    assert.ok(!c.text.includes('100 Continue'), c.text)
  })
})
