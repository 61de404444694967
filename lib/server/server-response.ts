// ServerResponse: uvhttp's own, over lean state. Its prototype chain passes
// through Node's http.ServerResponse (so instanceof holds, and what an
// application adds to Node's prototypes is reachable), but every method the
// chain would take from Node on the way to the wire is here: the header store,
// the head (lib/server/response-head.ts), write/end with Node's framing,
// validation, error codes and per-tick backpressure rules (COMPAT.md #5, #7,
// #10). A response writes itself: end(body) of a small response serialises
// status line, headers and body and hands them to the connection in one call
// (DESIGN.md #4). It registers no listener and schedules nothing of its own;
// its connection (lib/server/server-connection.ts) decides when 'finish' and
// 'close' are due and emits them only to listeners that exist.
import * as http from 'http'
import { probeServerResponse, serverResponseCreated } from '../common/channels'
import {
  ERR_HTTP_BODY_NOT_ALLOWED, ERR_HTTP_CONTENT_LENGTH_MISMATCH, ERR_HTTP_HEADERS_SENT, ERR_HTTP_INVALID_STATUS_CODE,
  ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_CHAR, ERR_STREAM_ALREADY_FINISHED, ERR_STREAM_DESTROYED,
  ERR_STREAM_NULL_VALUES, ERR_STREAM_WRITE_AFTER_END,
} from '../common/errors'
import { checkInvalidHeaderChar } from '../common/headers'
import { kNeedDrain, kOutHeaders, kUniqueHeaders } from '../common/node-internals'
import { kServerOf } from './outgoing-headers'
import { installHeaderMethods } from './response-headers'
import { RE_TE_CHUNKED, storeHead } from './response-head'
import { installInformational } from './response-informational'
import { kConnection } from './symbols'

/** Node's own reason phrases, the object its writeHead reads (and users edit: uvhttp/register leaves http.STATUS_CODES Node's). */
const STATUS_CODES: Record<string, string | undefined> = http.STATUS_CODES

export interface ServerResponse extends http.ServerResponse {
  [key: string | symbol]: any
}

/** What a response needs of its connection (lib/server/server-connection.ts). */
export interface ResponseConnection {
  readonly server: any
  /** The response's bytes may go to the wire now (it is the oldest one not yet ended). */
  mayWrite (res: ServerResponse): boolean
  /**
   * Hands bytes to the wire: Node's socket.write return value (below the
   * highWaterMark this tick). `hold`: they come from write(), which corks
   * the socket until the end of the tick.
   */
  write (res: ServerResponse, prefix: string | null, data: any, suffix: string | null, encoding: any, callback: Callback | null, hold: boolean): boolean
  /** end() is done: every byte of the response is written or waits in its pending list. */
  ended (res: ServerResponse): void
  /** The socket facade while the response owns the connection, else null. */
  socketOf (res: ServerResponse): any
  /** The response owns the connection (Node: res.socket is set). */
  owns (res: ServerResponse): boolean
  /** Bytes written this tick and still queued, for writableLength. */
  queuedFor (res: ServerResponse): number
  readonly highWaterMark: number
  destroyFor (res: ServerResponse, err: Error | undefined): void
  /** The connection's socket facade is corked by the application (socket.cork()). */
  socketCorked (res: ServerResponse): number
}

type Callback = (err?: Error | null) => void

const NodeServerResponse = http.ServerResponse as any
const nop = (): void => {}

// --- What differs between the Node lines users run ---------------------------

/** A probe of Node's own response class, to follow the running line where lines differ. */
const probe = probeServerResponse()
const probeSymbols = new Set(Object.getOwnPropertySymbols(probe).map((s) => s.description))
/** Node 22+: chunks written while corked leave as one chunk at uncork. */
const CORK_JOINS_CHUNKS = probeSymbols.has('kChunkedBuffer')
/**
 * Node 26: a chunk is joined while corked even before the head has left, and
 * write() corks the response itself until the end of the tick, so what one
 * tick writes leaves as one chunk.
 */
