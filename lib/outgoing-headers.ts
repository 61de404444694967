// The header store of an outgoing message (what Node keeps under its
// kOutHeaders symbol) and the serialisation of the message head, following
// Node 20's OutgoingMessage#setHeader … #removeHeader and #_storeHeader rule
// for rule, so that uvhttp puts the same bytes on the wire as node:http:
// same header order, same Date/Connection/Keep-Alive/Content-Length/
// Transfer-Encoding decisions, same errors.
//
// Nothing here touches sockets or message objects: the caller passes the
// message's state in a HeadInput and copies back what the head decided.

import { Buffer } from 'buffer'
import { ERR_HTTP_TRAILER_INVALID, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE } from './errors'
import { knownFieldName, lowerFieldName, validateHeaderName, validateHeaderValue } from './headers'

/** A header value as stored; Node keeps whatever setHeader() was given. */
export type OutHeaderValue = string | number | string[]

/**
 * Lowercased name → [name as the user spelled it, value], in insertion
 * order, with nothing inherited (so a header called "constructor" or
 * "__proto__" is an ordinary entry), as Node's kOutHeaders object.
 */
export type OutHeaders = Record<string, [name: string, value: OutHeaderValue]>

// Node's store is `{ __proto__: null }`, which V8 keeps in dictionary mode:
// walking it with for-in costs ~200 ns for two fields. Instances of a class
// whose prototype is an empty object with a null prototype inherit nothing
// either, but stay in V8's fast mode (~30 ns for the same walk, and cheaper
// to fill), so the head of every response is built faster. The one visible
// difference: Object.getPrototypeOf(store) is that empty object, not null.
class OutHeaderStore {}
Object.setPrototypeOf(OutHeaderStore.prototype, null)
delete (OutHeaderStore.prototype as { constructor?: unknown }).constructor

/** A new, empty header store (any object without inherited properties works too, only slower). */
export function createOutHeaders (): OutHeaders {
  return new OutHeaderStore() as OutHeaders
}

/** getHeader/hasHeader/removeHeader refuse a non-string name as Node's validateString does. */
function validateNameArgument (name: unknown): asserts name is string {
  if (typeof name !== 'string') throw ERR_INVALID_ARG_TYPE('name', 'string', name)
}

/**
 * Validates as Node's setHeader/appendHeader (name first, then value) and
 * returns the store key. A common field name is known to be a valid token,
 * so it skips the token scan and toLowerCase().
 */
function validatedKey (name: string, value: unknown): string {
  const known = typeof name === 'string' ? knownFieldName(name) : undefined
  if (known === undefined) validateHeaderName(name)
  validateHeaderValue(name, value)
  return known ?? name.toLowerCase()
}

/** setHeader(): validates name and value, replaces any field of that name (keeping its place). */
export function setOutHeader (h: OutHeaders, name: string, value: unknown): void {
  h[validatedKey(name, value)] = [name, value as OutHeaderValue]
}

/**
 * appendHeader(): adds value(s) to an existing field, turning its value into
 * an array, or sets the field if absent (keeping the first spelling of the name).
 */
export function appendOutHeader (h: OutHeaders, name: string, value: unknown): void {
  const key = validatedKey(name, value)
  const entry = h[key]
  if (entry === undefined) {
    h[key] = [name, value as OutHeaderValue]
    return
  }
  if (!Array.isArray(entry[1])) entry[1] = [entry[1] as string]
  const values = entry[1]
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) values.push(value[i])
  } else {
    values.push(value as string)
  }
}

/** getHeader(): the stored value (not a copy), or undefined. */
export function getOutHeader (h: OutHeaders | null, name: string): OutHeaderValue | undefined {
  validateNameArgument(name)
  if (h === null) return undefined
  const entry = h[lowerFieldName(name)]
  return entry && entry[1]
}

/** hasHeader(). */
export function hasOutHeader (h: OutHeaders | null, name: string): boolean {
  validateNameArgument(name)
  return h !== null && h[lowerFieldName(name)] !== undefined
}

