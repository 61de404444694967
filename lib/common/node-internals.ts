// The few private slots of Node's own http objects that uvhttp must fill.
//
// uvhttp's IncomingMessage and ServerResponse inherit from Node's, because
// frameworks re-parent requests and responses onto prototypes built from
// Node's `http` (Express: Object.setPrototypeOf(req, app.request), where
// app.request inherits from require('http').IncomingMessage.prototype;
// COMPAT.md #9). After such a swap only Node's methods run, so the objects
// must carry the state those methods read. Two of those slots are keyed by
// symbols Node does not export; we find them by their description on a probe
// instance, once, and fail loudly at load time if Node ever renames them.
import * as dc from 'diagnostics_channel'
import * as http from 'http'
import { publishesOn } from './channels'

function ownSymbol (obj: object, description: string): symbol {
  const found = Object.getOwnPropertySymbols(obj).find((s) => s.description === description)
  if (!found) throw new Error(`uvhttp: this Node.js (${process.version}) has no ${description} slot on http objects`)
  return found
}

const probeReq = new http.IncomingMessage(null as any)
let probeRes: http.ServerResponse = null as any
// Node 22+ announces each ServerResponse it makes: a probe is no response.
publishesOn(dc.channel('http.server.response.created'), () => { probeRes = new http.ServerResponse(probeReq) })

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
