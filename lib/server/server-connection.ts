// ServerConnection: the state of one server connection, and the only code
// on the server side that reads the engine's batches (lib/engine/constants.ts Ev).
// It plays the part of Node's connectionListenerInternal / parserOnIncoming /
// resOnFinish (lib/_http_server.js), so events come in Node's order, with
// the native parser in place of Node's. The batches come from the engine's
// own connection (a NativeConnection under a lib/engine/socket.ts facade), or from a
// NativeParser fed by a socket the application brought (lib/server/js-connection.ts).
import type * as net from 'net'
import type { Duplex } from 'stream'
import { binding, NativeConnection } from '../engine/binding'
import { BatchReader, readBatch } from '../engine/batch-reader'
import { HeadFlag } from '../engine/constants'
import { serverRequestStart, serverResponseFinish } from '../common/channels'
import { connResetException, errnoException, parseError, ERR_HTTP_REQUEST_TIMEOUT, ERR_HTTP_SOCKET_ENCODING } from '../common/errors'
import { kNeedDrain, kUniqueHeaders } from '../common/node-internals'
import { answerLateConnectListeners, Socket } from '../engine/socket'
import { kIncomingMessage, kServerConnection, kServerResponse } from './symbols'

const METHODS = binding.METHODS
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'
const CANNED: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
}

const nop = (): void => {}
/** Node 20's HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER. */
const KEEP_ALIVE_GRACE_MS = 1000
/** Pipelined responses that may wait for their turn before we stop reading. */
const MAX_WAITING_RESPONSES = 64

/**
 * What a ServerConnection needs of whatever carries its bytes: the engine's
 * NativeConnection, or for a socket JS owns, lib/server/js-connection.ts's adapter
 * (socket.pause()/resume() and a NativeParser's clocks).
 */
export interface ServerTransport {
  /** Stop / restart reading (backpressure). */
  pause (): void
  resume (): void
  /** Milliseconds since the message being parsed began, or -1 between messages. */
  readonly messageAge: number
  readonly headersComplete: boolean
}

/** What a connection needs of its server (lib/server/server.ts's Server). */
export interface ServerLike extends net.Server {
  [key: string | symbol]: any
}
type Server = ServerLike

export class ServerConnection implements BatchReader {
  readonly native: ServerTransport
  readonly server: Server
  /**
   * The engine's socket facade; for a socket the application brought, that
   * socket itself (any Duplex: only the Duplex API is used on it then).
   */
  readonly socket: Socket
  /** The socket is the application's own (server.emit('connection', s)). */
  readonly foreign: boolean
  closed = false
  /** Requests whose responses are not finished yet, oldest first (Node's state.incoming). */
  readonly incoming: any[] = []
  /** Responses waiting for the socket while an earlier one is written (state.outgoing). */
  readonly outgoing: any[] = []
  /** How many of the oldest waiting responses have all their bytes in the engine already (lib/server/server-response.ts writeThrough). */
  writtenAhead = 0
  /** The request whose body the parser is delivering. */
  parsing: any = null
  /** An 'upgrade'/'connect' took the socket: bytes now go to socket.push. */
  upgraded = false
  requestsCount = 0
  keepAliveTimeoutSet = false
  /** The keep-alive timer (at most one per connection), when it became idle, and for how long it may be. */
  keepAliveTimer: NodeJS.Timeout | null = null
  idleSince = 0
  keepAliveMs = 0
  /** The socket's writableHighWaterMark (fixed at construction). */
  readonly highWaterMark: number
  /** A write returned false: the socket must emit 'drain' when the queue empties. */
  needDrain = false
  /** Bytes ServerResponse#_writeRaw wrote in the current tick (lib/server/server-response.ts endOfTick resets it). */
  tickBytes = 0
  tickScheduled = false
  /** Reading stopped because responses back up (a client pipelining without reading). */
  readPaused = false
  /** Reading stopped because a request's body buffer is full (onBody). */
  bodyPaused = false
  /** Bytes in the native write queue after the last write (0 again at its drain). */
  lastQueued = 0
  /** SocketOwner#held: a response's write() left bytes held in the engine (lib/server/server-response.ts). */
  held = false
  /** Write callbacks waiting for the native queue to drain. */
  private drainCallbacks: Array<(err?: Error | null) => void> = []