const TICK_JOINS_CHUNKS = CORK_JOINS_CHUNKS && (() => {
  const r = probeServerResponse()
  r.cork()
  r.write('x')
  const joined = Object.getOwnPropertySymbols(r).find((k) => k.description === 'kChunkedBuffer')
  return joined !== undefined && r[joined].length !== 0
})()
/** Node 24+: end() callbacks get null (or the error) before 'finish', not as 'finish' listeners. */
const END_CALLBACKS_FLUSHED = probeSymbols.has('kEndCallbacks')
/** Node 24+: destroy() of a response without a socket emits 'close' on the next tick. */
const DESTROY_WITHOUT_SOCKET_CLOSES = END_CALLBACKS_FLUSHED
/** Node 22+: writeHead(status, flatArray) after setHeader replaces same-named fields and keeps duplicates. */
const WRITEHEAD_ARRAY_APPENDS = (() => {
  const r = probeServerResponse()
  r.setHeader('x-a', '0')
  r.writeHead(200, ['x-a', '1', 'x-a', '2'])
  return /x-a: 1\r\nx-a: 2\r\n/.test(r._header)
})()
/** Node 24+: 'drain' waits until the response has nothing buffered anywhere. */
export const DRAIN_WAITS_FOR_EMPTY = END_CALLBACKS_FLUSHED
const writeInformationOfNode: Function | undefined = NodeServerResponse.prototype.writeInformation


// Private slots (Node's symbols where Node's own getters read them: kNeedDrain, kOutHeaders).
const kCorked = Symbol('uvhttp.corked')
const kBytesWritten = Symbol('uvhttp.bytesWritten')
const kErrored = Symbol('uvhttp.errored')
const kHighWaterMark = Symbol('uvhttp.highWaterMark')
const kRejectNonStandardBodyWrites = Symbol('uvhttp.rejectNonStandardBodyWrites')
/** Writes waiting for the response's turn: flat [prefix, data, suffix, encoding, callback, ...]. */
export const kPending = Symbol('uvhttp.pending')
/** A socket assigned by hand (res.socket = s, or a response built without a server). */
const kOwnSocket = Symbol('uvhttp.ownSocket')
/** Node 22+: chunks written while corked, joined into one at uncork: [data, encoding, callback, ...]. */
const kChunked = Symbol('uvhttp.chunked')
const kChunkedLength = Symbol('uvhttp.chunkedLength')
/** writableFinished (Node 24 keeps it as a flag; 20 and 22 compute it, with the same result for us). */
export const kWritableFinished = Symbol('uvhttp.writableFinished')
/** Node 24: end() callbacks waiting for 'finish', and the error that prevented it. */
export const kEndCallbacks = Symbol('uvhttp.endCallbacks')
const kFlushError = Symbol('uvhttp.flushError')
/** Something was scheduled on the response (an 'error'): it finishes on a tick of its own. */
export const kForceTick = Symbol('uvhttp.forceTick')

const defaultHighWaterMark = require('stream').getDefaultHighWaterMark?.(false) ?? 16384

/** A function constructor so that `ServerResponse.call(this, req)` works (COMPAT.md #8). */
export const ServerResponse = function ServerResponse (this: ServerResponse, req: any, options?: any) {
  initResponse(this, req, options)
} as unknown as typeof http.ServerResponse

Object.setPrototypeOf(ServerResponse.prototype, NodeServerResponse.prototype)
Object.setPrototypeOf(ServerResponse, NodeServerResponse)

