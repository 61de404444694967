// The few private slots of Node's own http objects that uvhttp uses.
//
// uvhttp's own ServerResponse keeps its header store and its "emit 'drain'
// later" flag under Node's keys, so that Node's getters it inherits
// (writableNeedDrain, the deprecated _headers) and Node's methods called on
// it directly read them; Node's own responses (nodeObjects, the client's
// requests) need them filled. Two of those slots are keyed by symbols Node
// does not export; we find them by their description on a probe instance,
// once, and fail loudly at load time if Node ever renames them.
import * as http from 'http'
import * as net from 'net'
import { probeServerResponse } from './channels'

function ownSymbol (obj: object, description: string): symbol {
  const found = Object.getOwnPropertySymbols(obj).find((s) => s.description === description)
  if (!found) throw new Error(`uvhttp: this Node.js (${process.version}) has no ${description} slot on http objects`)
  return found
}

// Node 22+ announces each ServerResponse it makes: a probe is no response.
const probeRes: http.ServerResponse = probeServerResponse()

/** OutgoingMessage's "a write returned false, emit 'drain' later" flag. */
export const kNeedDrain: symbol = ownSymbol(probeRes, 'kNeedDrain')
/** OutgoingMessage's header store (read by Node's getHeader & co). */
export const kOutHeaders: symbol = ownSymbol(probeRes, 'kOutHeaders')

// eslint-disable-next-line @typescript-eslint/no-var-requires
const outgoingInternals = require('_http_outgoing')
/** OutgoingMessage's set of lowercased uniqueHeaders names (or null); exported by Node's _http_outgoing. */
export const kUniqueHeaders: symbol = outgoingInternals.kUniqueHeaders
if (typeof kUniqueHeaders !== 'symbol') throw new Error(`uvhttp: this Node.js (${process.version}) has no kUniqueHeaders`)
/** The uniqueHeaders option as Node keeps it: a Set of lowercased names, or null. */
export const parseUniqueHeadersOption: (names: unknown) => Set<string> | null = outgoingInternals.parseUniqueHeadersOption

/**
 * The no-op callback Node's OutgoingMessage passes down to _send when write()
 * or end() got none: a write may skip scheduling it. Found by watching what a
 * probe message hands its _send; null (schedule everything) if that changes.
 */
export const outgoingNop: unknown = probeOutgoingNop()

function probeOutgoingNop (): unknown {
  const probe: any = new http.OutgoingMessage()
  let seen: unknown = null
  probe._header = 'probe'
  probe._send = (_data: unknown, _encoding: unknown, callback: unknown) => { seen = callback; return true }
  probe.write('x')
  return typeof seen === 'function' ? seen : null
}

/**
 * net.Socket's async id slot: an agent gives a reused socket a new async
 * id (and marks an idle one -1), as Node's agent does, for async_hooks.
 */
export const asyncIdSymbol: symbol = ownSymbol(new net.Socket(), 'async_id_symbol')

/**
 * The agent's 'keylog' forwarder, which Node's Agent constructor sets up
 * once someone listens for the agent's 'keylog' (TLS sockets then report
 * to the agent).
 */
export const kOnKeylog: symbol = ownSymbol((() => {
  const agent = new http.Agent()
  agent.on('keylog', () => {})
  return agent
})(), 'onkeylog')

/**
 * Runs the tick queue and the microtasks now, as Node does after each
 * callback its HTTP parser makes with MakeCallback (a body chunk) and its
 * timers between two callbacks: process._tickCallback, Node's runNextTicks.
 */
export const runTicks: () => void = (process as any)._tickCallback
if (typeof runTicks !== 'function') throw new Error(`uvhttp: this Node.js (${process.version}) has no process._tickCallback`)