  /** The 'close' listener, removed when the socket leaves HTTP (upgrade). */
  protected readonly closeListener = (): void => this.onSocketClose()

  constructor (server: Server, native: ServerTransport, foreignSocket?: Duplex) {
    this.server = server
    this.native = native
    this.foreign = foreignSocket !== undefined
    let socket: Socket
    if (foreignSocket === undefined) {
      // The engine's own connections carry a NativeConnection.
      socket = new Socket(this as unknown as ServerConnection & { native: NativeConnection },
        { allowHalfOpen: true, highWaterMark: (server as any).highWaterMark } as any)
      // net.Server's bookkeeping field; a foreign socket keeps its own
      // (a TLS socket's _server is the tls.Server that counts it).
      ;(socket as any)._server = server
    } else {
      socket = foreignSocket as Socket
    }
    this.socket = socket
    ;(socket as any).server = server
    ;(socket as any)[kServerConnection] = this
    socket.on('error', socketOnError)
    socket.on('timeout', socketOnTimeout)
    socket.on('drain', socketOnDrain)
    socket.on('close', this.closeListener)
    // As Node's connectionListener: HTTP bytes are not text (RFC 9112 2.2).
    ;(socket as any).setEncoding = socketSetEncoding
    this.highWaterMark = socket.writableHighWaterMark
    if (server.timeout && typeof socket.setTimeout === 'function') socket.setTimeout(server.timeout)
    if (foreignSocket !== undefined) return
    // Options net.Server applies to the sockets it accepts (not to emitted ones).
    const conn = native as NativeConnection
    if (server.noDelay !== false) conn.setNoDelay(true)
    if (server.keepAlive) conn.setKeepAlive(true, Math.floor((server.keepAliveInitialDelay ?? 0) / 1000))
  }

  afterDrain (cb: (err?: Error | null) => void): void {
    this.drainCallbacks.push(cb)
  }

  /** Idle: between requests, with nothing left to write (closeIdleConnections). */
  isIdle (): boolean {
    const msg = (this.socket as any)._httpMessage
    return !this.upgraded && this.native.messageAge < 0 && this.parsing === null && (!msg || msg.finished)
  }

  // ---- the batch ---------------------------------------------------------------

  onBatch (batch: any[]): void {
    const socket = this.socket
    if (socket.timeout) socket._unrefTimer()
    readBatch(this, batch)
  }

  // ---- BatchReader: one method per record ----------------------------------------

  onHead (method: number, url: string, raw: string[], major: number, minor: number, flags: number): void {
    const server = this.server
    const socket = this.socket
    // resetSocketTimeout: a request ends the keep-alive wait, and the
    // socket's timeout is the server's again.
    if (this.keepAliveTimeoutSet) {
      this.keepAliveTimeoutSet = false
      if ((server.timeout || socket.timeout) && typeof socket.setTimeout === 'function') socket.setTimeout(server.timeout || 0)
    }
    const req = new server[kIncomingMessage](socket)
    req.httpVersionMajor = major
    req.httpVersionMinor = minor
    req.httpVersion = major + '.' + minor
    req.method = METHODS[method]
    req.url = url
    req.joinDuplicateHeaders = server.joinDuplicateHeaders
    // The parser refused heads with more fields than maxHeadersCount.
    req._addHeaderLines(raw, raw.length)
    req.upgrade = (flags & HeadFlag.UPGRADE) !== 0
    this.parsing = req
    // An upgrade or CONNECT: onUpgrade follows with the request still in `parsing`.
    if (req.upgrade) return

    this.incoming.push(req)
    // A client that pipelines without reading its responses must not make us
    // buffer without bound: stop reading until the writes drain (Node does
    // the same in parserOnIncoming).
    if (!this.readPaused && this.outputBackedUp()) {
      this.readPaused = true
      this.native.pause()
    }
    const res = new server[kServerResponse](req, {
      highWaterMark: socket.writableHighWaterMark,
      rejectNonStandardBodyWrites: server.rejectNonStandardBodyWrites,
    })
    res._keepAliveTimeout = server.keepAliveTimeout
    res._maxRequestsPerSocket = server.maxRequestsPerSocket
    res[kUniqueHeaders] = server[kUniqueHeaders]
    res.shouldKeepAlive = (flags & HeadFlag.KEEP_ALIVE) !== 0
    if (serverRequestStart.hasSubscribers) serverRequestStart.publish({ request: req, response: res, socket, server })
    if ((socket as any)._httpMessage) this.outgoing.push(res)
    else res.assignSocket(socket)
    res.on('finish', () => this.onResponseFinish(req, res))

    if (major === 1 && minor === 1) {
      // RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host.
      if (server.requireHostHeader && !hasHost(raw)) {
        res.writeHead(400, ['Connection', 'close'])
        res.end()
        return
      }
      const limit = server.maxRequestsPerSocket
      const limited = typeof limit === 'number' && limit > 0
      if (limited) {
        this.requestsCount++
        res.maxRequestsOnConnectionReached = limit <= this.requestsCount
      }
      if (limited && limit < this.requestsCount) {
        server.emit('dropRequest', req, socket)
        res.writeHead(503)
        res.end()
        return
      }
      const expect = expectHeader(raw)
      if (expect !== undefined) {
        if (CONTINUE.test(expect)) {
          res._expect_continue = true
          if (server.listenerCount('checkContinue') > 0) {
            server.emit('checkContinue', req, res)
          } else {
            res.writeContinue()
            server.emit('request', req, res)
          }
        } else if (server.listenerCount('checkExpectation') > 0) {
          server.emit('checkExpectation', req, res)
        } else {
          res.writeHead(417)
          res.end()
        }
        return
      }
    }
    server.emit('request', req, res)
  }

