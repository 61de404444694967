// Header rules shared by both directions: which names and values are legal
// (RFC 9110 §5.1 and §5.5, with Node's exact leniency), and how a flat
// rawHeaders array becomes Node's `req.headers` / `req.headersDistinct`
// objects (lib/_http_incoming.js), including its per-field duplicate rules.

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

// --- Incoming header objects -------------------------------------------------

/** How a repeated field is folded into req.headers (Node's matchKnownFields). */
const enum Repeat {
  /** Joined with ', ' (RFC 9110 §5.3) — every field not listed below. */
  JOIN_COMMA = 0,
  /** Kept as an array: Set-Cookie cannot be comma-joined (RFC 6265 §3). */
  ARRAY = 1,
  /** Joined with '; ', the Cookie field's own separator (RFC 6265 §5.4). */
  JOIN_SEMICOLON = 2,
  /** The first value wins, later ones are dropped (singleton fields). */
  FIRST = 3,
}

const REPEAT_RULE: ReadonlyMap<string, Repeat> = new Map([
  ['set-cookie', Repeat.ARRAY],
  ['cookie', Repeat.JOIN_SEMICOLON],
  ...[
    'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
    'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
    'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
  ].map((name): [string, Repeat] => [name, Repeat.FIRST]),
])

/**
 * The lowercase form of a common field name spelled canonically or in
 * lowercase, else undefined. Recognised by length and comparison and
 * answered with an interned literal, which skips toLowerCase() and makes
 * later property and rule look-ups hit V8's string-hash cache. A match is
 * also a valid token, which lets setHeader skip the token scan.
 */
export function knownFieldName (field: string): string | undefined {
  switch (field.length) {
    case 3:
      if (field === 'Age' || field === 'age') return 'age'
      break
    case 4:
      if (field === 'Host' || field === 'host') return 'host'
      if (field === 'Date' || field === 'date') return 'date'
      if (field === 'ETag' || field === 'etag') return 'etag'
      if (field === 'Vary' || field === 'vary') return 'vary'
      if (field === 'From' || field === 'from') return 'from'
      break
    case 6:
      if (field === 'Accept' || field === 'accept') return 'accept'
      if (field === 'Cookie' || field === 'cookie') return 'cookie'
      if (field === 'Server' || field === 'server') return 'server'
      if (field === 'Origin' || field === 'origin') return 'origin'
      if (field === 'Expect' || field === 'expect') return 'expect'
      break
    case 7:
      if (field === 'Referer' || field === 'referer') return 'referer'
      if (field === 'Upgrade' || field === 'upgrade') return 'upgrade'
      if (field === 'Expires' || field === 'expires') return 'expires'
      if (field === 'Trailer' || field === 'trailer') return 'trailer'
      break
    case 8:
      if (field === 'Location' || field === 'location') return 'location'
      if (field === 'If-Match' || field === 'if-match') return 'if-match'
      break
    case 10:
      if (field === 'User-Agent' || field === 'user-agent') return 'user-agent'
      if (field === 'Connection' || field === 'connection') return 'connection'
      if (field === 'Set-Cookie' || field === 'set-cookie') return 'set-cookie'
      if (field === 'Keep-Alive' || field === 'keep-alive') return 'keep-alive'
      break
    case 11:
      if (field === 'Retry-After' || field === 'retry-after') return 'retry-after'
      break
    case 12:
      if (field === 'Content-Type' || field === 'content-type') return 'content-type'
      if (field === 'Max-Forwards' || field === 'max-forwards') return 'max-forwards'
      if (field === 'X-Powered-By' || field === 'x-powered-by') return 'x-powered-by'
      break
    case 13:
      if (field === 'Authorization' || field === 'authorization') return 'authorization'
      if (field === 'Cache-Control' || field === 'cache-control') return 'cache-control'
      if (field === 'Last-Modified' || field === 'last-modified') return 'last-modified'
      if (field === 'If-None-Match' || field === 'if-none-match') return 'if-none-match'
      if (field === 'Accept-Ranges' || field === 'accept-ranges') return 'accept-ranges'
      if (field === 'Content-Range' || field === 'content-range') return 'content-range'
      break
    case 14:
      if (field === 'Content-Length' || field === 'content-length') return 'content-length'
      break
    case 15:
      if (field === 'Accept-Encoding' || field === 'accept-encoding') return 'accept-encoding'
      if (field === 'Accept-Language' || field === 'accept-language') return 'accept-language'
      if (field === 'X-Forwarded-For' || field === 'x-forwarded-for') return 'x-forwarded-for'
      break
    case 16:
      if (field === 'Content-Encoding' || field === 'content-encoding') return 'content-encoding'
      if (field === 'X-Forwarded-Host' || field === 'x-forwarded-host') return 'x-forwarded-host'
      if (field === 'WWW-Authenticate' || field === 'www-authenticate') return 'www-authenticate'
      break
    case 17:
      if (field === 'Transfer-Encoding' || field === 'transfer-encoding') return 'transfer-encoding'
      if (field === 'If-Modified-Since' || field === 'if-modified-since') return 'if-modified-since'
      if (field === 'X-Forwarded-Proto' || field === 'x-forwarded-proto') return 'x-forwarded-proto'
      break
    case 19:
      if (field === 'Proxy-Authorization' || field === 'proxy-authorization') return 'proxy-authorization'
      if (field === 'If-Unmodified-Since' || field === 'if-unmodified-since') return 'if-unmodified-since'
      if (field === 'Content-Disposition' || field === 'content-disposition') return 'content-disposition'
      break
    case 27:
      if (field === 'Access-Control-Allow-Origin' || field === 'access-control-allow-origin') return 'access-control-allow-origin'
      break
  }
  return undefined
}

