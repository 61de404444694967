// Node-compatible errors. Applications and middleware test `err.code`, match
// `err.message` in logs and tests, and check `instanceof TypeError`, so each
// factory reproduces what Node 20's lib/internal/errors.js builds: the same
// built-in base class, the same message, `code` as an own enumerable
// property, `String(err)` and the first stack line reading
// `TypeError [ERR_X]: message`, and `err.constructor` being the base class.
//
// Native code reports failures as data (a libuv errno, an llhttp code and
// reason); the factories at the end of this file turn that data into the
// system and parse errors Node emits.

import { format, getSystemErrorMap, inspect } from 'util'

/** An Error carrying Node's `code` property. */
export interface NodeError extends Error {
  code: string
}

/** The system error shape Node builds from a libuv errno. */
export interface SystemError extends NodeError {
  errno: number
  syscall: string
  address?: string
  port?: number
}

/** The error Node's server hands to 'clientError' when llhttp rejects input. */
export interface ParseError extends NodeError {
  bytesParsed: number
  reason: string
  rawPacket: Buffer
}

// --- The coded error classes -------------------------------------------------
//
// Node defines one subclass per base whose toString() adds the code and whose
// `constructor` reads as the base (so util.inspect prints "TypeError", not the
// subclass). We do the same once per base rather than once per code.

function codedToString (this: NodeError): string {
  return `${this.name} [${this.code}]: ${this.message}`
}

function shapeAsNodeError (proto: object, base: Function): void {
  Object.defineProperty(proto, 'constructor', {
    get () { return base },
    enumerable: false,
    configurable: true,
  })
  Object.defineProperty(proto, 'toString', {
    value: codedToString,
    writable: true,
    enumerable: false,
    configurable: true,
  })
}

class CodedError extends Error {}
class CodedTypeError extends TypeError {}
class CodedRangeError extends RangeError {}
shapeAsNodeError(CodedError.prototype, Error)
shapeAsNodeError(CodedTypeError.prototype, TypeError)
shapeAsNodeError(CodedRangeError.prototype, RangeError)

type CodedClass = typeof CodedError | typeof CodedTypeError | typeof CodedRangeError

/**
 * Builds a coded error. `hideFrom` is the public factory: its frame and the
 * ones above it are left out of the stack, as Node's hideStackFrames does for
 * its validators, so the stack starts where uvhttp code raised the error.
 * `computedMessage` mirrors Node's errors whose message comes from a function
 * (it defines `message` after `code`), so even the own-property order matches.
 */
function coded (Base: CodedClass, code: string, message: string, hideFrom: Function,
  computedMessage = false): NodeError {
  let err: NodeError
  if (computedMessage) {
    err = new Base() as NodeError
    err.code = code
    Object.defineProperty(err, 'message', { value: message, writable: true, enumerable: false, configurable: true })
  } else {
    err = new Base(message) as NodeError
    err.code = code
  }
  if (Error.stackTraceLimit > 0) Error.captureStackTrace(err, hideFrom)
  // Node formats the first stack line as `Name [CODE]: message`. Its stack
  // formatter recognises its own errors by an internal symbol we cannot use,
  // so we let the formatter see that name once: V8 formats `stack` lazily
  // (on first read) from `name` and `message`, then we drop the own `name`
  // so that err.name reads 'TypeError' again, as in Node.
  err.name = `${err.name} [${code}]`
  void err.stack
  delete (err as { name?: string }).name
  return err
}

// --- HTTP --------------------------------------------------------------------

export function ERR_INVALID_HTTP_TOKEN (label: string, name: string): NodeError {
  return coded(CodedTypeError, 'ERR_INVALID_HTTP_TOKEN',
    format('%s must be a valid HTTP token ["%s"]', label, name), ERR_INVALID_HTTP_TOKEN)
}