  onBody (chunk: Buffer): void {
    const req = this.parsing
    if (req === null || req._dumped) return
    // Backpressure: a reader that stops reading stops the socket's reads.
    if (!req.push(chunk)) {
      this.bodyPaused = true
      this.native.pause()
    }
  }

  onMessageEnd (rawTrailers: string[] | null): void {
    const req = this.parsing
    if (req === null) return
    this.parsing = null
    req.complete = true
    if (rawTrailers !== null) req._addHeaderLines(rawTrailers, rawTrailers.length)
    if (req.readableLength !== 0 && !req._consuming) readBeforeEnd(req)
    req.push(null)
    // The ended request will never ask for more (its _read is not called
    // again), so the next message is read now, as Node's
    // parserOnMessageComplete does (readStart) unless responses back up.
    if (this.bodyPaused) {
      this.bodyPaused = false
      if (!this.readPaused && !this.closed) this.native.resume()
    }
  }

  /** Hands the socket to 'upgrade'/'connect' with the bytes that followed the head. */
  onUpgrade (ended: boolean, head: Buffer): void {
    const server = this.server
    const socket = this.socket
    const req = this.parsing
    this.upgraded = true
    this.parsing = null
    // The request of an upgrade has no body: its END may precede the head bytes.
    if (ended) {
      req.complete = true
      req.push(null)
    }
    socket.removeListener('error', socketOnError)
    socket.removeListener('timeout', socketOnTimeout)
    socket.removeListener('drain', socketOnDrain)
    this.releaseSocket()
    if (!this.foreign) answerLateConnectListeners(socket)
    const eventName = req.method === 'CONNECT' ? 'connect' : 'upgrade'
    if (server.listenerCount(eventName) > 0) {
      // Whoever reads the socket now starts it (Node does the same, in case
      // a request body's reader had left the socket flowing).
      ;(socket as any).readableFlowing = null
      server.emit(eventName, req, socket, head)
    } else {
      // Nobody takes a CONNECT tunnel: close it (Node does the same).
      socket.destroy()
    }
  }

  /** The socket leaves HTTP: a connection whose socket JS owns lets go of it here. */
  protected releaseSocket (): void {}

  onData (chunk: Buffer): void {
    if (!this.upgraded) return
    if (!this.socket.push(chunk)) this.native.pause()
  }

  onParseError (code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): void {
    socketOnError.call(this.socket, serverParseError(code, reason, bytesParsed, rawPacket))
  }

  onIoError (errno: number, syscall: string): void {
    this.socket.destroy(errnoException(errno, syscall))
  }

  /** Client connections only. */
  onConnect (): void {}

  // socketOnEnd: the client finished sending.
  onEof (): void {
    const socket = this.socket
    if (this.upgraded) {
      socket.onNativeEnd()
      return
    }
    if (socket.destroyed) return  // a truncated request already failed (clientError)
    // Without httpAllowHalfOpen our side ends too; requests still in flight
    // are aborted when the socket closes (onSocketClose), as in Node.
    const last = this.outgoing.length ? this.outgoing[this.outgoing.length - 1] : (socket as any)._httpMessage
    if (this.server.httpAllowHalfOpen && last) last._last = true
    else socket.end()
    // A foreign socket has ended by itself (its 'end' brought us here).
    if (!this.foreign) socket.onNativeEnd()
  }