/** The fields Node's OutgoingMessage and ServerResponse constructors set, in one shape. */
function initResponse (res: any, req: any, options: any): void {
  res.outputSize = 0
  res.writable = true
  res.destroyed = false
  res._last = false
  res.chunkedEncoding = false
  res.shouldKeepAlive = true
  res.maxRequestsOnConnectionReached = false
  res._defaultKeepAlive = true
  res.useChunkedEncodingByDefault = true
  res.sendDate = true
  res._removedConnection = false
  res._removedContLen = false
  res._removedTE = false
  res.strictContentLength = false
  res._contentLength = null
  res._hasBody = req.method !== 'HEAD'
  res._trailer = ''
  res.finished = false
  res._headerSent = false
  res._closed = false
  res._header = null
  res._keepAliveTimeout = 0
  res.req = req
  res._sent100 = false
  res._expect_continue = false
  res[kNeedDrain] = false
  res[kOutHeaders] = null
  res[kCorked] = 0
  res[kBytesWritten] = 0
  res[kErrored] = null
  res[kHighWaterMark] = options?.highWaterMark ?? defaultHighWaterMark
  res[kRejectNonStandardBodyWrites] = options?.rejectNonStandardBodyWrites ?? false
  // Every slot in the object's shape from the start (see lib/common/incoming-message.ts kReadableState).
  res[kConnection] = null
  res[kPending] = null
  res[kOwnSocket] = null
  res[kWritableFinished] = false
  res[kEndCallbacks] = null
  res[kUniqueHeaders] = null
  res[kChunked] = null
  res[kChunkedLength] = 0
  res[kFlushError] = null
  res[kForceTick] = false
  if (req.httpVersionMajor < 1 || req.httpVersionMinor < 1) {
    res.useChunkedEncodingByDefault = RE_TE_CHUNKED.test(req.headers.te)
    res.shouldKeepAlive = false
  }
  if (serverResponseCreated?.hasSubscribers) serverResponseCreated.publish({ request: req, response: res })
}

const proto = ServerResponse.prototype as any

// As Node: the defaults live on the prototype until writeHead sets them.
proto.statusCode = 200
proto.statusMessage = undefined
proto._onPendingData = nop

// --- Accessors Node's own would compute from slots we do not keep ------------

Object.defineProperties(proto, {
  socket: {
    configurable: true,
    enumerable: true,
    get (this: ServerResponse) {
      const conn = this[kConnection]
      return conn !== null ? conn.socketOf(this) : this[kOwnSocket]
    },
    set (this: ServerResponse, value: any) { this[kOwnSocket] = value },
  },
  connection: {
    configurable: true,
    enumerable: true,
    get (this: ServerResponse) { return this.socket },
    set (this: ServerResponse, value: any) { (this as any).socket = value },
  },
  errored: { configurable: true, get (this: ServerResponse) { return this[kErrored] } },
  writableFinished: {
    configurable: true,
    get (this: ServerResponse) {
      if (END_CALLBACKS_FLUSHED) return this[kWritableFinished]
      // Node 20 and 22: ended, and nothing left in the socket (end() uncorks it).
      return this.finished && this.outputSize === 0 && this[kPending] === null && this.writableLength === 0
    },
  },
  writableLength: {
    configurable: true,
    get (this: ServerResponse) {
      const conn = this[kConnection]
      let length = this.outputSize + (conn !== null ? conn.queuedFor(this) : (this[kOwnSocket]?.writableLength ?? 0))
      const joined: number = this[kChunkedLength]
      if (joined !== 0) {
        length += joined
        // Node 26 counts the framing the joined chunk will get, and the head if it is still to go.
        if (TICK_JOINS_CHUNKS) length += joined.toString(16).length + 4 + (!this._headerSent && this._header !== null ? this._header.length : 0)
      }
      return length
    },
  },
  writableHighWaterMark: {
    configurable: true,
    get (this: ServerResponse) {
      const conn = this[kConnection]
      if (conn !== null && conn.socketOf(this) !== null) return conn.highWaterMark
      return this[kOwnSocket]?.writableHighWaterMark ?? this[kHighWaterMark]
    },
  },
  writableCorked: {
    configurable: true,
    get (this: ServerResponse) {
      if (CORK_JOINS_CHUNKS) return this[kCorked]
      const conn = this[kConnection]
      const socketCorked = conn !== null ? conn.socketCorked(this) : (this[kOwnSocket]?.writableCorked ?? 0)
      return socketCorked + this[kCorked]
    },
  },
})