export function ERR_INVALID_CHAR (label: string, field?: string): NodeError {
  let message = `Invalid character in ${label}`
  if (field !== undefined) message += ` ["${field}"]`
  return coded(CodedTypeError, 'ERR_INVALID_CHAR', message, ERR_INVALID_CHAR, true)
}

export function ERR_HTTP_INVALID_HEADER_VALUE (value: unknown, name: string): NodeError {
  return coded(CodedTypeError, 'ERR_HTTP_INVALID_HEADER_VALUE',
    format('Invalid value "%s" for header "%s"', value, name), ERR_HTTP_INVALID_HEADER_VALUE)
}

/** `action` completes "Cannot <action> headers after they are sent to the client". */
export function ERR_HTTP_HEADERS_SENT (action: string): NodeError {
  return coded(CodedError, 'ERR_HTTP_HEADERS_SENT',
    format('Cannot %s headers after they are sent to the client', action), ERR_HTTP_HEADERS_SENT)
}

export function ERR_HTTP_TRAILER_INVALID (): NodeError {
  return coded(CodedError, 'ERR_HTTP_TRAILER_INVALID',
    'Trailers are invalid with this transfer encoding', ERR_HTTP_TRAILER_INVALID)
}

export function ERR_HTTP_CONTENT_LENGTH_MISMATCH (actual: number, expected: number): NodeError {
  return coded(CodedError, 'ERR_HTTP_CONTENT_LENGTH_MISMATCH',
    format('Response body\'s content-length of %s byte(s) does not match the content-length of %s byte(s) set in header',
      actual, expected), ERR_HTTP_CONTENT_LENGTH_MISMATCH)
}

/** `code` is what the user passed, before any coercion (Node prints it with %s). */
export function ERR_HTTP_INVALID_STATUS_CODE (code: unknown): NodeError {
  return coded(CodedRangeError, 'ERR_HTTP_INVALID_STATUS_CODE',
    format('Invalid status code: %s', code), ERR_HTTP_INVALID_STATUS_CODE)
}

export function ERR_HTTP_SOCKET_ASSIGNED (): NodeError {
  return coded(CodedError, 'ERR_HTTP_SOCKET_ASSIGNED',
    'ServerResponse has an already assigned socket', ERR_HTTP_SOCKET_ASSIGNED)
}

/** Thrown by write() on a HEAD/204/304 response when rejectNonStandardBodyWrites is set. */
export function ERR_HTTP_BODY_NOT_ALLOWED (): NodeError {
  return coded(CodedError, 'ERR_HTTP_BODY_NOT_ALLOWED',
    'Adding content for this request method or response status is not allowed.', ERR_HTTP_BODY_NOT_ALLOWED)
}

export function ERR_HTTP_REQUEST_TIMEOUT (): NodeError {
  return coded(CodedError, 'ERR_HTTP_REQUEST_TIMEOUT', 'Request timeout', ERR_HTTP_REQUEST_TIMEOUT)
}

/** Thrown by socket.setEncoding() on an HTTP connection's socket. */
export function ERR_HTTP_SOCKET_ENCODING (): NodeError {
  return coded(CodedError, 'ERR_HTTP_SOCKET_ENCODING',
    'Changing the socket encoding is not allowed per RFC7230 Section 3.', ERR_HTTP_SOCKET_ENCODING)
}

export function ERR_INVALID_PROTOCOL (protocol: string, expected: string): NodeError {
  return coded(CodedTypeError, 'ERR_INVALID_PROTOCOL',
    format('Protocol "%s" not supported. Expected "%s"', protocol, expected), ERR_INVALID_PROTOCOL)
}

export function ERR_UNESCAPED_CHARACTERS (name: string): NodeError {
  return coded(CodedTypeError, 'ERR_UNESCAPED_CHARACTERS',
    format('%s contains unescaped characters', name), ERR_UNESCAPED_CHARACTERS)
}

// --- Streams -----------------------------------------------------------------

