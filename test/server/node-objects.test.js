'use strict'
// createServer({ nodeObjects: true }): Node's own request and response
// classes over the engine, for an application that re-parents them onto
// Node's prototypes by means of its own (README: "Node's objects").
const assert = require('assert')
const nodeHttp = require('http')
const path = require('path')
const { listen, close, rawRequest, normaliseDate } = require('../helpers/net')

const http = require(path.join(__dirname, '..', '..'))

describe('createServer({ nodeObjects: true })', function () {
  let server
  afterEach(() => close(server))

  it('hands out Node\'s ServerResponse, which survives a re-parenting onto a prototype built from Node\'s class', async () => {
    const seen = {}
    const nodeProto = Object.create(nodeHttp.ServerResponse.prototype)
    nodeProto.send = function (body) { this.setHeader('Content-Type', 'text/plain'); this.end(body) }
    server = http.createServer({ nodeObjects: true }, (req, res) => {
      seen.node = res instanceof nodeHttp.ServerResponse
      seen.ours = res instanceof http.ServerResponse
      Object.setPrototypeOf(res, nodeProto)
      res.on('finish', () => { seen.finished = true })
      res.send(`hello ${req.url}`)
    })
    const port = await listen(server)
    const { data } = await rawRequest(port, 'GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.strictEqual(normaliseDate(data),
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 8\r\n\r\nhello /x')
    assert.deepStrictEqual(seen, { node: true, ours: false, finished: true })
  })

  it('keeps pipelined responses in order, with Node\'s own framing', async () => {
    server = http.createServer({ nodeObjects: true }, (req, res) => {
      if (req.url === '/1') setTimeout(() => res.end('one'), 20)
      else { res.write('tw'); res.end('o') }
    })
    const port = await listen(server)
    const { data } = await rawRequest(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.match(normaliseDate(data), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\noneHTTP\/1\.1 200 OK\r\n[^]*Transfer-Encoding: chunked\r\n\r\n2\r\ntw\r\n1\r\no\r\n0\r\n\r\n$/)
  })
})