/**
 * removeHeader(): deletes the field and returns its lowercased name, so that
 * the caller can record, as Node does, that 'connection', 'content-length',
 * 'transfer-encoding' or 'date' was removed on purpose (see HeadInput).
 * Node validates the name before it checks whether the head was sent; a
 * caller whose head is out can call removeOutHeader(null, name) to get that
 * validation alone, then throw ERR_HTTP_HEADERS_SENT('remove').
 */
export function removeOutHeader (h: OutHeaders | null, name: string): string {
  validateNameArgument(name)
  const key = lowerFieldName(name)
  if (h !== null && h[key] !== undefined) delete h[key]
  return key
}

/** getHeaderNames(): lowercased names in insertion order. */
export function outHeaderNames (h: OutHeaders | null): string[] {
  const names: string[] = []
  if (h === null) return names
  for (const key in h) names.push(key)
  return names
}

/** getRawHeaderNames(): names as the user spelled them, in insertion order. */
export function rawOutHeaderNames (h: OutHeaders | null): string[] {
  const names: string[] = []
  if (h === null) return names
  for (const key in h) names.push(h[key][0])
  return names
}

/** getHeaders(): a shallow copy by lowercased name, with a null prototype as Node's. */
export function outHeadersObject (h: OutHeaders | null): Record<string, OutHeaderValue> {
  const copy: Record<string, OutHeaderValue> = Object.create(null)
  if (h === null) return copy
  for (const key in h) copy[key] = h[key][1]
  return copy
}

// --- The Date header ---------------------------------------------------------

let cachedDate = ''
let cachedDateExpires = 0

/**
 * The IMF-fixdate for the Date header (RFC 9110 §6.6.1), formatted at most
 * once per second. A timestamp check rather than Node's unref'd reset timer:
 * no timer to manage, and the value never outlives its second.
 */
export function utcDate (): string {
  const now = Date.now()
  if (now >= cachedDateExpires) {
    cachedDate = new Date(now).toUTCString()
    cachedDateExpires = now - (now % 1000) + 1000
  }
  return cachedDate
}

// --- The head ----------------------------------------------------------------

export interface HeadInput {
  /** 'HTTP/1.1 200 OK' or 'GET /path HTTP/1.1', without CRLF. */
  firstLine: string
  /** The header store (sent as is, already validated), or null. */
  headers: OutHeaders | null
  /**
   * Headers given straight to writeHead() (or as ClientRequest's array
   * `headers` option) while the store is empty: a flat [name, value, ...]
   * array, an array of [name, value] pairs, or a plain object. Validated,
   * then sent verbatim in order. Node passes one of `headers`/`rawHeaders`;
   * if both are given the store goes first.
   */
  rawHeaders: unknown[] | Record<string, unknown> | null
  /** A client request: there is no status code to look at. */
  isRequest: boolean
  /** Add a Date header unless the user gave one (Node: msg.sendDate, false after removeHeader('date')). */
  sendDate: boolean
  /** The connection may persist after this message (Node: msg.shouldKeepAlive). */
  shouldKeepAlive: boolean
  /** Node's msg.useChunkedEncodingByDefault (false for GET/HEAD/… requests). */
  useChunkedEncodingByDefault: boolean
  /** False for responses to HEAD and for 1xx, 204 and 304 (Node: msg._hasBody). */
  hasBody: boolean
  /** The whole body length when end(data) came before the head (Node: msg._contentLength), or -1. */
  contentLength: number
  /**
   * False when the peer speaks HTTP/1.0 and did not ask for chunked. Node has
   * a single flag: it sets useChunkedEncodingByDefault = /chunked/.test(te)
   * for HTTP/1.0 requests; here the two inputs are and-ed.
   */
  chunkedAllowed: boolean
  /**
   * server.keepAliveTimeout / 1000, unrounded: Node sends
   * 'Keep-Alive: timeout=<floor>' whenever the millisecond value is non-zero,
   * so 500 ms gives "timeout=0". 0 = no Keep-Alive header.
   */
  keepAliveTimeoutSecs: number
  /** server.maxRequestsPerSocket: adds ', max=N' to the Keep-Alive header when > 0. */
  maxRequestsPerSocket?: number