export function ERR_STREAM_WRITE_AFTER_END (): NodeError {
  return coded(CodedError, 'ERR_STREAM_WRITE_AFTER_END', 'write after end', ERR_STREAM_WRITE_AFTER_END)
}

export function ERR_STREAM_DESTROYED (method: string): NodeError {
  return coded(CodedError, 'ERR_STREAM_DESTROYED',
    format('Cannot call %s after a stream was destroyed', method), ERR_STREAM_DESTROYED)
}

export function ERR_STREAM_NULL_VALUES (): NodeError {
  return coded(CodedTypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream', ERR_STREAM_NULL_VALUES)
}

export function ERR_STREAM_ALREADY_FINISHED (method: string): NodeError {
  return coded(CodedError, 'ERR_STREAM_ALREADY_FINISHED',
    format('Cannot call %s after a stream was finished', method), ERR_STREAM_ALREADY_FINISHED)
}

export function ERR_STREAM_CANNOT_PIPE (): NodeError {
  return coded(CodedError, 'ERR_STREAM_CANNOT_PIPE', 'Cannot pipe, not readable', ERR_STREAM_CANNOT_PIPE)
}

export function ERR_METHOD_NOT_IMPLEMENTED (method: string): NodeError {
  return coded(CodedError, 'ERR_METHOD_NOT_IMPLEMENTED',
    format('The %s method is not implemented', method), ERR_METHOD_NOT_IMPLEMENTED)
}

/** `allowZero` false when port 0 is not acceptable (Node's message then says "> 0"). */
export function ERR_SOCKET_BAD_PORT (name: string, port: unknown, allowZero = true): NodeError {
  const operator = allowZero ? '>=' : '>'
  return coded(CodedRangeError, 'ERR_SOCKET_BAD_PORT',
    `${name} should be ${operator} 0 and < 65536. Received ${describeReceived(port)}.`, ERR_SOCKET_BAD_PORT, true)
}

/** socket.resetAndDestroy() on a socket that is closed already. */
export function ERR_SOCKET_CLOSED (): NodeError {
  return coded(CodedError, 'ERR_SOCKET_CLOSED', 'Socket is closed', ERR_SOCKET_CLOSED)
}

/** socket.resetAndDestroy() on a socket that is not TCP (a Unix domain socket). */
export function ERR_INVALID_HANDLE_TYPE (): NodeError {
  return coded(CodedTypeError, 'ERR_INVALID_HANDLE_TYPE', 'This handle type cannot be sent', ERR_INVALID_HANDLE_TYPE)
}

// --- Arguments ---------------------------------------------------------------

// Names Node lowercases and lists as "of type ...".
const PRIMITIVE_TYPE_NAMES = new Set(['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'])
// Capitalised names Node lists as "an instance of ...".
const CLASS_NAME = /^[A-Z][a-zA-Z0-9]*$/

/**
 * "The "name" argument must be of type string or an instance of Buffer.
 * Received type number (5)". A `name` containing a dot is called a property,
 * one ending in " argument" is used as is.
 */
export function ERR_INVALID_ARG_TYPE (name: string, expected: string | string[], actual: unknown): NodeError {
  const expectedList = Array.isArray(expected) ? expected : [expected]
  let message = 'The '
  if (name.endsWith(' argument')) {
    message += `${name} `
  } else {
    message += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `
  }
  message += 'must be '

  const types: string[] = []
  const instances: string[] = []
  const other: string[] = []
  for (const value of expectedList) {
    if (PRIMITIVE_TYPE_NAMES.has(value)) types.push(value.toLowerCase())
    else if (CLASS_NAME.test(value)) instances.push(value)
    else other.push(value)
  }
  // When classes are listed, a plain 'object' reads better as "an instance of Object".
  if (instances.length > 0) {
    const objectAt = types.indexOf('object')
    if (objectAt !== -1) {
      types.splice(objectAt, 1)
      instances.push('Object')
    }
  }
  if (types.length > 0) {
    message += `${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`
    if (instances.length > 0 || other.length > 0) message += ' or '
  }
  if (instances.length > 0) {
    message += `an instance of ${formatList(instances, 'or')}`
    if (other.length > 0) message += ' or '
  }
  if (other.length > 0) {
    if (other.length > 1) {
      message += `one of ${formatList(other, 'or')}`
    } else {
      if (other[0].toLowerCase() !== other[0]) message += 'an '
      message += other[0]
    }
  }
  message += `. Received ${describeReceived(actual)}`
  return coded(CodedTypeError, 'ERR_INVALID_ARG_TYPE', message, ERR_INVALID_ARG_TYPE, true)
}

/** "The property 'options.path' must match …. Received <inspected value>" (the value cut at 128 characters). */
export function ERR_INVALID_ARG_VALUE (name: string, value: unknown, reason = 'is invalid'): NodeError {
  let inspected = inspect(value)
  if (inspected.length > 128) inspected = `${inspected.slice(0, 128)}...`
  const type = name.includes('.') ? 'property' : 'argument'
  return coded(CodedTypeError, 'ERR_INVALID_ARG_VALUE', `The ${type} '${name}' ${reason}. Received ${inspected}`,
    ERR_INVALID_ARG_VALUE, true)
}

/**
 * "The value of "name" is out of range. It must be <range>. Received <value>".
 * With `replaceDefaultBoolean`, `name` is the whole first sentence (as Node).
 */
export function ERR_OUT_OF_RANGE (name: string, range: string, value: unknown, replaceDefaultBoolean = false): NodeError {
  let message = replaceDefaultBoolean ? name : `The value of "${name}" is out of range.`
  let received: string
  if (Number.isInteger(value) && Math.abs(value as number) > 2 ** 32) {
    received = addNumericalSeparator(String(value))
  } else if (typeof value === 'bigint') {
    received = String(value)
    if (value > 2n ** 32n || value < -(2n ** 32n)) received = addNumericalSeparator(received)
    received += 'n'
  } else {
    received = inspect(value)
  }
  message += ` It must be ${range}. Received ${received}`
  return coded(CodedRangeError, 'ERR_OUT_OF_RANGE', message, ERR_OUT_OF_RANGE, true)
}

/** 'a', 'a or b', 'a, b, or c' — Node's list wording (no Intl dependency). */
function formatList (items: string[], conjunction: string): string {
  switch (items.length) {
    case 0: return ''
    case 1: return items[0]
    case 2: return `${items[0]} ${conjunction} ${items[1]}`
    default: return `${items.slice(0, -1).join(', ')}, ${conjunction} ${items[items.length - 1]}`
  }
}

/** 1234567 → '1_234_567', as Node prints large integers in range errors. */
function addNumericalSeparator (digits: string): string {
  let grouped = ''
  let end = digits.length
  const start = digits[0] === '-' ? 1 : 0
  for (; end >= start + 4; end -= 3) grouped = `_${digits.slice(end - 3, end)}${grouped}`
  return `${digits.slice(0, end)}${grouped}`
}

/** The "Received ..." wording of Node's argument errors (its determineSpecificType). */
function describeReceived (value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  switch (typeof value) {
    case 'bigint':
      return `type bigint (${value}n)`
    case 'number':
      if (value === 0) return Object.is(value, -0) ? 'type number (-0)' : 'type number (0)'
      return `type number (${value})` // NaN, Infinity and -Infinity print as themselves
    case 'boolean':
      return `type boolean (${value})`
    case 'symbol':
      return `type symbol (${String(value)})`
    case 'function':
      return `function ${value.name}`
    case 'object': {
      const ctor = (value as { constructor?: Function }).constructor
      if (ctor && 'name' in ctor) return `an instance of ${ctor.name}`
      return inspect(value, { depth: -1 })
    }
    case 'string': {
      const shown = value.length > 28 ? `${value.slice(0, 25)}...` : value
      return shown.includes("'") ? `type string (${JSON.stringify(shown)})` : `type string ('${shown}')`
    }
    default: {
      let shown = inspect(value, { colors: false })
      if (shown.length > 28) shown = `${shown.slice(0, 25)}...`
      return `type ${typeof value} (${shown})`
    }
  }
}

// --- Errors built from native data -------------------------------------------

/** Node's "socket hang up" / "aborted" errors: a plain Error with code ECONNRESET. */
export function connResetException (message: string): NodeError {
  const err = new Error(message) as NodeError
  err.code = 'ECONNRESET'
  return err
}

let systemErrors: Map<number, [string, string]> | undefined

/** [code, description] for a libuv errno; Node's fallback for unknown numbers. */
function describeErrno (errno: number): [string, string] {
  systemErrors ??= getSystemErrorMap()
  return systemErrors.get(errno) ?? ['UNKNOWN', 'unknown error']
}

/**
 * The error Node's net module builds for a failed listen/bind
 * (UVExceptionWithHostPort): "listen EADDRINUSE: address already in use
 * 127.0.0.1:8080", with code, errno (negative), syscall, address and port.
 * For a pipe, pass `path`: Node reports it as the address, with port -1.
 */
export function uvException (errno: number, syscall: string,
  extra?: { address?: string, port?: number, path?: string }): SystemError {
  const [code, description] = describeErrno(errno)
  let address = extra?.address
  let port = extra?.port
  if (extra?.path !== undefined && address === undefined) {
    address = extra.path
    port ??= -1
  }
  let details = ''
  if (port !== undefined && port > 0) details = ` ${address}:${port}`
  else if (address) details = ` ${address}`

  const err = new Error(`${syscall} ${code}: ${description}${details}`) as SystemError
  err.code = code
  err.errno = errno
  err.syscall = syscall
  err.address = address // Node sets it even when undefined
  if (port) err.port = port
  return err
}

/**
 * Node's error for a failed connect (ExceptionWithHostPort): no description,
 * "connect ECONNREFUSED 127.0.0.1:1", errno first among the properties.
 */
export function exceptionWithHostPort (errno: number, syscall: string, address: string,
  port?: number, additional?: string): SystemError {
  const [code] = describeErrno(errno)
  let details = ''
  if (port !== undefined && port > 0) details = ` ${address}:${port}`
  else if (address) details = ` ${address}`
  if (additional) details += ` - Local (${additional})`

  const err = new Error(`${syscall} ${code}${details}`) as SystemError
  err.errno = errno
  err.code = code
  err.syscall = syscall
  err.address = address
  if (port) err.port = port
  return err
}

/** Node's error for a failed read/write/shutdown (ErrnoException): "read ECONNRESET". */
export function errnoException (errno: number, syscall: string, original?: string): SystemError {
  const [code] = describeErrno(errno)
  const err = new Error(original ? `${syscall} ${code} ${original}` : `${syscall} ${code}`) as SystemError
  err.errno = errno
  err.code = code
  err.syscall = syscall
  return err
}

/**
 * The error Node's server passes to 'clientError' when llhttp rejects the
 * input: message "Parse Error: <reason>", then bytesParsed, code (HPE_…),
 * reason and rawPacket as own enumerable properties, in that order. Node
 * builds it in C++ outside any JS frame, so its stack is the header line
 * alone; we give it the same stack rather than our dispatch frames.
 */
export function parseError (code: string, reason: string, bytesParsed: number, rawPacket: Buffer): ParseError {
  const message = `Parse Error: ${reason}`
  const err = new Error(message) as ParseError
  Object.defineProperty(err, 'stack', {
    value: `Error: ${message}`,
    writable: true,
    enumerable: false,
    configurable: true,
  })
  err.bytesParsed = bytesParsed
  err.code = code
  err.reason = reason
  err.rawPacket = rawPacket
  return err
}
