'use strict'
// What node:http exports on the running Node line that uvhttp does not, each
// with its reason. A Node line that adds an export fails here until uvhttp
// implements it or this list says why not (npm run test:node-matrix runs it
// on every line). uvhttp/register leaves these members of node:http as they are.
const assert = require('assert')
const http = require('http')
const uvhttp = require('../..')
const { byLine } = require('../helpers/node-line')

const WEBSOCKET = 'Node 22 re-exports its WebSocket client (the globals), which is not HTTP/1.1'
const WHY = {
  _connectionListener: 'Node\'s own server internals (uvhttp\'s server reads its sockets natively)',
  WebSocket: WEBSOCKET,
  CloseEvent: WEBSOCKET,
  MessageEvent: WEBSOCKET,
  websocketMask: 'Node 26: a WebSocket frame helper, not HTTP/1.1',
  websocketUnmask: 'Node 26: a WebSocket frame helper, not HTTP/1.1'
}
const NOT_IMPLEMENTED = byLine({
  20: ['_connectionListener'],
  22: ['_connectionListener', 'WebSocket', 'CloseEvent', 'MessageEvent'],
  26: ['_connectionListener', 'WebSocket', 'CloseEvent', 'MessageEvent', 'websocketMask', 'websocketUnmask']
})

describe(`node:http's exports on Node ${process.version}`, function () {
  it('uvhttp has every one but the listed, and nothing node:http lacks but versions and createClient', () => {
    assert.deepStrictEqual(Object.keys(http).filter((k) => !(k in uvhttp)).sort(), [...NOT_IMPLEMENTED].sort())
    for (const k of NOT_IMPLEMENTED) assert.ok(WHY[k], `a reason for ${k}`)
    assert.deepStrictEqual(Object.keys(uvhttp).filter((k) => !(k in http)).sort(), ['createClient', 'versions'])
  })
})
