// The head of a response: Node's OutgoingMessage#_storeHeader, rule for rule
// (the same header order, the same Date / Connection / Keep-Alive /
// Content-Length / Transfer-Encoding decisions, the same errors), written
// over the response's own fields so that it reads what applications set
// (res.sendDate, res.shouldKeepAlive, res.useChunkedEncodingByDefault …).
import { ERR_HTTP_TRAILER_INVALID, ERR_INVALID_ARG_VALUE, ERR_INVALID_CHAR, ERR_HTTP_INVALID_HEADER_VALUE } from '../common/errors'
import { validateHeaderName } from '../common/headers'
import { Field, fieldOf, OutHeaders, refusedValue } from './outgoing-headers'
import { kOutHeaders, kUniqueHeaders } from '../common/node-internals'
import { kConnection } from './symbols'

/** Token searches Node applies to the user's values (case-insensitive, word-bounded). */
const RE_CONN_CLOSE = /(?:^|\W)close(?:$|\W)/i
export const RE_TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i

/** Called as hasOwnProperty.call(o, key) in a for-in over o, V8's optimizing compiler checks the map instead (Object.hasOwn is a call). */
const hasOwnProperty = Object.prototype.hasOwnProperty

// --- The Date header ---------------------------------------------------------

let dateCache: string | undefined

/** 'Date: <IMF-fixdate>\r\n' (RFC 9110 §6.6.1), rendered once a second as Node does. */
function dateLine (): string {
  if (dateCache === undefined) {
    const d = new Date()
    dateCache = 'Date: ' + d.toUTCString() + '\r\n'
    setTimeout(resetDate, 1000 - d.getMilliseconds()).unref()
  }
  return dateCache
}

function resetDate (): void {
  dateCache = undefined
}

// --- Keep-Alive --------------------------------------------------------------

let keepAliveTimeoutCache = -1
let keepAliveMaxCache = -1
let keepAliveLines = ''

/** 'Connection: keep-alive' and 'Keep-Alive: timeout=N[, max=M]', the same for every response of a server. */
function keepAliveHeader (timeoutMs: number, max: number): string {
  if (timeoutMs !== keepAliveTimeoutCache || max !== keepAliveMaxCache) {
    keepAliveTimeoutCache = timeoutMs
    keepAliveMaxCache = max
    keepAliveLines = 'Connection: keep-alive\r\n' +
      `Keep-Alive: timeout=${Math.floor(timeoutMs / 1000)}` + (max > 0 ? `, max=${max}` : '') + '\r\n'
  }
  return keepAliveLines
}

// --- The head ----------------------------------------------------------------

// What the header fields said (Node's `state`). The serialisation is
// synchronous and does not call out, so one set of flags serves every head.
let sawConnection = false
let sawContentLength = false
let sawTransferEncoding = false
let sawDate = false
let sawExpect = false
let sawTrailer = false
let head = ''

/**
 * Builds res._header from the status line (made here: the status and its
 * message) and the headers (the store, a
 * flat or paired array, or a plain object as given to writeHead), and sets
 * the framing fields Node's _storeHeader sets. Returns whether the head must
 * leave at once (an Expect field: Node sends it without waiting for a body).
 */
