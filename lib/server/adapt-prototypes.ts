// Frameworks that re-parent requests and responses (COMPAT.md #9): Express
// sets `Object.setPrototypeOf(res, app.response)`, where app.response was
// built at load time from `require('http').ServerResponse.prototype`. Under
// `uvhttp/register` that is uvhttp's class and nothing needs doing. When
// `require('http')` is still Node's, a response re-parented so would lose
// uvhttp's methods and reach Node's, which know nothing of its state. So the
// request listener handed to this server (`uvhttp.createServer(app)`) gets
// its `request`/`response` prototypes rebuilt on uvhttp's classes: for that
// app only, as copies of the framework's levels, never touching Node's
// prototypes or the framework's shared ones (another server may run the same
// framework on Node's http).
import * as http from 'http'

// Node's own classes, read once: under uvhttp/register, `http.X` becomes uvhttp's.
const nodeRequestProto = http.IncomingMessage.prototype
const nodeResponseProto = http.ServerResponse.prototype

/** The part of `obj`'s prototype chain above `nodeProto`, nearest first; null if it does not reach it or reaches `ours`. */
function levelsAbove (obj: object, nodeProto: object, ours: object): object[] | null {
  const levels: object[] = []
  let p = Object.getPrototypeOf(obj)
  while (p !== null && p !== nodeProto) {
    if (p === ours) return null
    levels.push(p)
    p = Object.getPrototypeOf(p)
  }
  return p === null ? null : levels
}

/** Re-parents `obj` onto copies of the levels between it and Node's prototype, built on `ours`. */
function rebase (obj: unknown, nodeProto: object, ours: object): void {
  if (obj === null || typeof obj !== 'object') return
  const levels = levelsAbove(obj, nodeProto, ours)
  if (levels === null) return
  let parent = ours
  for (let i = levels.length - 1; i >= 0; i--) parent = Object.create(parent, Object.getOwnPropertyDescriptors(levels[i]))
  Object.setPrototypeOf(obj, parent)
}

/**
 * If `listener` is an application object carrying the prototypes it will
 * give requests and responses (Express 4 and 5: app.request, app.response),
 * rebuilds them on uvhttp's classes.
 */
export function adaptApplication (listener: unknown, IncomingMessage: Function | null, ServerResponse: Function | null): void {
  if (typeof listener !== 'function') return
  const app = listener as { request?: unknown, response?: unknown }
  if (IncomingMessage !== null) rebase(app.request, nodeRequestProto, IncomingMessage.prototype)
  if (ServerResponse !== null) rebase(app.response, nodeResponseProto, ServerResponse.prototype)
}