  /** The status code (for the 204/304 chunked rule); read from firstLine when absent. */
  statusCode?: number
  /** This response answers the last request allowed on the socket (Node: res.maxRequestsOnConnectionReached). */
  maxRequestsReached?: boolean
  /** A ClientRequest with an agent: announces keep-alive even without body framing. */
  hasAgent?: boolean
  /** removeHeader('connection') was called: send none, persist per shouldKeepAlive. */
  removedConnection?: boolean
  /** removeHeader('content-length') was called: never add one. */
  removedContentLength?: boolean
  /** removeHeader('transfer-encoding') was called: never add one. */
  removedTransferEncoding?: boolean
  /** Lowercased names from the uniqueHeaders option: array values are joined with '; ' on one line. */
  uniqueHeaders?: ReadonlySet<string> | null
}

export interface HeadOutput {
  /** The full head, ending in '\r\n\r\n'. */
  head: string
  /**
   * The body goes out in chunked framing (Node: msg.chunkedEncoding). Can be
   * true with hasBody false (a HEAD response given Transfer-Encoding: chunked);
   * as in Node, no chunk and no terminator is written then.
   */
  chunked: boolean
  /**
   * The connection must close after this message: Node's msg._last as
   * _storeHeader leaves it when it was false before. A ClientRequest that set
   * _last earlier keeps it (OR the two), except after removeHeader('connection'),
   * where Node overwrites it with !shouldKeepAlive, as this value already is.
   */
  last: boolean
  /** The head carries a Content-Length field (the user's or one added here). */
  hasContentLength: boolean
  /** The user gave a Trailer field (legal only with chunked framing). */
  hasTrailerHeader: boolean

  /** msg.shouldKeepAlive afterwards: a user Connection header other than close turns it on, a chunked 204/304 off. */
  shouldKeepAlive: boolean
  /** msg._contentLength afterwards: a user Content-Length header's numeric value, else the input; -1 for none. */
  contentLength: number
  /** The user gave a Connection field (Node then forgets an earlier removeHeader('connection')). */
  hasConnectionHeader: boolean
  /** The user gave a Transfer-Encoding field (same for removeHeader('transfer-encoding')). */
  hasTransferEncodingHeader: boolean
  /** The user gave an Expect field: Node sends the head at once instead of waiting for the body. */
  hasExpectHeader: boolean
  /** The user gave a Keep-Alive field (Node: msg._defaultKeepAlive = false): no Keep-Alive of ours. */
  hasKeepAliveHeader: boolean
}

// Token searches Node applies to the user's values (case-insensitive, word-bounded).
const CONNECTION_CLOSE = /(?:^|\W)close(?:$|\W)/i
const CHUNKED = /(?:^|\W)chunked(?:$|\W)/i

/** The running state of one head being built (Node's `state` plus the message fields _storeHeader updates). */
class HeadState {
  head: string
  connection = false
  contentLengthGiven = false
  transferEncoding = false
  date = false
  expect = false
  trailer = false

  last = false
  chunked = false
  shouldKeepAlive: boolean
  /** null when unknown, as Node's _contentLength. */
  contentLength: number | null
  removedConnection: boolean
  removedContentLength: boolean
  removedTransferEncoding: boolean
  /** No user Keep-Alive field: we may add ours. */
  defaultKeepAlive = true
  uniqueHeaders: ReadonlySet<string> | null

  constructor (input: HeadInput) {
    this.head = input.firstLine + '\r\n'
    this.shouldKeepAlive = input.shouldKeepAlive
    this.contentLength = input.contentLength < 0 ? null : input.contentLength
    this.removedConnection = input.removedConnection === true
    this.removedContentLength = input.removedContentLength === true
    this.removedTransferEncoding = input.removedTransferEncoding === true
    this.uniqueHeaders = input.uniqueHeaders ?? null
  }
}