export function storeHead (res: any, statusCode: number, statusMessage: string, headers: any): boolean {
  const fromStore = headers === res[kOutHeaders]
  const cacheable = headers != null && typeof headers === 'object' && !Array.isArray(headers)
  if (cacheable && lastHead.matches(res, statusCode, statusMessage, headers, fromStore)) return lastHead.apply(res)
  if (cacheable) lastHead.begin(res, statusCode, statusMessage, fromStore)
  recording = cacheable
  sawConnection = sawContentLength = sawTransferEncoding = sawDate = sawExpect = sawTrailer = false
  head = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`
  if (headers) {
    if (fromStore) {
      const store = headers as OutHeaders
      for (const key in store) {
        const entry = store[key]
        processHeader(res, entry[0], entry[1], false)
      }
    } else if (Array.isArray(headers)) {
      if (headers.length && Array.isArray(headers[0])) {
        for (let i = 0; i < headers.length; i++) {
          const entry = headers[i]
          processHeader(res, entry[0], entry[1], true)
        }
      } else {
        if (headers.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE('headers', headers)
        for (let n = 0; n < headers.length; n += 2) processHeader(res, headers[n], headers[n + 1], true)
      }
    } else {
      for (const key in headers) {
        if (hasOwnProperty.call(headers, key)) processHeader(res, key, headers[key], true)
      }
    }
  }

  let header = head
  head = ''
  if (res.sendDate && !sawDate) header += dateLine()

  // RFC 9110 §15.3.5, §15.4.5: 204 and 304 have no body; a chunked one
  // would confuse proxies, so Node drops the framing and the connection.
  if (res.chunkedEncoding && (res.statusCode === 204 || res.statusCode === 304)) {
    res.chunkedEncoding = false
    res.shouldKeepAlive = false
  }

  if (res._removedConnection) {
    res._last = !res.shouldKeepAlive
  } else if (!sawConnection) {
    const shouldSendKeepAlive = res.shouldKeepAlive && (sawContentLength || res.useChunkedEncodingByDefault || res.agent)
    if (shouldSendKeepAlive && res.maxRequestsOnConnectionReached) {
      header += 'Connection: close\r\n'
    } else if (shouldSendKeepAlive) {
      if (res._keepAliveTimeout && res._defaultKeepAlive) header += keepAliveHeader(res._keepAliveTimeout, ~~res._maxRequestsPerSocket)
      else header += 'Connection: keep-alive\r\n'
    } else {
      res._last = true
      header += 'Connection: close\r\n'
    }
  }

  if (!sawContentLength && !sawTransferEncoding) {
    if (!res._hasBody) {
      res.chunkedEncoding = false
    } else if (!res.useChunkedEncodingByDefault) {
      res._last = true
    } else if (!sawTrailer && !res._removedContLen && typeof res._contentLength === 'number') {
      header += 'Content-Length: ' + res._contentLength + '\r\n'
    } else if (!res._removedTE) {
      header += 'Transfer-Encoding: chunked\r\n'
      res.chunkedEncoding = true
    } else {
      // Neither Content-Length nor Transfer-Encoding: the body ends with the connection.
      res._last = true
    }
  }

  // RFC 9112 §7.1.2: trailers need the chunked framing.
  if (res.chunkedEncoding !== true && sawTrailer) throw ERR_HTTP_TRAILER_INVALID()

  res._header = header + '\r\n'
  res._headerSent = false
  if (recording) lastHead.end(res, sawExpect)
  recording = false
  return sawExpect
}

// --- The last head, kept for the next response that would build it again ----
//
// A server answers most requests with the same head (the same status, the
// same fields and values, the same Date for a second): building and
// validating it again, and then copying a string of a dozen pieces out of
// V8, is most of what a small response costs. So the last head built from
// a plain object or from the header store is kept with everything it was
// built from (the fields, and every response field _storeHeader reads) and
// what it set; a response whose inputs are all the same gets that string and
// those settings. Values must be strings or numbers (compared as such); an
// array or any other value is not kept.

/** While a head is being built: its fields are recorded for lastHead. */
let recording = false

class LastHead {
  valid = false
  names: string[] = []
  values: Array<string | number> = []
  fromStore = false
  statusCode = 0
  statusMessage = ''
  date: string | undefined = undefined
  // What _storeHeader reads of the response: its boolean fields as bits
  // (responseBits), the rest as they were.
  bits = 0
  keepAliveTimeout = 0
  maxRequestsPerSocket = 0
  contentLength = 0
  uniqueHeaders: unknown = null
  /** The server (its header validation may be relaxed: Node 24's httpValidation). */
  connection: unknown = null
  // What it set.
  header = ''
  outChunkedEncoding = false
  outShouldKeepAlive = false
  outLast = false
  outContentLength: unknown = null
  outRemovedConnection = false
  outRemovedContLen = false
  outRemovedTE = false
  outDefaultKeepAlive = false
  expect = false

  matches (res: any, statusCode: number, statusMessage: string, headers: any, fromStore: boolean): boolean {
    // Strings compared here are the same objects when nothing changed
    // (STATUS_CODES' texts, the cached Date line, the application's literals).
    // Every comparison sees one type only (the booleans packed in one
    // number, the values split by type): one of mixed types is a call into
    // V8's generic StrictEqual.
    if (!this.valid || statusCode !== this.statusCode || statusMessage !== this.statusMessage || fromStore !== this.fromStore ||
        responseBits(res) !== this.bits || (this.date !== undefined && dateLine() !== this.date) ||
        res._keepAliveTimeout !== this.keepAliveTimeout || res._maxRequestsPerSocket !== this.maxRequestsPerSocket ||
        contentLengthOf(res) !== this.contentLength || res[kUniqueHeaders] !== this.uniqueHeaders ||
        serverOf(res) !== this.connection) return false
    const names = this.names
    const values = this.values
    let i = 0
    if (fromStore) {
      for (const key in headers) {
        const entry = headers[key]
        if (i === names.length || entry[0] !== names[i] || !sameValue(entry[1], values[i])) return false
        i++
      }
    } else {
      for (const key in headers) {
        if (!hasOwnProperty.call(headers, key)) continue
        if (i === names.length || key !== names[i] || !sameValue(headers[key], values[i])) return false
        i++
      }
    }
    return i === names.length
  }

  /** Gives `res` the kept head and what building it set; returns whether it had an Expect field. */
  apply (res: any): boolean {
    res.chunkedEncoding = this.outChunkedEncoding
    res.shouldKeepAlive = this.outShouldKeepAlive
    res._last = this.outLast
    res._contentLength = this.outContentLength
    res._removedConnection = this.outRemovedConnection
    res._removedContLen = this.outRemovedContLen
    res._removedTE = this.outRemovedTE
    res._defaultKeepAlive = this.outDefaultKeepAlive
    res._header = this.header
    res._headerSent = false
    return this.expect
  }

  begin (res: any, statusCode: number, statusMessage: string, fromStore: boolean): void {
    this.valid = false
    this.names.length = 0
    this.values.length = 0
    this.fromStore = fromStore
    this.statusCode = statusCode
    this.statusMessage = statusMessage
    this.bits = responseBits(res)
    this.date = res.sendDate ? dateLine() : undefined
    this.keepAliveTimeout = res._keepAliveTimeout
    this.maxRequestsPerSocket = res._maxRequestsPerSocket
    this.contentLength = contentLengthOf(res)
    this.uniqueHeaders = res[kUniqueHeaders]
    this.connection = serverOf(res)
  }

  /** One field of the head being built; a value that is not a string or a number keeps the head from being kept. */
  field (name: string, value: unknown): void {
    if (typeof value === 'string' || typeof value === 'number') {
      this.names.push(name)
      this.values.push(value)
    } else {
      recording = false
    }
  }

  end (res: any, expect: boolean): void {
    this.header = res._header
    this.outChunkedEncoding = res.chunkedEncoding
    this.outShouldKeepAlive = res.shouldKeepAlive
    this.outLast = res._last
    this.outContentLength = res._contentLength
    this.outRemovedConnection = res._removedConnection
    this.outRemovedContLen = res._removedContLen
    this.outRemovedTE = res._removedTE
    this.outDefaultKeepAlive = res._defaultKeepAlive
    this.expect = expect
    // A response field that was not a boolean, or a Content-Length that is
    // not a number, keeps the head from being kept.
    this.valid = this.bits < NOT_BOOLEAN && this.contentLength === this.contentLength
  }
}

const lastHead = new LastHead()

/** A field that is not a boolean (an application set it so): the head is not kept. */
const NOT_BOOLEAN = 1 << 30

function bit (value: unknown, b: number): number {
  return value === true ? b : value === false ? 0 : NOT_BOOLEAN
}

/**
 * The boolean fields _storeHeader reads, one bit each, and whether the
 * response has an agent (only a client's does); NOT_BOOLEAN is set when one
 * is not a boolean, and such a response never matches (begin() keeps the
 * bits, matches() compares them, and the recorded head is not valid).
 */
function responseBits (res: any): number {
  return bit(res.sendDate, 1) | bit(res.chunkedEncoding, 2) | bit(res._removedConnection, 4) |
    bit(res.shouldKeepAlive, 8) | bit(res.useChunkedEncodingByDefault, 16) |
    bit(res.maxRequestsOnConnectionReached, 32) | bit(res._defaultKeepAlive, 64) | bit(res._hasBody, 128) |
    bit(res._removedContLen, 256) | bit(res._removedTE, 512) | bit(res._last, 1024) |
    (res.agent === undefined ? 0 : NOT_BOOLEAN)
}

/** res._contentLength as a number: -1 for null, NaN (never equal) for anything else but a number. */
function contentLengthOf (res: any): number {
  const length = res._contentLength
  return length === null ? -1 : typeof length === 'number' ? length : NaN
}

/** A header value equal to a recorded one (a string or a number), each type compared on its own. */
function sameValue (value: unknown, recorded: string | number): boolean {
  if (typeof value === 'string') return typeof recorded === 'string' && value === recorded
  return typeof value === 'number' && typeof recorded === 'number' && value === recorded
}

function serverOf (res: any): unknown {
  return res[kConnection]?.server
}

function isCookieField (s: string): boolean {
  return s.length === 6 && s.toLowerCase() === 'cookie'
}

function isContentDispositionField (s: string): boolean {
  return s.length === 19 && s.toLowerCase() === 'content-disposition'
}

function processHeader (res: any, key: string, value: any, validate: boolean): void {
  if (validate) validateHeaderName(key)
  if (recording) lastHead.field(key, value)
  // RFC 6266 §4.3, as Node does it (nodejs/node#46528): with a known length,
  // a Content-Disposition value is re-read as latin1 bytes.
  if (isContentDispositionField(key) && res._contentLength) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = Buffer.from(value[i], 'latin1')
    } else {
      value = Buffer.from(value, 'latin1')
    }
  }
  if (Array.isArray(value)) {
    const unique: Set<string> | null = res[kUniqueHeaders]
    if ((value.length < 2 || !isCookieField(key)) && (!unique || !unique.has(key.toLowerCase()))) {
      for (let i = 0; i < value.length; i++) storeField(res, key, value[i], validate)
      return
    }
    value = value.join('; ')
  }
  storeField(res, key, value, validate)
}

function storeField (res: any, key: string, value: any, validate: boolean): void {
  if (validate) {
    if (value === undefined) throw ERR_HTTP_INVALID_HEADER_VALUE(value, key)
    if (refusedValue(res, value)) throw ERR_INVALID_CHAR('header content', key)
  }
  head += key + ': ' + value + '\r\n'
  switch (fieldOf(key)) {
    case Field.OTHER: return
    case Field.CONNECTION:
      sawConnection = true
      res._removedConnection = false
      if (RE_CONN_CLOSE.test(value)) res._last = true
      else res.shouldKeepAlive = true
      return
    case Field.TRANSFER_ENCODING:
      sawTransferEncoding = true
      res._removedTE = false
      if (RE_TE_CHUNKED.test(value)) res.chunkedEncoding = true
      return
    case Field.CONTENT_LENGTH:
      sawContentLength = true
      res._contentLength = +value
      res._removedContLen = false
      return
    case Field.DATE: sawDate = true; return
    case Field.EXPECT: sawExpect = true; return
    case Field.TRAILER: sawTrailer = true; return
    case Field.KEEP_ALIVE: res._defaultKeepAlive = false
  }
}