  onDrain (): void {
    // The queue is empty now, before the callbacks: a write callback's
    // 'drain' may make the application write, or end (ServerResponse's
    // writableLength and end() read lastQueued), at once.
    this.lastQueued = 0
    const cbs = this.drainCallbacks
    if (cbs.length !== 0) {
      this.drainCallbacks = []
      for (let i = 0; i < cbs.length; i++) cbs[i]()
    }
    this.resumeIfDrained()
    // Writes that bypassed the socket's Writable (ServerResponse#_writeRaw)
    // still owe it a 'drain'.
    if (this.needDrain) {
      this.needDrain = false
      this.socket.emit('drain')
    }
  }

  onClose (): void {
    this.closed = true
    if (this.keepAliveTimer !== null) clearTimeout(this.keepAliveTimer)
    const cbs = this.drainCallbacks
    if (cbs.length !== 0) {
      // Writes the kernel never took fail as Node's do (an Error costs a stack capture: only when needed).
      this.drainCallbacks = []
      const err = errnoException(-32 /* EPIPE */, 'write')
      for (let i = 0; i < cbs.length; i++) cbs[i](err)
    }
    this.server.forgetConnection(this)
    this.socket.onNativeClose()
  }

  // socketOnClose: requests still in flight are aborted, and so are the
  // responses waiting for their turn (Node 24's abortOutgoing: from Node 24
  // on, destroying a response that never had a socket emits its 'close';
  // before, it waits for a socket that never comes, as Node's does).
  private onSocketClose (): void {
    this.parsing = null
    abortIncoming(this.incoming)
    abortIncoming(this.outgoing)
  }

  // resOnFinish
  private onResponseFinish (req: any, res: any): void {
    const socket = this.socket
    if (serverResponseFinish.hasSubscribers) serverResponseFinish.publish({ request: req, response: res, socket, server: this.server })
    if (this.incoming[0] === req) this.incoming.shift()
    if (!req._consuming && !req._readableState.resumeScheduled) req._dump()
    res.detachSocket(socket)
    process.nextTick(emitCloseNT, res)
    if (res._last) {
      if (typeof socket.destroySoon === 'function') socket.destroySoon()
      else socket.end()
    } else if (this.outgoing.length === 0) {
      const timeout = this.server.keepAliveTimeout
      if (timeout) this.waitKeepAlive(timeout + KEEP_ALIVE_GRACE_MS)
    } else {
      const next = this.outgoing.shift()
      if (this.writtenAhead > 0) this.writtenAhead--
      if (next) next.assignSocket(socket)
    }
    this.resumeIfDrained()
  }

  private outputBackedUp (): boolean {
    const hwm = this.highWaterMark
    return this.lastQueued >= hwm || this.outgoing.length >= MAX_WAITING_RESPONSES ||
      this.socket.writableLength >= hwm
  }

  resumeIfDrained (): void {
    if (this.readPaused && !this.closed && !this.outputBackedUp()) {
      this.readPaused = false
      this.native.resume()
    }
  }

  /**
   * Node arms socket.setTimeout(keepAliveTimeout + 1 s) after each response
   * (the second is Node 20's grace, so a request sent just in time never
   * meets a closed socket), in place of the socket's own timeout, and gives
   * that back on the next request (onHead). One timer per connection,
   * refreshed, does the same without a timer per request; its expiry is the
   * socket's 'timeout', as Node's is.
   */
  private waitKeepAlive (ms: number): void {
    this.keepAliveTimeoutSet = true
    const socket = this.socket
    if (socket.timeout && typeof socket.setTimeout === 'function') socket.setTimeout(0)
    this.idleSince = Date.now()
    this.keepAliveMs = ms
    // A timer already pending re-arms itself for the rest when it fires.
    if (this.keepAliveTimer === null) this.keepAliveTimer = setTimeout(onKeepAliveTimeout, ms, this).unref()
  }

