// The head of a response: Node's OutgoingMessage#_storeHeader, rule for rule
// (the same header order, the same Date / Connection / Keep-Alive /
// Content-Length / Transfer-Encoding decisions, the same errors), written
// over the response's own fields so that it reads what applications set
// (res.sendDate, res.shouldKeepAlive, res.useChunkedEncodingByDefault …).
import { ERR_HTTP_TRAILER_INVALID, ERR_INVALID_ARG_VALUE, ERR_INVALID_CHAR, ERR_HTTP_INVALID_HEADER_VALUE } from '../common/errors'
import { validateHeaderName } from '../common/headers'
import { Field, fieldOf, OutHeaders, refusedValue } from './outgoing-headers'
import { kOutHeaders, kUniqueHeaders } from '../common/node-internals'

/** Token searches Node applies to the user's values (case-insensitive, word-bounded). */
const RE_CONN_CLOSE = /(?:^|\W)close(?:$|\W)/i
export const RE_TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i

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
 * Builds res._header from the status line and the headers (the store, a
 * flat or paired array, or a plain object as given to writeHead), and sets
 * the framing fields Node's _storeHeader sets. Returns whether the head must
 * leave at once (an Expect field: Node sends it without waiting for a body).
 */
export function storeHead (res: any, firstLine: string, headers: any): boolean {
  sawConnection = sawContentLength = sawTransferEncoding = sawDate = sawExpect = sawTrailer = false
  head = firstLine
  if (headers) {
    if (headers === res[kOutHeaders]) {
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
        if (Object.hasOwn(headers, key)) processHeader(res, key, headers[key], true)
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
  return sawExpect
}

function isCookieField (s: string): boolean {
  return s.length === 6 && s.toLowerCase() === 'cookie'
}

function isContentDispositionField (s: string): boolean {
  return s.length === 19 && s.toLowerCase() === 'content-disposition'
}

function processHeader (res: any, key: string, value: any, validate: boolean): void {
  if (validate) validateHeaderName(key)
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
