'use strict'
// Who is measured, and how each takes part in each kind of scenario
// (scenarios.js). A contender is { name, kind, modulePath }; its kind says
// which server process it runs for the server and framework scenarios and
// which client it is in the client scenarios (none: it sits that kind out).
//   http            anything shaped like Node's http: core, uvhttp, --impl
//   floor           the engine with trivial JS (servers/floor.js, client-bench's
//                   floor client); modulePath is the uvhttp package root
//   undici.request,
//   undici.Pool     clients only; modulePath is the undici package to load
// The --workers variants (scenarios.js) run the same server command in each
// of their processes (workers.js starts them); the floor sits them out, and
// an http contender without listen({ reusePort }) (core http before Node
// 22.12: c.noReusePort says why, set by run.js's probe) sits out the
// reusePort ones.

const fs = require('fs')
const path = require('path')

const SERVERS = path.join(__dirname, 'servers')

const KINDS = {
  http: {
    server: (c, sc) => [path.join(SERVERS, sc.kind === 'framework' ? sc.app : 'app.js'), c.modulePath],
    client: 'http'
  },
  floor: {
    server: (c, sc) => (sc.kind === 'server' && !sc.workers ? [path.join(SERVERS, 'floor.js'), c.modulePath] : null),
    client: 'floor'
  },
  'undici.request': { server: () => null, client: 'undici.request' },
  'undici.Pool': { server: () => null, client: 'undici.Pool' }
}

/** The server command (node arguments) of c in a server or framework scenario, or null. */
function server (c, sc) {
  return sc.kind === 'client' ? null : KINDS[c.kind].server(c, sc)
}

/** Whether c takes part in scenario sc. */
function takesPart (c, sc) {
  if (sc.kind === 'client') return Boolean(KINDS[c.kind].client)
  return server(c, sc) !== null && !(sc.via === 'reusePort' && c.noReusePort)
}

/** The client-bench.js client c is. */
function client (c) {
  return KINDS[c.kind].client
}

/**
 * The undici each Node line can run (issue 14): 8.x needs Node 22.19 or
 * later, 7.x is the newest for Node 20 (package.json has both, as aliases).
 */
function undiciModule (nodeVersion = process.versions.node) {
  const [major, minor] = nodeVersion.split('.').map(Number)
  return major > 22 || (major === 22 && minor >= 19) ? 'undici8' : 'undici7'
}

/**
 * Every contender the options ask for, in the order each round runs them:
 * core, uvhttp, the other --impl ones, floor, undici. opts: { impls (name ->
 * module path), only (names, or null), repoRoot }.
 */
function allContenders ({ impls, only, repoRoot }) {
  const uvhttp = impls.get('uvhttp')
  // The floor is the engine of the uvhttp being measured when that is a
  // package checkout, else this repository's.
  const engineRoot = uvhttp && fs.existsSync(path.join(uvhttp, 'dist', 'engine', 'binding.js')) ? uvhttp : repoRoot
  const undici = undiciModule()
  const list = [
    ...[...impls].map(([name, modulePath]) => ({ name, kind: 'http', modulePath })),
    { name: 'floor', kind: 'floor', modulePath: engineRoot },
    { name: 'undici.request', kind: 'undici.request', modulePath: undici },
    { name: 'undici.Pool', kind: 'undici.Pool', modulePath: undici }
  ]
  return only ? list.filter((c) => c.name === 'core' || only.includes(c.name)) : list
}

module.exports = { allContenders, server, client, takesPart, undiciModule }