proto[kServerOf] = function serverOf (this: ServerResponse) {
  return this[kConnection]?.server
}

// --- The head ----------------------------------------------------------------

// COMPAT.md #7: compression and session middleware call it, and wrap writeHead.
proto._implicitHeader = function _implicitHeader (this: ServerResponse) {
  this.writeHead(this.statusCode)
}

proto.writeHead = function writeHead (this: ServerResponse, statusCode: number, reason?: any, obj?: any) {
  if (this._header) throw ERR_HTTP_HEADERS_SENT('write')
  const originalStatusCode = statusCode
  statusCode |= 0
  if (statusCode < 100 || statusCode > 999) throw ERR_HTTP_INVALID_STATUS_CODE(originalStatusCode)

  if (typeof reason === 'string') {
    this.statusMessage = reason
  } else {
    if (!this.statusMessage) this.statusMessage = STATUS_CODES[statusCode] || 'unknown'
    obj ??= reason
  }
  this.statusCode = statusCode

  let headers
  if (this[kOutHeaders]) {
    // setHeader was used: the fields given here join the store.
    if (Array.isArray(obj)) {
      if (obj.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE('headers', obj)
      if (WRITEHEAD_ARRAY_APPENDS) {
        for (let n = 0; n < obj.length; n += 2) this.removeHeader(obj[n])
        for (let n = 0; n < obj.length; n += 2) if (obj[n]) this.appendHeader(obj[n], obj[n + 1])
      } else {
        for (let n = 0; n < obj.length; n += 2) if (obj[n]) this.setHeader(obj[n], obj[n + 1])
      }
    } else if (obj) {
      const keys = Object.keys(obj)
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]
        if (k) this.setHeader(k, obj[k])
      }
    }
    headers = this[kOutHeaders]
  } else {
    headers = obj
  }

  if (checkInvalidHeaderChar(this.statusMessage)) throw ERR_INVALID_CHAR('statusMessage')

  // RFC 9110 §15.2, §15.3.5, §15.4.5: 1xx, 204 and 304 end at the head.
  if (statusCode === 204 || statusCode === 304 || (statusCode >= 100 && statusCode <= 199)) this._hasBody = false

  // A client waiting for 100 Continue that got a final status instead may
  // still send its body: the connection cannot be reused (COMPAT.md #13).
  if (this._expect_continue && !this._sent100) this.shouldKeepAlive = false

  if (storeHead(this, statusCode, this.statusMessage, headers)) {
    // An Expect field: the head leaves now, without waiting for a body.
    send(this, null, '', null, 'latin1', null)
  }
  return this
}

// Docs-only deprecated (DEP0063), as in Node.
proto.writeHeader = proto.writeHead

proto.flushHeaders = function flushHeaders (this: ServerResponse) {
  if (!this._header) this._implicitHeader()
  send(this, null, '', null, 'latin1', null)
}

/** Bytes outside the message framing (1xx heads), in order with the rest. */
function writeRaw (res: ServerResponse, data: string, cb?: Callback): boolean {
  return deliver(res, null, data, null, 'latin1', typeof cb === 'function' ? cb : null)
}

installHeaderMethods(proto)
installInformational(proto, writeRaw, writeInformationOfNode)

// --- The body ------------------------------------------------------------------

/** Inside write(): Node corks the socket for the rest of the tick (ResponseConnection#write's `hold`). */
let writing = false

proto.write = function write (this: ServerResponse, chunk: any, encoding?: any, callback?: any) {
  if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }
  writing = true
  let ret
  try {
    ret = writeChunk(this, chunk, encoding, callback, false)
  } finally {
    writing = false
  }
  if (!ret) this[kNeedDrain] = true
  return ret
}

