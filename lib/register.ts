// uvhttp/register: the process's `http` becomes uvhttp's server and client
// (DESIGN.md "Drop-in"): `node -r uvhttp/register app.js`, or a first
// `import 'uvhttp/register'`.
//
// Minimal version for the lean-server branch (issue 10), until the
// packaging branch's (issue 15) lands: Node's `http` has one exports object,
// shared by every require('http') and `import ... from 'node:http'`; this
// replaces on it what uvhttp implements, then syncBuiltinESMExports() gives
// the named ESM imports the same values. uvhttp's own modules read what they
// take from Node's `http` when they load, before this runs, so they keep
// building on Node's classes. Frameworks that build prototypes from http's
// classes when they load (Express's app.request/app.response) must load
// after it, and then inherit from uvhttp's classes directly.
import Module = require('module')
import uvhttp = require('./index')

// eslint-disable-next-line @typescript-eslint/no-var-requires
const http = require('http')

const REPLACED = ['createServer', 'Server', 'IncomingMessage', 'ServerResponse',
  'request', 'get', 'ClientRequest', 'Agent', 'STATUS_CODES'] as const

for (const name of REPLACED) http[name] = uvhttp[name]
Object.defineProperty(http, 'globalAgent', {
  configurable: true,
  enumerable: true,
  get: () => uvhttp.globalAgent,
  set: (agent) => { (uvhttp as { globalAgent: unknown }).globalAgent = agent },
})
Module.syncBuiltinESMExports()

export = uvhttp