  /** Called by the server's periodic check (headersTimeout / requestTimeout). */
  checkTimeouts (headersTimeout: number, requestTimeout: number): void {
    const age = this.native.messageAge
    if (age < 0 || this.upgraded) return
    if ((headersTimeout > 0 && !this.native.headersComplete && age > headersTimeout) ||
        (requestTimeout > 0 && age > requestTimeout)) {
      socketOnError.call(this.socket, ERR_HTTP_REQUEST_TIMEOUT())
    }
  }
}

/**
 * A parse error as Node's server reports it. One found at the end of the
 * stream (no rawPacket: a truncated message) comes from parser.finish() in
 * socketOnEnd, which skips prepareError: its message stays 'Parse Error'.
 */
function serverParseError (code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): Error {
  const err = parseError(code, reason, bytesParsed, rawPacket as Buffer)
  if (rawPacket === undefined) {
    err.message = 'Parse Error'
    err.stack = 'Error: Parse Error'
    delete (err as any).rawPacket
  }
  return err
}

function hasHost (raw: string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length === 4 && name.toLowerCase() === 'host') return true
  }
  return false
}

/**
 * The Expect field as Node's parserOnIncoming reads it (req.headers.expect,
 * without building req.headers): the values of every Expect line, joined
 * with ', ' as Node joins duplicates of most fields. (The parser refused a
 * head with more fields than maxHeadersCount, so every line counts.)
 */
function expectHeader (raw: string[]): string | undefined {
  let value: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length === 6 && name.toLowerCase() === 'expect') {
      value = value === undefined ? raw[i + 1] : value + ', ' + raw[i + 1]
    }
  }
  return value
}

/**
 * Node runs the tick queue after each body chunk it pushes (node_http_parser.cc
 * on_body: MakeCallback), so a reader attached by the handler reads
 * (IncomingMessage#_read, which sets _consuming) before the body's end is
 * pushed; resOnFinish then leaves a request that was partly read and paused
 * alone. Here the end comes in the same batch as the body, before any tick:
 * where a read is due (a resume or a 'readable' listener waiting), the request
 * counts as consumed, as that read would have made it, or its finished
 * response would dump what it has not read yet.
 */
function readBeforeEnd (req: any): void {
  const state = req._readableState
  if (state.resumeScheduled || state.readableListening) req._consuming = true
}

/** Node's abortIncoming and abortOutgoing: each message is destroyed with ECONNRESET 'aborted'. */
function abortIncoming (messages: any[]): void {
  while (messages.length) {
    const msg = messages.shift()
    msg.destroy(connResetException('aborted'))
  }
}

function onKeepAliveTimeout (conn: ServerConnection): void {
  conn.keepAliveTimer = null
  if (!conn.keepAliveTimeoutSet || conn.closed) return
  const remaining = conn.idleSince + conn.keepAliveMs - Date.now()
  if (remaining > 0) conn.keepAliveTimer = setTimeout(onKeepAliveTimeout, remaining, conn).unref()
  else conn.socket.emit('timeout')
}

function emitCloseNT (res: any): void {
  if (!res._closed) {
    res.destroyed = true
    res._closed = true
    res.emit('close')
  }
}

// The listeners below run with `this` = the socket, as Node's do.

function socketOnError (this: any, e: any): void {
  this.removeListener('error', socketOnError)
  if (this.listenerCount('error') === 0) this.on('error', nop)
  if (!this.server.emit('clientError', e, this)) {
    // Answer only if no byte of an in-flight response has left yet.
    if (this.writable && (!this._httpMessage || !this._httpMessage._headerSent)) {
      this.write(CANNED[e.code] ?? BAD_REQUEST)
    }
    this.destroy(e)
  }
}

function socketSetEncoding (): never {
  throw ERR_HTTP_SOCKET_ENCODING()
}

function socketOnTimeout (this: any): void {
  const conn: ServerConnection | undefined = this[kServerConnection]
  const req = conn?.parsing
  const reqTimeout = req && !req.complete && req.emit('timeout', this)
  const res = this._httpMessage
  const resTimeout = res && res.emit('timeout', this)
  const serverTimeout = this.server.emit('timeout', this)
  if (!reqTimeout && !resTimeout && !serverTimeout) this.destroy()
}

function socketOnDrain (this: any): void {
  const msg = this._httpMessage
  if (msg && !msg.finished && msg[kNeedDrain]) {
    msg[kNeedDrain] = false
    msg.emit('drain')
  }
}