function byteLength (chunk: any, encoding: any): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.byteLength
}

function strictContentLength (msg: ServerResponse): boolean {
  return msg.strictContentLength && msg._contentLength != null && msg._hasBody && !msg._removedContLen &&
    !msg.chunkedEncoding && !msg.hasHeader('transfer-encoding')
}

/** Node's write_: validation, the implicit head, framing. */
function writeChunk (msg: ServerResponse, chunk: any, encoding: any, callback: any, fromEnd: boolean): boolean {
  if (typeof callback !== 'function') callback = null
  if (chunk === null) {
    throw ERR_STREAM_NULL_VALUES()
  } else if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
    throw ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'Uint8Array'], chunk)
  }
  let err: Error | undefined
  if (msg.finished) err = ERR_STREAM_WRITE_AFTER_END()
  else if (msg.destroyed) err = ERR_STREAM_DESTROYED('write')
  if (err !== undefined) {
    if (!msg.destroyed) onError(msg, err, callback ?? nop)
    else process.nextTick(callback ?? nop, err)
    return false
  }

  let len: number | undefined
  if (msg.strictContentLength) {
    len = byteLength(chunk, encoding)
    if (strictContentLength(msg) &&
        (fromEnd ? msg[kBytesWritten] + len !== msg._contentLength : msg[kBytesWritten] + len > msg._contentLength)) {
      throw ERR_HTTP_CONTENT_LENGTH_MISMATCH(len + msg[kBytesWritten], msg._contentLength)
    }
    msg[kBytesWritten] += len
  }

  if (!msg._header) {
    if (fromEnd) msg._contentLength = len ?? byteLength(chunk, encoding)
    msg._implicitHeader()
  }

  if (!msg._hasBody) {
    if (msg[kRejectNonStandardBodyWrites]) throw ERR_HTTP_BODY_NOT_ALLOWED()
    // HEAD, 1xx, 204 and 304 carry no body: the data is dropped, as in Node.
    if (callback !== null) process.nextTick(callback)
    return true
  }

  if (TICK_JOINS_CHUNKS && !fromEnd && msg[kCorked] === 0 && hasSocket(msg)) {
    // Node 26: the response stays corked until the end of the tick.
    msg[kCorked]++
    process.nextTick(tickUncorkNT, msg)
  }

  if (msg.chunkedEncoding && chunk.length !== 0) {
    len ??= byteLength(chunk, encoding)
    if (CORK_JOINS_CHUNKS && msg[kCorked] && (TICK_JOINS_CHUNKS || msg._headerSent)) {
      // Node 22: corked writes become one chunk at uncork.
      const joined = msg[kChunked] ??= []
      joined.push(chunk, encoding, callback)
      msg[kChunkedLength] += len
      return TICK_JOINS_CHUNKS ? msg.writableLength < msg.writableHighWaterMark : msg[kChunkedLength] < msg[kHighWaterMark]
    }
    return send(msg, len.toString(16) + '\r\n', chunk, '\r\n', encoding, callback)
  }
  if (TICK_JOINS_CHUNKS && msg.chunkedEncoding && msg[kCorked] && msg[kChunked] != null && msg[kChunked].length !== 0) {
    // Node 26: an empty write joins the corked ones (for its callback's sake).
    msg[kChunked].push(chunk, encoding, callback)
    return msg.writableLength < msg.writableHighWaterMark
  }
  return send(msg, null, chunk, null, encoding, callback)
}

function tickUncorkNT (msg: ServerResponse): void {
  if (msg[kCorked]) msg.uncork()
}

/** Node's `msg.socket` is set: the response owns its connection now. */
function hasSocket (msg: ServerResponse): boolean {
  const conn: ResponseConnection | null = msg[kConnection]
  return conn !== null ? conn.owns(msg) : !!msg[kOwnSocket]
}