/**
 * Serialises a message head exactly as Node 20's OutgoingMessage#_storeHeader
 * (with ServerResponse#writeHead / ClientRequest supplying the inputs). Throws
 * Node's errors for invalid raw headers and for a Trailer field without
 * chunked framing.
 */
export function buildHead (input: HeadInput): HeadOutput {
  const state = new HeadState(input)

  const store = input.headers
  if (store !== null) {
    for (const key in store) {
      const entry = store[key]
      addField(state, entry[0], key, entry[1], false)
    }
  }
  const raw = input.rawHeaders
  if (raw !== null) addRawFields(state, raw)

  let head = state.head
  if (input.sendDate && !state.date) head += 'Date: ' + utcDate() + '\r\n'

  // A 204 or 304 cannot carry a body (RFC 9110 §15.3.5, §15.4.5), so a
  // user-set chunked framing is dropped, and since the peer may then see
  // stray bytes, Node closes the connection after it.
  if (state.chunked && !input.isRequest) {
    const status = input.statusCode ?? statusFromFirstLine(input.firstLine)
    if (status === 204 || status === 304) {
      state.chunked = false
      state.shouldKeepAlive = false
    }
  }

  const chunkedByDefault = input.useChunkedEncodingByDefault && input.chunkedAllowed

  if (state.removedConnection) {
    // No Connection field at all; HTTP/1.1 persists by default (RFC 9112 §9.3).
    state.last = !state.shouldKeepAlive
  } else if (!state.connection) {
    // Node announces keep-alive only if the body can be delimited without
    // closing: a user Content-Length, chunked framing, or (client) an agent.
    const announceKeepAlive = state.shouldKeepAlive &&
      (state.contentLengthGiven || chunkedByDefault || input.hasAgent === true)
    if (announceKeepAlive && input.maxRequestsReached === true) {
      // Node says close but leaves _last alone: the server ends the socket on its own schedule.
      head += 'Connection: close\r\n'
    } else if (announceKeepAlive) {
      head += 'Connection: keep-alive\r\n'
      if (input.keepAliveTimeoutSecs && state.defaultKeepAlive) {
        const max = input.maxRequestsPerSocket
        head += 'Keep-Alive: timeout=' + Math.floor(input.keepAliveTimeoutSecs) +
          (max !== undefined && ~~max > 0 ? ', max=' + max : '') + '\r\n'
      }
    } else {
      state.last = true
      head += 'Connection: close\r\n'
    }
  }

  let addedContentLength = false
  if (!state.contentLengthGiven && !state.transferEncoding) {
    if (!input.hasBody) {
      state.chunked = false
    } else if (!chunkedByDefault) {
      // Without framing the body ends when the connection does (RFC 9112 §6.3).
      state.last = true
    } else if (!state.trailer && !state.removedContentLength && state.contentLength !== null) {
      head += 'Content-Length: ' + state.contentLength + '\r\n'
      addedContentLength = true
    } else if (!state.removedTransferEncoding) {
      head += 'Transfer-Encoding: chunked\r\n'
      state.chunked = true
    } else {
      // The user removed both framing headers: only closing can end the body.
      state.last = true
    }
  }

  // Trailers only exist in chunked framing (RFC 9112 §7.1.2).
  if (!state.chunked && state.trailer) throw ERR_HTTP_TRAILER_INVALID()

  return {
    head: head + '\r\n',
    chunked: state.chunked,
    last: state.last,
    hasContentLength: state.contentLengthGiven || addedContentLength,
    hasTrailerHeader: state.trailer,
    shouldKeepAlive: state.shouldKeepAlive,
    contentLength: state.contentLength === null ? -1 : state.contentLength,
    hasConnectionHeader: state.connection,
    hasTransferEncodingHeader: state.transferEncoding,
    hasExpectHeader: state.expect,
    hasKeepAliveHeader: !state.defaultKeepAlive,
  }
}

