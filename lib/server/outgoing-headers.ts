// The header store of a response (what Node keeps under its kOutHeaders
// symbol: lowercased name → [name as given, value], in insertion order) and
// the few facts about header names the head serialiser needs. The rules are
// Node's OutgoingMessage#setHeader … #removeHeader, rule for rule.
import { OutgoingMessage as NodeOutgoingMessage } from 'http'
import { ERR_HTTP_INVALID_HEADER_VALUE, ERR_INVALID_ARG_TYPE, ERR_INVALID_CHAR } from '../common/errors'
import { checkInvalidHeaderChar, validateHeaderName } from '../common/headers'

export type OutHeaderValue = any
export type OutHeaders = Record<string, [string, OutHeaderValue]>

// Node 20's store is `{ __proto__: null }`, which V8 keeps in dictionary
// mode; instances of a class whose prototype is an empty object with a null
// prototype inherit nothing either but stay in fast mode (Node 26 does the
// same, for the same reason).
class OutHeaderStore {}
Object.setPrototypeOf(OutHeaderStore.prototype, null)
delete (OutHeaderStore.prototype as { constructor?: unknown }).constructor

export function createOutHeaders (): OutHeaders {
  return new OutHeaderStore() as OutHeaders
}

/** Header names whose presence changes the framing of the head (Node's matchHeader). */
export const enum Field {
  OTHER = 0,
  CONNECTION,
  TRANSFER_ENCODING,
  CONTENT_LENGTH,
  DATE,
  EXPECT,
  TRAILER,
  KEEP_ALIVE,
}

/**
 * Which framing field `name` is, in any spelling. The usual spellings are
 * recognised without lowercasing (one allocation per header otherwise).
 */
export function fieldOf (name: string): Field {
  switch (name.length) {
    case 4:
      if (name === 'Date' || name === 'date') return Field.DATE
      break
    case 6:
      if (name === 'Expect' || name === 'expect') return Field.EXPECT
      break
    case 7:
      if (name === 'Trailer' || name === 'trailer') return Field.TRAILER
      break
    case 10:
      if (name === 'Connection' || name === 'connection') return Field.CONNECTION
      if (name === 'Keep-Alive' || name === 'keep-alive') return Field.KEEP_ALIVE
      break
    case 14:
      if (name === 'Content-Length' || name === 'content-length') return Field.CONTENT_LENGTH
      break
    case 17:
      if (name === 'Transfer-Encoding' || name === 'transfer-encoding') return Field.TRANSFER_ENCODING
      break
    default:
      return Field.OTHER
  }
  switch (name.toLowerCase()) {
    case 'date': return Field.DATE
    case 'expect': return Field.EXPECT
    case 'trailer': return Field.TRAILER
    case 'connection': return Field.CONNECTION
    case 'keep-alive': return Field.KEEP_ALIVE
    case 'content-length': return Field.CONTENT_LENGTH
    case 'transfer-encoding': return Field.TRANSFER_ENCODING
    default: return Field.OTHER
  }
}

/** Names applications set on nearly every response: known tokens, known lowercase forms. */
const COMMON_NAMES: Record<string, string> = {
  __proto__: null as any,
  'Content-Type': 'content-type',
  'content-type': 'content-type',
  'Content-Length': 'content-length',
  'content-length': 'content-length',
  'X-Powered-By': 'x-powered-by',
  ETag: 'etag',
  etag: 'etag',
  'Cache-Control': 'cache-control',
  'cache-control': 'cache-control',
  'Last-Modified': 'last-modified',
  'Set-Cookie': 'set-cookie',
  'set-cookie': 'set-cookie',
  Location: 'location',
  Vary: 'vary',
  Date: 'date',
  Connection: 'connection',
  'Transfer-Encoding': 'transfer-encoding',
  'Content-Encoding': 'content-encoding',
  'Accept-Ranges': 'accept-ranges',
  'Content-Security-Policy': 'content-security-policy',
  'X-Content-Type-Options': 'x-content-type-options',
}

/** The store key of a name (validated or not): lowercase, without allocating for common names. */
export function lowerName (name: string): string {
  return COMMON_NAMES[name] ?? name.toLowerCase()
}

/** setHeader/appendHeader validation (name, then value, as Node) and the store key. */
export function validatedKey (res: unknown, name: unknown, value: unknown): string {
  const known = typeof name === 'string' ? COMMON_NAMES[name] : undefined
  if (known === undefined) validateHeaderName(name)
  validateValue(res, name as string, value)
  return known ?? (name as string).toLowerCase()
}

/** Node's validateHeaderValue, with Node 24's relaxed rule where the server asks for it. */
export function validateValue (res: unknown, name: string, value: unknown): void {
  if (value === undefined) throw ERR_HTTP_INVALID_HEADER_VALUE(value, name)
  if (refusedValue(res, value)) throw ERR_INVALID_CHAR('header content', name)
}

// Node 24 relaxes header value validation when the server's httpValidation
// (or insecureHTTPParser, or the process flag) says so: then only NUL, CR,
// LF and code points above 0xff are refused. Node 20 and 22 have no such
// mode. The relaxed rule accepts a superset of the strict one, so it is
// consulted only for a value the strict rule refuses.
const nodeIsLenient: ((this: unknown) => boolean) | undefined = (NodeOutgoingMessage.prototype as any)._isLenientHeaderValidation
const LENIENT_INVALID = /[\x00\x0a\x0d]|[^\x00-\xff]/

/** A header value Node would refuse for this response (res: anything with .req and .httpValidation). */
export function refusedValue (res: any, value: unknown): boolean {
  if (typeof value === 'number') return false
  const s = typeof value === 'string' ? value : `${value as string}`
  if (!checkInvalidHeaderChar(s)) return false
  if (nodeIsLenient === undefined || LENIENT_INVALID.test(s)) return true
  // Node's own decision, asked with the server the response belongs to.
  const server = res?.[kServerOf]?.() ?? res?.req?.socket?.server
  return !nodeIsLenient.call({ httpValidation: res?.httpValidation, insecureHTTPParser: res?.insecureHTTPParser, req: { socket: { server } } })
}

/** A response's server, without making its socket (lib/server/server-response.ts). */
export const kServerOf = Symbol('uvhttp.serverOf')

/** getHeader/hasHeader/removeHeader refuse a non-string name as Node's validateString does. */
export function validateNameArgument (name: unknown): asserts name is string {
  if (typeof name !== 'string') throw ERR_INVALID_ARG_TYPE('name', 'string', name)
}