function onError (msg: ServerResponse, err: Error, callback: Callback): void {
  if (msg.destroyed) return
  // The error is emitted on a later tick, while Node's response is still
  // open: its finish must not run before (lib/server/server-connection.ts).
  msg[kForceTick] = true
  process.nextTick(emitErrorNT, msg, err, callback)
}

function emitErrorNT (msg: ServerResponse, err: Error, callback: Callback): void {
  callback(err)
  if (typeof msg.emit === 'function' && !msg.destroyed) msg.emit('error', err)
}

// end() gathers what it sends (the last chunk, then the terminator) and
// hands it over in one call.
let gathering: ServerResponse | null = null
let gPrefix: string | null = null
let gData: any = null
let gSuffix: string | null = null
let gEncoding: any = null

/**
 * Node's _send: the head goes out with the first bytes (joined to a string
 * body in that body's encoding, as Node joins them, else ahead as latin1).
 */
function send (res: ServerResponse, prefix: string | null, data: any, suffix: string | null, encoding: any, callback: Callback | null): boolean {
  if (!res._headerSent && res._header !== null) {
    if (typeof data === 'string' && prefix === null && (encoding === 'utf8' || encoding === 'latin1' || !encoding)) {
      data = res._header + data
    } else {
      prefix = prefix === null ? res._header : res._header + prefix
    }
    res._headerSent = true
  }
  if (gathering === res && callback === null) {
    // Inside end(): the last chunk, then the terminator (a latin1 string) join it.
    if (gData !== null && prefix === null && suffix === null && typeof data === 'string' && encoding === 'latin1') {
      gSuffix = gSuffix === null ? data : gSuffix + data
      return true
    }
    flushGathered(res)
    gPrefix = prefix
    gData = data
    gSuffix = suffix
    gEncoding = encoding
    return true
  }
  if (gathering === res) flushGathered(res)
  return deliver(res, prefix, data, suffix, encoding, callback)
}

/** Hands on what end() has gathered so far. */
function flushGathered (res: ServerResponse): void {
  const data = gData
  if (data === null) return
  const prefix = gPrefix
  const suffix = gSuffix
  gData = gPrefix = gSuffix = null
  deliver(res, prefix, data, suffix, gEncoding, null)
}

/** Bytes to the wire if the response may write now, else to its pending list (Node's outputData). */
function deliver (res: ServerResponse, prefix: string | null, data: any, suffix: string | null, encoding: any, callback: Callback | null): boolean {
  const conn: ResponseConnection | null = res[kConnection]
  if (conn !== null && res[kPending] === null && res[kCorked] === 0 && conn.mayWrite(res)) {
    return conn.write(res, prefix, data, suffix, encoding, callback, writing)
  }
  let pending = res[kPending]
  if (pending === null) res[kPending] = pending = []
  pending.push(prefix, data, suffix, encoding, callback)
  res.outputSize += (prefix === null ? 0 : prefix.length) + data.length + (suffix === null ? 0 : suffix.length)
  return res.outputSize < res[kHighWaterMark]
}

/** Writes what waited for the response's turn (or for uncork). Returns the last write's value. */
export function flushPending (res: ServerResponse): boolean | undefined {
  const pending = res[kPending]
  if (pending === null) return undefined
  res[kPending] = null
  res.outputSize = 0
  const conn: ResponseConnection = res[kConnection]
  let ret: boolean | undefined
  for (let i = 0; i < pending.length; i += 5) {
    ret = conn.write(res, pending[i], pending[i + 1], pending[i + 2], pending[i + 3], pending[i + 4], writing)
  }
  return ret
}

