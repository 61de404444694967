// Header rules shared by both directions: which names and values are legal
// (RFC 9110 §5.1 and §5.5, with Node's exact leniency). req.headers and
// req.headersDistinct are Node's own (IncomingMessage is Node's class).

import { ERR_HTTP_INVALID_HEADER_VALUE, ERR_INVALID_CHAR, ERR_INVALID_HTTP_TOKEN } from './errors'

// --- Tokens and field values -------------------------------------------------

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA      (RFC 9110 §5.6.2)
const IS_TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789") IS_TCHAR[c.charCodeAt(0)] = 1
for (let c = 0x41; c <= 0x5a; c++) {
  IS_TCHAR[c] = 1
  IS_TCHAR[c + 0x20] = 1
}

/** True if `s` is a non-empty RFC 9110 token (what Node accepts as a header name or method). */
export function checkIsHttpToken (s: string): boolean {
  const length = s.length
  if (length === 0) return false
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0x7f || IS_TCHAR[c] === 0) return false
  }
  return true
}

// Node accepts HTAB, visible ASCII, space and every Latin-1 byte 0x80-0xff
// (obs-text) in a value; anything else (CTLs, DEL, code points above 0xff)
// is rejected. Measured on Node 20: a charCodeAt loop beats the regex on the
// short values most headers carry, the regex wins 4x on long ones (cookies,
// CSP), so each length gets the faster of the two; they accept the same set.
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/
const SHORT_VALUE = 32

/** True if `s` contains a character Node refuses in a header value. */
export function checkInvalidHeaderChar (s: string): boolean {
  const length = s.length
  if (length > SHORT_VALUE) return INVALID_VALUE_CHAR.test(s)
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 ? c !== 0x09 : (c === 0x7f || c > 0xff)) return true
  }
  return false
}

/** http.validateHeaderName: throws ERR_INVALID_HTTP_TOKEN (a TypeError) for a non-token. */
export function validateHeaderName (name: unknown, label?: string): void {
  if (typeof name !== 'string' || !checkIsHttpToken(name)) {
    throw ERR_INVALID_HTTP_TOKEN(label || 'Header name', name as string)
  }
}

/**
 * http.validateHeaderValue: undefined is refused; anything else is checked as
 * its string form, as Node's regex test does (so null and numbers pass, and an
 * array is checked as its comma-joined form).
 */
export function validateHeaderValue (name: string, value: unknown): void {
  if (value === undefined) throw ERR_HTTP_INVALID_HEADER_VALUE(value, name)
  if (typeof value === 'number') return // digits, '.', '-', 'e', 'NaN', 'Infinity' only
  // A template literal applies ToString exactly as RegExp#test does (a Symbol throws the same TypeError).
  if (checkInvalidHeaderChar(typeof value === 'string' ? value : `${value as string}`)) {
    throw ERR_INVALID_CHAR('header content', name)
  }
}

/** Node's parser.maxHeaderPairs (header entries, names and values) when maxHeadersCount is not a number. */
const DEFAULT_MAX_HEADER_ENTRIES = 2000

/**
 * The header fields a message may bring, for the engine's parser (0: no
 * limit), from a server's or a request's maxHeadersCount as Node reads it:
 * parser.maxHeaderPairs = maxHeadersCount << 1 entries when it is a number
 * (so 0, a negative count or NaN set no limit, 1.5 allows one field).
 */
export function maxHeaderFields (maxHeadersCount: unknown): number {
  const entries = typeof maxHeadersCount === 'number' ? maxHeadersCount << 1 : DEFAULT_MAX_HEADER_ENTRIES
  return entries > 0 ? entries >> 1 : 0
}

/**
 * Whether a Content-Length or Transfer-Encoding field lies past the first
 * `fields` of a raw header list: the client drops those fields, and the body
 * would then be framed by a header the application never sees. The engine's
 * parser checks the same natively (HttpParser::FramingPastCount); this is for
 * responses Node's parser reads (sockets the engine does not own).
 */
export function framingPastCount (raw: string[], fields: number): boolean {
  if (fields === 0) return false
  for (let i = 2 * fields; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    if (name === 'content-length' || name === 'transfer-encoding') return true
  }
  return false
}
