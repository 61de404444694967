// uvhttp/register: the whole process's `http` becomes uvhttp, with no change
// to the application (DESIGN.md, "Drop-in").
//
//   node -r uvhttp/register app.js
//   node --import uvhttp/register app.mjs      (or a first `import 'uvhttp/register'`)
//
// The contract:
// - Node's `http` has one exports object, shared by every require('http')
//   and by `import http from 'node:http'`. This replaces, on that object, what
//   uvhttp implements: createServer, Server, IncomingMessage, ServerResponse,
//   request, get, ClientRequest, Agent, setGlobalProxyFromEnv (Node 24+) and
//   globalAgent (an accessor, as Node's is: assigning http.globalAgent
//   assigns uvhttp's). Then
//   syncBuiltinESMExports() gives named ESM imports (`import { createServer }
//   from 'node:http'`) the same values. No loader hooks, no extra thread.
// - Everything else stays Node's own: OutgoingMessage (uvhttp's is Node's),
//   STATUS_CODES (uvhttp's responses are written by Node's writeHead, which
//   reads Node's table, so the object users edit is the one in use), METHODS
//   (the same list; test/register), maxHeaderSize, validateHeader*,
//   setMaxIdleHTTPParsers, and members newer Node lines add.
// - uvhttp is loaded completely before anything is replaced, and its modules
//   captured what they take from Node's `http` at load time (checked by
//   test/register), so uvhttp keeps building on Node's classes. Node's own
//   `https` and internal `_http_*` modules keep their own references: https
//   stays Node's.
// - Code that read http.createServer & co. before this ran keeps Node's:
//   that is why it is a preload. Frameworks that build prototypes from
//   http's classes when they load (Express's app.request/app.response) must
//   load after it, and then inherit from uvhttp's classes.
// - Running it twice changes nothing. Its exports are uvhttp's.
import Module = require('module')
import uvhttp = require('./index')

// eslint-disable-next-line @typescript-eslint/no-var-requires
const http = require('http')

const REPLACED = ['createServer', 'Server', 'IncomingMessage', 'ServerResponse',
  'request', 'get', 'ClientRequest', 'Agent'] as const

for (const name of REPLACED) http[name] = uvhttp[name]
// Node 24+: it installs a proxy agent as the global agent, which must be uvhttp's.
if ('setGlobalProxyFromEnv' in uvhttp) http.setGlobalProxyFromEnv = (uvhttp as any).setGlobalProxyFromEnv
Object.defineProperty(http, 'globalAgent', {
  configurable: true,
  enumerable: true,
  get: () => uvhttp.globalAgent,
  set: (agent) => { (uvhttp as { globalAgent: unknown }).globalAgent = agent },
})
Module.syncBuiltinESMExports()

export = uvhttp