proto.end = function end (this: ServerResponse, chunk?: any, encoding?: any, callback?: any) {
  if (typeof chunk === 'function') {
    callback = chunk
    chunk = null
    encoding = null
  } else if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }

  if (chunk) {
    if (this.finished) {
      onError(this, ERR_STREAM_WRITE_AFTER_END(), typeof callback !== 'function' ? nop : callback)
      return this
    }
  } else if (this.finished) {
    if (typeof callback === 'function') {
      if (END_CALLBACKS_FLUSHED) queueEndCallback(this, callback)
      else if (!this.writableFinished) this.on('finish', callback)
      else callback(ERR_STREAM_ALREADY_FINISHED('end'))
    }
    return this
  }

  gathering = this
  try {
    if (chunk) {
      writeChunk(this, chunk, encoding, null, true)
    } else if (!this._header) {
      this._contentLength = 0
      this._implicitHeader()
    }
    if (typeof callback === 'function') {
      if (END_CALLBACKS_FLUSHED) queueEndCallback(this, callback)
      else this.once('finish', callback)
    }
    if (strictContentLength(this) && this[kBytesWritten] !== this._contentLength) {
      throw ERR_HTTP_CONTENT_LENGTH_MISMATCH(this[kBytesWritten], this._contentLength)
    }
    // Node 26 sends the chunks joined in this tick before the terminator.
    if (TICK_JOINS_CHUNKS && this[kChunked] != null && this[kChunked].length !== 0) {
      this[kCorked] = 1
      this.uncork()
    }
    // The terminator: the last chunk of chunked framing (with trailers), or
    // nothing but what end() still has to flush (the head, at least).
    if (this._hasBody && this.chunkedEncoding) send(this, null, '0\r\n' + this._trailer + '\r\n', null, 'latin1', null)
    else if (!this._headerSent) send(this, null, '', null, 'latin1', null)
  } catch (err) {
    // Node leaves what it had written in the corked socket, never to be
    // sent: what was gathered is dropped.
    gData = gPrefix = gSuffix = null
    throw err
  } finally {
    gathering = null
  }
  flushGathered(this)
  // end() uncorks fully (Node 20 sets the socket's cork count to 1 and
  // uncorks; Node 22 its own count, flushing joined chunks first).
  if (this[kCorked] !== 0) {
    this[kCorked] = 1
    this.uncork()
  }
  this.finished = true
  const conn: ResponseConnection | null = this[kConnection]
  if (conn !== null) conn.ended(this)
  return this
}

function queueEndCallback (msg: ServerResponse, callback: Callback): void {
  if (msg[kWritableFinished]) {
    callback(ERR_STREAM_ALREADY_FINISHED('end'))
    return
  }
  if (msg[kFlushError] != null) {
    process.nextTick(callback, msg[kFlushError])
    return
  }
  (msg[kEndCallbacks] ??= []).push(callback)
}

/** Node 24: end() callbacks learn how the response ended (null when it finished). */
export function flushEndCallbacks (msg: ServerResponse, err: Error | null): void {
  if (err !== null) msg[kFlushError] = err
  const callbacks = msg[kEndCallbacks]
  if (callbacks === null) return
  msg[kEndCallbacks] = null
  for (let i = 0; i < callbacks.length; i++) callbacks[i](err)
}

/** The error a Node 24 end() callback gets when the response cannot finish. */
export function endCallbackError (msg: ServerResponse): Error {
  return msg[kErrored] ?? ERR_STREAM_DESTROYED('end')
}

export { END_CALLBACKS_FLUSHED, DESTROY_WITHOUT_SOCKET_CLOSES }

// --- Corking, timeouts, destroy -------------------------------------------------

proto.cork = function cork (this: ServerResponse) {
  if (CORK_JOINS_CHUNKS) {
    this[kCorked]++
    return
  }
  // Node 20 corks the socket when there is one, else counts.
  const socket = this[kConnection] === null ? this[kOwnSocket] : null
  if (socket) socket.cork()
  else this[kCorked]++
}