/** The lowercase form of any field name, without toLowerCase() for common ones. */
export function lowerFieldName (field: string): string {
  return knownFieldName(field) ?? field.toLowerCase()
}

/** How many raw entries (names and values) count under a limit of `maxCount` pairs (0 = none). */
function countedEntries (raw: string[], maxCount: number): number {
  return maxCount > 0 && maxCount * 2 < raw.length ? maxCount * 2 : raw.length
}

/**
 * Node 20's `req.headers` (and `req.trailers`) from a flat [name, value, ...]
 * array: names lowercased; Set-Cookie an array; Cookie joined with '; ';
 * singleton fields keep their first value (or, with `joinDuplicates`, Node's
 * joinDuplicateHeaders option, are joined with ', ' like the rest); all other
 * repeats joined with ', '. Only the first `maxCount` pairs count (0 = all);
 * note Node's own default is 1000 pairs when server.maxHeadersCount is unset.
 *
 * The result is a plain object (Object.prototype), as in Node 20, and is
 * filled with the same operations in the same order, so odd names such as
 * `__proto__` or `constructor` end up exactly as Node leaves them.
 */
export function buildHeaders (raw: string[], maxCount: number, joinDuplicates = false): Record<string, string | string[]> {
  const dest: Record<string, any> = {}
  const count = countedEntries(raw, maxCount)
  for (let i = 0; i < count; i += 2) {
    const field = lowerFieldName(raw[i])
    const value = raw[i + 1]
    switch (REPEAT_RULE.get(field)) {
      case Repeat.ARRAY:
        if (dest[field] !== undefined) dest[field].push(value)
        else dest[field] = [value]
        break
      case Repeat.JOIN_SEMICOLON:
        if (typeof dest[field] === 'string') dest[field] += '; ' + value
        else dest[field] = value
        break
      case Repeat.FIRST:
        if (dest[field] === undefined) dest[field] = value
        else if (joinDuplicates) dest[field] += ', ' + value
        break
      default:
        if (typeof dest[field] === 'string') dest[field] += ', ' + value
        else dest[field] = value
    }
  }
  return dest
}

/**
 * Node 20's `req.headersDistinct` (and `trailersDistinct`): every field, by
 * lowercase name, as the array of its values in arrival order, in an object
 * with a null prototype. Same `maxCount` rule as buildHeaders.
 */
export function buildHeadersDistinct (raw: string[], maxCount: number): Record<string, string[]> {
  const dest: Record<string, string[]> = Object.create(null)
  const count = countedEntries(raw, maxCount)
  for (let i = 0; i < count; i += 2) {
    const field = lowerFieldName(raw[i])
    const values = dest[field]
    if (values === undefined) dest[field] = [raw[i + 1]]
    else values.push(raw[i + 1])
  }
  return dest
}