/** 'HTTP/1.1 204 No Content' → 204 (NaN if the line is not a status line). */
function statusFromFirstLine (line: string): number {
  return +line.slice(9, 12)
}

/** writeHead()'s own headers: flat array, array of pairs or object, each field validated. */
function addRawFields (state: HeadState, raw: unknown[] | Record<string, unknown>): void {
  if (Array.isArray(raw)) {
    if (raw.length > 0 && Array.isArray(raw[0])) {
      for (let i = 0; i < raw.length; i++) {
        const pair = raw[i] as unknown[]
        addField(state, pair[0], null, pair[1], true)
      }
      return
    }
    if (raw.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE('headers', raw)
    for (let i = 0; i < raw.length; i += 2) addField(state, raw[i], null, raw[i + 1], true)
    return
  }
  for (const name in raw) {
    if (Object.hasOwn(raw, name)) addField(state, name, null, raw[name], true)
  }
}

/**
 * One field, possibly multi-valued (Node's processHeader). `key` is the
 * lowercased name when the caller already has it (store entries), else null.
 */
function addField (state: HeadState, name: unknown, key: string | null, value: unknown, validate: boolean): void {
  if (validate) validateHeaderName(name)
  const field = name as string

  // Node re-encodes Content-Disposition as Latin-1 bytes when the body length
  // is known (RFC 6266 §4.3, nodejs/node#46528), then concatenates those
  // bytes back into the head as UTF-8, which turns every non-ASCII character
  // into U+FFFD. Reproduced as is (without Node's in-place mutation of an
  // array value) so the wire bytes match.
  if (state.contentLength && field.length === 19 && (key ?? field.toLowerCase()) === 'content-disposition') {
    value = Array.isArray(value) ? value.map(latin1RoundTrip) : latin1RoundTrip(value)
  }

  if (Array.isArray(value)) {
    // Each value on its own line, except a Cookie (RFC 6265 §5.4: one line,
    // '; '-separated) and fields named in uniqueHeaders.
    const lower = key ?? field.toLowerCase()
    if ((value.length < 2 || lower !== 'cookie') && (state.uniqueHeaders === null || !state.uniqueHeaders.has(lower))) {
      for (let i = 0; i < value.length; i++) addLine(state, field, key, value[i], validate)
      return
    }
    value = value.join('; ')
  }
  addLine(state, field, key, value, validate)
}

function latin1RoundTrip (value: unknown): string {
  return Buffer.from(value as string, 'latin1').toString()
}

/** One `name: value` line, then note what it tells about framing (Node's storeHeader + matchHeader). */
function addLine (state: HeadState, name: string, key: string | null, value: unknown, validate: boolean): void {
  if (validate) validateHeaderValue(name, value)
  state.head += name + ': ' + (value as string) + '\r\n'

  // Only these lengths can name a field _storeHeader cares about (4 date …
  // 17 transfer-encoding), so other names are never lowercased.
  switch (name.length) {
    case 4: case 6: case 7: case 10: case 14: case 17: break
    default: return
  }
  switch (key ?? name.toLowerCase()) {
    case 'connection':
      state.connection = true
      state.removedConnection = false
      if (CONNECTION_CLOSE.test(value as string)) state.last = true
      else state.shouldKeepAlive = true
      break
    case 'transfer-encoding':
      state.transferEncoding = true
      state.removedTransferEncoding = false
      if (CHUNKED.test(value as string)) state.chunked = true
      break
    case 'content-length':
      state.contentLengthGiven = true
      state.contentLength = +(value as string)
      state.removedContentLength = false
      break
    case 'date':
      state.date = true
      break
    case 'expect':
      state.expect = true
      break
    case 'trailer':
      state.trailer = true
      break
    case 'keep-alive':
      state.defaultKeepAlive = false
      break
  }
}