proto.uncork = function uncork (this: ServerResponse) {
  if (!CORK_JOINS_CHUNKS) {
    const socket = this[kConnection] === null ? this[kOwnSocket] : null
    if (socket) {
      socket.uncork()
      return
    }
    if (this[kCorked]) this[kCorked]--
    if (this[kCorked] === 0 && this[kConnection] !== null && this[kConnection].mayWrite(this)) flushPending(this)
    return
  }
  this[kCorked]--
  if (this[kCorked] > 0) return
  this[kCorked] = 0
  const joined = this[kChunked]
  if (joined !== undefined && joined !== null && joined.length !== 0) {
    const len = this[kChunkedLength]
    this[kChunked] = null
    this[kChunkedLength] = 0
    if (this.destroyed) {
      const error = this[kErrored] || ERR_STREAM_DESTROYED('write')
      for (let n = 2; n < joined.length; n += 3) if (joined[n] !== null) process.nextTick(joined[n], error)
      return
    }
    const callbacks: Callback[] = []
    let first = true
    for (let n = 0; n < joined.length; n += 3) {
      send(this, first ? len.toString(16) + '\r\n' : null, joined[n], null, joined[n + 1], null)
      first = false
      if (joined[n + 2] !== null) callbacks.push(joined[n + 2])
    }
    send(this, null, '\r\n', null, 'latin1', callbacks.length === 0 ? null : (err) => { for (const cb of callbacks) cb(err) })
    if (DRAIN_WAITS_FOR_EMPTY && this[kNeedDrain] && this.writableLength === 0) {
      this[kNeedDrain] = false
      this.emit('drain')
    }
  }
  const conn: ResponseConnection | null = this[kConnection]
  if (conn !== null && conn.mayWrite(this)) flushPending(this)
}

proto.setTimeout = function setTimeout (this: ServerResponse, msecs: number, callback?: () => void) {
  if (callback) this.on('timeout', callback)
  const socket = this.socket
  if (!socket) this.once('socket', (s: any) => s.setTimeout(msecs))
  else socket.setTimeout(msecs)
  return this
}

proto.destroy = function destroy (this: ServerResponse, error?: Error) {
  if (this.destroyed) return this
  this.destroyed = true
  this[kErrored] = error
  const conn: ResponseConnection | null = this[kConnection]
  if (conn !== null && conn.socketOf(this) !== null) {
    conn.destroyFor(this, error)
  } else if (conn === null && this[kOwnSocket]) {
    this[kOwnSocket].destroy(error)
  } else if (DESTROY_WITHOUT_SOCKET_CLOSES) {
    process.nextTick(emitDestroyNT, this)
  } else {
    this.once('socket', (socket: any) => socket.destroy(error))
  }
  return this
}

function emitDestroyNT (res: ServerResponse): void {
  if (!res._closed) {
    res._closed = true
    res.emit('close')
  }
}

// --- Node's internal entry points, for code that calls them --------------------

proto._send = function _send (this: ServerResponse, data: any, encoding: any, callback: any) {
  if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }
  return send(this, null, data, null, encoding, typeof callback === 'function' ? callback : null)
}

proto._writeRaw = function _writeRaw (this: ServerResponse, data: any, encoding: any, callback: any) {
  if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }
  return deliver(this, null, data, null, encoding, typeof callback === 'function' ? callback : null)
}

proto._finish = function _finish (this: ServerResponse) {
  this.emit('prefinish')
}

/** outputData as Node lays it out, for code that inspects it. */
Object.defineProperty(proto, 'outputData', {
  configurable: true,
  get (this: ServerResponse) {
    const pending = this[kPending]
    const out = []
    if (pending !== null) {
      for (let i = 0; i < pending.length; i += 5) {
        const data = (pending[i] ?? '') + (typeof pending[i + 1] === 'string' ? pending[i + 1] : '')
        out.push({ data: typeof pending[i + 1] === 'string' ? data + (pending[i + 2] ?? '') : pending[i + 1], encoding: pending[i + 3], callback: pending[i + 4] })
      }
    }
    return out
  },
  set (this: ServerResponse, value: any) {
    if (Array.isArray(value) && value.length === 0) this[kPending] = null
  },
})

export { kCorked }
