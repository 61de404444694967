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

// --- How many header lines a message keeps (maxHeadersCount) -----------------

/** Node's parser.maxHeaderPairs when maxHeadersCount is not a number. */
const DEFAULT_MAX_HEADER_ENTRIES = 2000
/**
 * Node's parser holds 32 header fields (node_http_parser.cc
 * kMaxHeaderFieldsCount); when the 32nd begins, it hands the 31 complete
 * pairs before it to JS (parserOnHeaders) and starts over.
 */
const HEADER_GROUP_ENTRIES = 62

/**
 * parser.maxHeaderPairs for a server's or a request's maxHeadersCount: a
 * count of entries (names and values); 0 or less means no limit.
 */
export function maxHeaderEntries (maxHeadersCount: unknown): number {
  return typeof maxHeadersCount === 'number' ? maxHeadersCount << 1 : DEFAULT_MAX_HEADER_ENTRIES
}

/**
 * How Node's parserOnHeaders (lib/_http_common.js) keeps a group once the
 * list is near maxHeaderPairs: Node 20 appends whole groups while fewer than
 * maxHeaderPairs entries are kept; Node 22 and later append only up to it.
 * Found by running the running line's own function once on a probe parser.
 */
const GROUPS_CUT_EXACTLY: boolean = probeGroupCut()

function probeGroupCut (): boolean {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const common = require('_http_common')
  const parser = common.parsers.alloc()
  try {
    parser.maxHeaderPairs = 2
    parser._headers = []
    parser._url = ''
    parser[common.HTTPParser.kOnHeaders | 0](['a', '1', 'b', '2'], '')
    return parser._headers.length === 2
  } finally {
    parser._headers = []
    parser._url = ''
    common.parsers.free(parser)
  }
}

/**
 * The raw header list as Node keeps it (rawHeaders). A head of more than 31
 * fields reaches JS in groups of 31 pairs through parserOnHeaders: Node 20
 * appends a group only while fewer than maxEntries entries are kept, so the
 * list ends at the first group boundary at or past the limit; Node 22+ cuts
 * it at the limit. A head of 31 fields or fewer arrives whole. _addHeaderLines
 * then reads at most maxEntries of it (keptHeaderCount).
 */
export function keptHeaderLines (raw: string[], maxEntries: number): string[] {
  if (raw.length <= HEADER_GROUP_ENTRIES || maxEntries <= 0) return raw
  if (GROUPS_CUT_EXACTLY) return maxEntries < raw.length ? raw.slice(0, maxEntries) : raw
  let kept = 0
  while (kept < raw.length && kept < maxEntries) kept += HEADER_GROUP_ENTRIES
  return kept >= raw.length ? raw : raw.slice(0, kept)
}

/** How many entries of the kept list become req.headers / res.headers. */
export function keptHeaderCount (raw: string[], maxEntries: number): number {
  return maxEntries > 0 && maxEntries < raw.length ? maxEntries : raw.length
}

/**
 * `name` equals `lower` (a lowercase ASCII field name) ignoring case. Names
 * the engine hands over are not V8-internalized strings, and comparing one
 * with a literal goes through a runtime call; their characters are cheap.
 */
export function isFieldName (name: string, lower: string): boolean {
  const length = lower.length
  if (name.length !== length) return false
  for (let i = 0; i < length; i++) {
    let c = name.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) c += 0x20
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

/** maxHeaderEntries as the engine's parser takes it (0: no limit, as Node's 0 or less). */
export function parserHeaderEntries (maxHeadersCount: unknown): number {
  return Math.max(maxHeaderEntries(maxHeadersCount), 0)
}
