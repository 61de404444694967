'use strict'
// Preloaded after uvhttp/register into a child process running a program
// written for Node's http: at exit it says on stderr whether that program's
// require('http') handed out uvhttp's createServer and request, and whose
// client requests it started (every ClientRequest, Node's or uvhttp's,
// publishes http.client.request.start).
const dc = require('diagnostics_channel')
const http = require('http')
const uvhttp = require('uvhttp')

const requests = []
dc.subscribe('http.client.request.start', ({ request }) => {
  requests.push(request instanceof uvhttp.ClientRequest ? 'uvhttp' : 'node')
})
process.on('exit', () => {
  const servers = http.createServer === uvhttp.createServer && http.request === uvhttp.request
  process.stderr.write(`[uvhttp-check] http is uvhttp's: ${servers}; client requests: ${requests.join(',') || 'none'}\n`)
})
