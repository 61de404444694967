// ServerConnection: the state of one server connection, and the only code
// on the server side that reads the engine's batches (lib/engine/constants.ts Ev).
// It plays the part of Node's connectionListenerInternal / parserOnIncoming /
// resOnFinish (lib/_http_server.js), so events come in Node's order, with
// the native parser in place of Node's. The batches come from the engine's
// own connection (a NativeConnection), or from a NativeParser fed by a socket
// the application brought (lib/server/js-connection.ts).
//
// uvhttp's own responses (lib/server/server-response.ts) write through it
// (ResponseConnection): it keeps them in order, lets one write ahead when
// every response before it has all its bytes out, and finishes them.
// Finishing is deferred to the end of the batch that ended them (or to the
// next tick, for a response ended outside one): a response nobody listens
// to is finished there without an event or a tick; one with 'finish'
// listeners is finished on the next tick, as Node's would be. Responses of
// other classes (createServer's ServerResponse option naming a subclass of
// Node's, or nodeObjects) are Node's own, written through the socket facade.
import type * as net from 'net'
import type { Duplex } from 'stream'
import { binding, NativeConnection } from '../engine/binding'
import { BatchReader, readBatch } from '../engine/batch-reader'
import { DIRECT_WRITE_MIN, HeadFlag, WriteFlag } from '../engine/constants'
import { serverRequestStart, serverResponseFinish } from '../common/channels'
import { connResetException, errnoException, parseError, ERR_HTTP_REQUEST_TIMEOUT, ERR_HTTP_SOCKET_ENCODING } from '../common/errors'
import { isFieldName } from '../common/headers'
import { kNeedDrain, kUniqueHeaders, runTicks } from '../common/node-internals'
import { answerLateConnectListeners, bodyOf, flagsFor, Socket } from '../engine/socket'
import { abortRequest, detachAbortSignal, dumpRequest, IncomingMessage, kLean, kMessageSource, kSource, MessageSource, pushBody, pushEnd } from '../common/incoming-message'
import {
  DESTROY_WITHOUT_SOCKET_CLOSES, DRAIN_WAITS_FOR_EMPTY, END_CALLBACKS_FLUSHED, endCallbackError, flushEndCallbacks, flushPending,
  kCorked, kEndCallbacks, kForceTick, kPending, kWritableFinished, ResponseConnection, ServerResponse,
} from './server-response'
import { kConnection, kIncomingMessage, kKeepAliveSweep, kLeanRequests, kLeanResponses, kServerConnection, kServerResponse } from './symbols'

const METHODS = binding.METHODS
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'
const CANNED: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
}

const nop = (): void => {}
/** Node 20's HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER (Node 22+: server.keepAliveTimeoutBuffer). */
const KEEP_ALIVE_GRACE_MS = 1000
/** Pipelined responses that may wait for their turn before we stop reading. */
const MAX_WAITING_RESPONSES = 64

/** The default highWaterMark of a socket on this Node line (16 KiB on Node 20, 64 KiB later). */
const defaultHighWaterMark: number = require('stream').getDefaultHighWaterMark(false)

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

/** True if `emitter` has a listener for `event` (without building anything). */
function hasListener (emitter: any, event: string): boolean {
  const events = emitter._events
  return events !== undefined && events !== null && events[event] !== undefined
}

export class ServerConnection implements BatchReader, ResponseConnection, MessageSource {
  readonly native: ServerTransport
  readonly server: Server
  /**
   * The socket applications see (req.socket, 'connection', 'upgrade'): the
   * engine's net.Socket facade over the native connection, made the first
   * time something needs it (getSocket), or null until then; for a socket
   * the application brought, that socket itself (any Duplex: only the Duplex
   * API is used on it then).
   */
  facade: Socket | null = null
  /** The socket is the application's own (server.emit('connection', s)). */
  readonly foreign: boolean
  /** Responses are uvhttp's own (lib/server/server-response.ts), not Node's. */
  readonly lean: boolean
  closed = false
  /** Requests whose responses are not finished yet, oldest first (Node's state.incoming). */
  readonly incoming: any[] = []
  /** Node's responses waiting for the socket while an earlier one is written (state.outgoing). */
  readonly outgoing: any[] = []
  /** Our responses not finished yet, oldest first. */
  readonly responses: ServerResponse[] = []
  /** The one of them that owns the socket (Node's socket._httpMessage), or null. */
  attached: ServerResponse | null = null
  /** The attached response, ended with all its bytes out, waiting for the end of the batch to finish. */
  private finishing: ServerResponse | null = null
  /** A batch is being read: deferred work runs when it ends (afterBatch). */
  private inBatch = false
  /** The end of a batch is finishing responses nobody listens to, one after another. */
  private finishingQuietly = false
  /** Work is waiting for the end of the batch or a tick (finishing, tick accounting). */
  private deferred = false
  private tickScheduled = false
  /** The request whose body the parser is delivering. */
  parsing: any = null
  /** An 'upgrade'/'connect' took the socket: bytes now go to socket.push. */
  upgraded = false
  requestsCount = 0
  keepAliveTimeoutSet = false
  /** How long the keep-alive wait after the last response may be. */
  keepAliveMs = 0
  /** The options every response of this connection is built with. */
  private responseOptions: { highWaterMark: number, rejectNonStandardBodyWrites: boolean } | undefined
  /** The socket's highWaterMarks (net.Server's highWaterMark option, else the stream default). */
  readonly highWaterMark: number
  readonly readableHighWaterMark: number
  /** The peer half-closed (EOF); our side was ended too (Node's socket.end()). */
  eof = false
  halfClosed = false
  /** destroy() was called: the native close is on its way. */
  destroying = false
  /** Waiting in the server's keep-alive sweep (lib/server/keep-alive-sweep.ts). */
  inSweep = false
  /** A write returned false: the socket must emit 'drain' when the queue empties. */
  needDrain = false
  /** Bytes our responses wrote in the current tick (Node's per-tick socket cork; reset at its end). */
  tickBytes = 0
  /** Reading stopped because responses back up (a client pipelining without reading). */
  readPaused = false
  /** Reading stopped because a request body's reader is full (Node's readStop from parserOnBody). */
  bodyPaused = false
  /** Bytes in the native write queue after the last write (0 again at its drain). */
  lastQueued = 0
  /** A response's write() left bytes held until the end of the tick (SocketOwner#held). */
  held = false
  /**
   * Held bodies of DIRECT_WRITE_MIN bytes or more, kept by reference (as a
   * corked socket's Writable keeps them) rather than copied into the
   * engine's cork buffer, each after what was held before it:
   * [prefix, body, suffix, flags, ...].
   */
  private heldBodies: any[] | null = null
  /** Bytes our waiting responses hold (Node's state.outgoingData). */
  pendingBytes = 0
  /** Write callbacks waiting for the native queue to drain. */
  private drainCallbacks: Array<(err?: Error | null) => void> = []
  /** Callbacks waiting for the connection to close (requests' _destroy and signal). */
  private closeCallbacks: Array<() => void> | null = null

  /** The 'close' listener, removed when the socket leaves HTTP (upgrade). */
  protected readonly closeListener = (): void => this.onSocketClose()

  constructor (server: Server, native: ServerTransport, foreignSocket?: Duplex) {
    this.server = server
    this.native = native
    this.foreign = foreignSocket !== undefined
    this.lean = server[kLeanResponses] === true
    if (foreignSocket !== undefined) {
      this.highWaterMark = foreignSocket.writableHighWaterMark
      this.readableHighWaterMark = foreignSocket.readableHighWaterMark
      this.adopt(foreignSocket as Socket)
      return
    }
    const hwm = server.highWaterMark ?? defaultHighWaterMark
    this.highWaterMark = hwm
    this.readableHighWaterMark = hwm
    // Options net.Server applies to the sockets it accepts (not to emitted ones).
    const conn = native as NativeConnection
    if (server.noDelay !== false) conn.setNoDelay(true)
    if (server.keepAlive) conn.setKeepAlive(true, Math.floor((server.keepAliveInitialDelay ?? 0) / 1000))
    // Node's requests and responses need a socket from the start, and so
    // does a socket timeout (net's timers live on the socket).
    if (!this.lean || !server[kLeanRequests] || server.timeout) this.getSocket()
  }

  /**
   * The socket facade, made on first use: what Node's connectionListener
   * sets up on every socket is set up here, once the socket exists, in a
   * state matching the connection's (ended, closed, its response).
   */
  getSocket (): Socket {
    const existing = this.facade
    if (existing !== null) return existing
    const server = this.server
    const socket = new Socket(this as unknown as ServerConnection & { native: NativeConnection },
      { allowHalfOpen: true, highWaterMark: server.highWaterMark } as any)
    // net.Server's bookkeeping field; a foreign socket keeps its own
    // (a TLS socket's _server is the tls.Server that counts it).
    ;(socket as any)._server = server
    this.adopt(socket)
    if (this.eof) socket.onNativeEnd()
    if (this.halfClosed) socket.end()
    if (this.closed) socket.destroy()
    else if (this.destroying) socket.destroy()
    return socket
  }

  private adopt (socket: Socket): void {
    this.facade = socket
    const server = this.server
    ;(socket as any).server = server
    ;(socket as any)[kServerConnection] = this
    ;(socket as any)._httpMessage = this.lean ? this.attached : null
    socket.on('error', socketOnError)
    socket.on('timeout', socketOnTimeout)
    socket.on('drain', socketOnDrain)
    socket.on('close', this.closeListener)
    // As Node's connectionListener: HTTP bytes are not text (RFC 9112 2.2).
    ;(socket as any).setEncoding = socketSetEncoding
    if (server.timeout && typeof socket.setTimeout === 'function') socket.setTimeout(server.timeout)
  }

  /** Node's socket.destroy(err), with or without a facade. */
  destroy (err?: Error): void {
    const socket = this.facade
    if (socket !== null) {
      socket.destroy(err)
    } else if (!this.closed && !this.destroying) {
      this.destroying = true
      ;(this.native as NativeConnection).close()
    }
  }

  afterDrain (cb: (err?: Error | null) => void): void {
    this.drainCallbacks.push(cb)
  }

  /** The response that owns the socket (Node's socket._httpMessage). */
  currentResponse (): any {
    return this.lean ? this.attached : (this.facade as any)._httpMessage
  }

  /** Idle: between requests, with nothing left to write (closeIdleConnections). */
  isIdle (): boolean {
    const msg = this.currentResponse()
    return !this.upgraded && this.native.messageAge < 0 && this.parsing === null && (!msg || msg.finished)
  }

  // ---- the batch ---------------------------------------------------------------

  onBatch (batch: any[]): void {
    const socket = this.facade
    if (socket !== null && socket.timeout) socket._unrefTimer()
    this.inBatch = true
    try {
      readBatch(this, batch)
    } finally {
      this.inBatch = false
      if (this.deferred) this.afterBatch()
    }
  }

  // ---- BatchReader: one method per record ----------------------------------------

  onHead (method: number, url: string, raw: string[], major: number, minor: number, flags: number): void {
    const server = this.server
    // resetSocketTimeout: a request ends the keep-alive wait.
    if (this.keepAliveTimeoutSet) this.resetSocketTimeout()
    const Request = server[kIncomingMessage]
    let req: any
    if (Request === IncomingMessage) {
      req = new IncomingMessage(this as any)
    } else {
      req = new Request(this.getSocket())
      if (server[kLeanRequests]) req[kSource] = this
    }
    req.httpVersionMajor = major
    req.httpVersionMinor = minor
    req.httpVersion = major === 1 && minor === 1 ? '1.1' : major + '.' + minor
    req.method = METHODS[method]
    req.url = url
    req.joinDuplicateHeaders = server.joinDuplicateHeaders
    // The parser refused heads with more fields than maxHeadersCount.
    req.rawHeaders = raw
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
    const options = this.responseOptions ??= {
      highWaterMark: this.highWaterMark,
      rejectNonStandardBodyWrites: server.rejectNonStandardBodyWrites,
    }
    // The default class by name: V8 allocates a `new` of a known constructor inline.
    const Response = server[kServerResponse]
    const res = Response === ServerResponse ? new (ServerResponse as any)(req, options) : new Response(req, options)
    res._keepAliveTimeout = server.keepAliveTimeout
    res._maxRequestsPerSocket = server.maxRequestsPerSocket
    res[kUniqueHeaders] = server[kUniqueHeaders]
    res.shouldKeepAlive = (flags & HeadFlag.KEEP_ALIVE) !== 0
    if (serverRequestStart.hasSubscribers) serverRequestStart.publish({ request: req, response: res, socket: this.getSocket(), server })
    if (this.lean) {
      res[kConnection] = this
      this.responses.push(res)
      if (this.attached === null && this.responses.length === 1) this.assign(res)
    } else {
      const socket = this.getSocket()
      if ((socket as any)._httpMessage) this.outgoing.push(res)
      else res.assignSocket(socket)
      res.on('finish', () => this.onNodeResponseFinish(req, res))
    }

    if (major === 1 && minor === 1) {
      // RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host.
      if (server.requireHostHeader && (flags & HeadFlag.HAS_HOST) === 0) {
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
        server.emit('dropRequest', req, this.getSocket())
        res.writeHead(503)
        res.end()
        return
      }
      if ((flags & HeadFlag.HAS_EXPECT) !== 0) {
        const expect = expectHeader(raw)
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
    if (req !== null && !req._dumped) {
      // Backpressure: a reader that stops reading stops the socket's reads.
      if (!pushBody(req, chunk)) {
        this.bodyPaused = true
        this.native.pause()
      }
    }
    // Node's parser hands each body chunk over with MakeCallback, so the tick
    // queue runs after every chunk (and not after a head or a message's end):
    // a reader's resume_ reads before the end arrives, a tick queued in a
    // 'data' listener runs before 'end', and a request pipelined after this
    // one comes after them. The engine hands the whole read over at once;
    // the queue runs here as it would have there (a socket the application
    // brought is read as Node reads it, from its 'data' events: no ticks).
    // What waits for the end of a tick (held writes, finishing) goes first.
    if (!this.foreign) {
      if (this.deferred) this.afterBatch()
      runTicks()
    }
  }

  onMessageEnd (rawTrailers: string[] | null): void {
    const req = this.parsing
    if (req === null) return
    this.parsing = null
    req.complete = true
    if (rawTrailers !== null) req._addHeaderLines(rawTrailers, rawTrailers.length)
    pushEnd(req)
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
    const socket = this.getSocket()
    const req = this.parsing
    this.upgraded = true
    this.parsing = null
    // The request of an upgrade has no body: its END may precede the head bytes.
    if (ended) {
      req.complete = true
      pushEnd(req)
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
    if (!this.getSocket().push(chunk)) this.native.pause()
  }

  onParseError (code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): void {
    this.clientError(serverParseError(code, reason, bytesParsed, rawPacket))
  }

  /**
   * Node's socketOnError: 'clientError' listeners get the error and the
   * socket; without any, Node answers with a canned response (if no byte of
   * a response has left yet) and destroys the socket. Node emits it even
   * without a listener (code that wraps server.emit sees it), so the socket
   * facade is made for it.
   */
  clientError (err: any): void {
    socketOnError.call(this.getSocket(), err)
  }

  onIoError (errno: number, syscall: string): void {
    // A socket's 'error' reaches socketOnError and so 'clientError'.
    this.getSocket().destroy(errnoException(errno, syscall))
  }

  /** Client connections only. */
  onConnect (): void {}

  // socketOnEnd: the client finished sending.
  onEof (): void {
    this.eof = true
    const socket = this.facade
    if (this.upgraded) {
      socket!.onNativeEnd()
      return
    }
    // A truncated request already failed (clientError).
    if (this.closed || this.destroying || (socket !== null && socket.destroyed)) return
    // Without httpAllowHalfOpen our side ends too; requests still in flight
    // are aborted when the socket closes (onSocketClose), as in Node.
    const last = this.lastResponse()
    if (this.server.httpAllowHalfOpen && last) {
      last._last = true
    } else if (socket !== null) {
      socket.end()
    } else {
      // Half-close once what is queued has left; the peer is done already, so the connection then closes.
      this.halfClosed = true
      ;(this.native as NativeConnection).shutdown()
    }
    // A foreign socket has ended by itself (its 'end' brought us here).
    if (socket !== null && !this.foreign) socket.onNativeEnd()
  }

  /** The newest response not finished yet (Node: the last of state.outgoing, else socket._httpMessage). */
  private lastResponse (): any {
    if (this.lean) return this.responses.length !== 0 ? this.responses[this.responses.length - 1] : null
    return this.outgoing.length ? this.outgoing[this.outgoing.length - 1] : (this.facade as any)._httpMessage
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
    // Writes that bypassed the socket's Writable still owe it a 'drain'.
    if (this.needDrain) {
      this.needDrain = false
      this.emitDrain()
    }
  }

  /** Node's socket 'drain': the current response's 'drain' first (socketOnDrain), then the socket's own listeners. */
  private emitDrain (): void {
    // The application's socket emits its own 'drain' when its buffer empties;
    // the per-tick accounting only owes the response one.
    const socket = this.facade
    if (socket === null || this.foreign) this.responseDrain()
    else socket.emit('drain')
  }

  commitHeld (): number {
    this.held = false
    const native = this.native as NativeConnection
    const bodies = this.heldBodies
    if (bodies === null) return native.flush()
    this.heldBodies = null
    // A connection being destroyed sends nothing held (the engine drops its part at close).
    if (this.destroyed) return 0
    // Each write commits what the engine held before it, then leaves from the caller's Buffer.
    let queued = 0
    for (let i = 0; i < bodies.length && queued >= 0; i += 4) queued = native.write(bodies[i], bodies[i + 1], bodies[i + 2], bodies[i + 3])
    return queued
  }

  onClose (): void {
    this.closed = true
    this.heldBodies = null
    if (this.inSweep) this.server[kKeepAliveSweep].unwatch(this)
    const cbs = this.drainCallbacks
    if (cbs.length !== 0) {
      // Writes the kernel never took fail as Node's do (an Error costs a stack capture: only when needed).
      this.drainCallbacks = []
      const err = errnoException(-32 /* EPIPE */, 'write')
      for (let i = 0; i < cbs.length; i++) cbs[i](err)
    }
    this.server.forgetConnection(this)
    const socket = this.facade
    if (socket !== null) socket.onNativeClose()
    else this.onSocketClose()
  }

  // socketOnClose: requests still in flight are aborted, and the response
  // that owned the socket closes (onServerResponseClose).
  private onSocketClose (): void {
    this.parsing = null
    abortIncoming(this.incoming)
    // Node 24's abortOutgoing: from Node 24 on, destroying a response that
    // never had a socket emits its 'close'; before, it waits for a socket
    // that never comes, as Node's does.
    abortOutgoing(this.outgoing)
    const closeCallbacks = this.closeCallbacks
    if (closeCallbacks !== null) {
      this.closeCallbacks = null
      for (let i = 0; i < closeCallbacks.length; i++) closeCallbacks[i]()
    }
    if (!this.lean) return
    this.finishing = null
    const current = this.attached
    this.attached = null
    const waiting = this.responses.filter((res) => res !== current)
    this.responses.length = 0
    if (current !== null) {
      if (END_CALLBACKS_FLUSHED) flushEndCallbacks(current, endCallbackError(current))
      emitCloseNT(current)
    }
    // Node 24 aborts the responses that were still waiting for their turn.
    if (DESTROY_WITHOUT_SOCKET_CLOSES) {
      for (const res of waiting) res.destroy(connResetException('aborted'))
    }
  }

  // ---- MessageSource: our requests read through here --------------------------------

  readonly [kMessageSource] = true as const

  get destroyed (): boolean {
    return this.closed || this.destroying || (this.facade !== null && this.facade.destroyed)
  }

  // Node's readStart: reading goes on unless responses back up (readPaused).
  // Only a body's backpressure stops it here, so only then is there
  // something to restart (a native call saved on every other request).
  readStart (): void {
    if (this.bodyPaused && !this.closed && !this.readPaused) {
      this.bodyPaused = false
      this.native.resume()
    }
  }

  destroySocket (err: Error | null): void {
    this.destroy(err ?? undefined)
  }

  afterClose (cb: () => void): void {
    if (this.closed) process.nextTick(cb)
    else (this.closeCallbacks ??= []).push(cb)
  }

  // ---- ResponseConnection: our responses write through here ----------------------

  /** The response owns the socket: 'socket', and whatever it wrote while waiting. */
  private assign (res: ServerResponse): void {
    this.attached = res
    if (this.facade !== null) (this.facade as any)._httpMessage = res
    if (hasListener(res, 'socket')) res.emit('socket', this.getSocket())
    if (res[kPending] !== null && res[kCorked] === 0) {
      this.pendingBytes -= res.outputSize
      flushPending(res)
    }
    if (res.finished) this.ended(res)
  }

  socketOf (res: ServerResponse): any {
    return this.attached === res ? this.getSocket() : null
  }

  owns (res: ServerResponse): boolean {
    return this.attached === res
  }

  socketCorked (res: ServerResponse): number {
    return this.attached === res && this.facade !== null ? this.facade.writableCorked : 0
  }

  queuedFor (res: ServerResponse): number {
    if (this.attached !== res && !this.mayWrite(res)) return 0
    return this.foreign ? this.facade!.writableLength : this.tickBytes + this.lastQueued + this.socketBuffered()
  }

  /**
   * Every response before `res` has ended with all its bytes out, and none
   * closes the connection: `res`'s bytes may follow them now. A response
   * waiting behind one still writing keeps its bytes (Node's outputData).
   */
  mayWrite (res: ServerResponse): boolean {
    const responses = this.responses
    for (let i = 0; i < responses.length; i++) {
      const r = responses[i]
      if (r === res) return !this.closed
      if (!r.finished || r[kPending] !== null || r._last || r[kCorked] !== 0) return false
    }
    return false
  }

  write (res: ServerResponse, prefix: string | null, data: any, suffix: string | null, encoding: any,
    callback: ((err?: Error | null) => void) | null, hold: boolean): boolean {
    const socket = this.facade
    if (this.closed || this.destroying) return false
    if (socket !== null) {
      if (socket.destroyed) return false
      // A socket the application brought is written as Node writes it; so is
      // the facade when bytes sit in its Writable (the application wrote to
      // the socket itself): ours go behind them. Its writableLength would
      // count the engine's queue too, held bytes of our own among them.
      if (this.foreign || socket.streamWritableLength !== 0) return this.writeThroughSocket(socket, prefix, data, suffix, encoding, callback)
    }
    const flags = flagsFor(encoding)
    const body = bodyOf(data, encoding)
    // Node's write() corks the socket for the rest of the tick: what a
    // handler writes in one tick leaves together at its end, and a destroy
    // before then sends nothing (COMPAT.md #24). The engine holds those bytes
    // (WriteFlag.HOLD) until afterBatch flushes them; end() commits them.
    let queued = !hold && this.heldBodies !== null ? this.commitHeld() : 0
    if (queued < 0) {
      // The held bodies failed to leave: the error below.
    } else if (hold && (this.heldBodies !== null || (typeof body !== 'string' && body.length >= DIRECT_WRITE_MIN))) {
      (this.heldBodies ??= []).push(prefix, body, suffix, flags)
      queued = this.lastQueued
    } else {
      queued = (this.native as NativeConnection).write(prefix, body, suffix, hold ? flags | WriteFlag.HOLD : flags)
    }
    this.held = hold
    if (socket !== null && socket.timeout) socket._unrefTimer()
    if (queued < 0) {
      const err = errnoException(queued, 'write')
      this.destroy(err)
      if (callback !== null) process.nextTick(callback, err)
      return false
    }
    if (callback !== null) {
      if (queued === 0) process.nextTick(callback)
      else this.afterDrain(callback)
    }
    // As a Writable would: bytes written in this tick count against the
    // highWaterMark until the tick ends (Node's write_ corks the socket until
    // the next tick), so a large chunk returns false even if the kernel took
    // it all, and 'drain' follows.
    this.lastQueued = queued
    this.tickBytes += (prefix === null ? 0 : prefix.length) + body.length + (suffix === null ? 0 : suffix.length)
    this.defer()
    if (queued + this.tickBytes < this.highWaterMark) return true
    this.needDrain = true
    return false
  }

  private writeThroughSocket (socket: any, prefix: string | null, data: any, suffix: string | null, encoding: any,
    callback: ((err?: Error | null) => void) | null): boolean {
    // Node's write_ corks the socket until the end of the tick.
    if (!socket.writableCorked) {
      socket.cork()
      process.nextTick(uncorkNT, socket)
    }
    if (prefix !== null) socket.write(prefix, 'latin1')
    let ret
    if (suffix === null) {
      ret = socket.write(data, encoding, callback ?? undefined)
    } else {
      socket.write(data, encoding)
      ret = socket.write(suffix, 'latin1', callback ?? undefined)
    }
    return ret
  }

  ended (res: ServerResponse): void {
    if (!this.mayWrite(res)) return // its turn comes (assign)
    // end() uncorks the socket fully: what this tick wrote has been handed on.
    this.tickBytes = 0
    // Node's _finish: 'prefinish' once the owner of the socket has ended.
    if (this.attached === res && hasListener(res, 'prefinish')) res.emit('prefinish')
    // Later responses that were waiting may write now (none after one that closes).
    const responses = this.responses
    for (let i = res._last ? responses.length : responses.indexOf(res) + 1; i < responses.length; i++) {
      const next = responses[i]
      if (next[kPending] !== null && next[kCorked] === 0) {
        this.pendingBytes -= next.outputSize
        flushPending(next)
      }
      if (!next.finished || next._last) break
    }
    this.resumeIfDrained()
    if (this.attached !== res) return // finished when it owns the socket (assign)
    this.finishWhenWritten(res)
  }

  /** 'finish' comes once the kernel has the response's bytes (Node: the socket write callback). */
  private finishWhenWritten (res: ServerResponse): void {
    if (res.destroyed) return
    if (this.foreign) {
      // As Node: an empty write whose callback says the rest has left.
      this.facade!.write('', 'latin1', (err?: Error | null) => {
        if (!err) this.finishReady(res)
        else if (END_CALLBACKS_FLUSHED) flushEndCallbacks(res, err)
      })
      return
    }
    if (this.lastQueued === 0) {
      this.finishReady(res)
    } else {
      this.afterDrain((err) => {
        if (!err) this.finishReady(res)
        else if (END_CALLBACKS_FLUSHED) flushEndCallbacks(res, err)
      })
    }
  }

  /**
   * Node finishes a response on the tick its last write calls back. Inside a
   * batch the decision waits for the batch's end (afterBatch): a response
   * nobody listens to is finished there, without a tick; one with 'finish'
   * listeners (or Node 24 end() callbacks, or an 'error' on its way) is
   * finished on the next tick. Outside a batch, the next tick it is.
   */
  private finishReady (res: ServerResponse): void {
    if (this.inBatch) {
      this.finishing = res
      this.deferred = true
    } else if (this.finishingQuietly && !wantsFinishEvents(res)) {
      this.finish(res)
    } else {
      process.nextTick(finishNT, this, res)
    }
  }

  destroyFor (res: ServerResponse, err: Error | undefined): void {
    this.destroy(err)
  }

  /** Deferred work runs at the end of the batch, or at the end of this tick outside one. */
  private defer (): void {
    this.deferred = true
    if (this.inBatch || this.tickScheduled) return
    this.tickScheduled = true
    process.nextTick(endOfTick, this)
  }

  /** The end of the batch (or, outside one, of the tick) the writes happened in. */
  afterBatch (): void {
    this.deferred = false
    this.tickBytes = 0
    if (this.held) {
      // Node's connectionCorkNT: the socket uncorks, what was held leaves.
      if (this.closed) {
        this.held = false
      } else {
        const queued = this.commitHeld()
        if (queued < 0) this.destroy(errnoException(queued, 'write'))
        else this.lastQueued = queued
      }
    }
    if (this.needDrain && this.lastQueued === 0 && !this.closed) {
      // 'drain' follows once the engine has written what the tick corked and
      // found whether the kernel took it all (else its DRAIN event comes).
      // It writes that when the batch's call returns, and the ticks a batch
      // queues still run inside that call (even this one's end of tick):
      // after the poll phase is the first moment it is known.
      this.needDrain = false
      setImmediate(emitDrainNT, this)
    }
    const res = this.finishing
    if (res === null) return
    this.finishing = null
    if (wantsFinishEvents(res)) {
      process.nextTick(finishNT, this, res)
      return
    }
    this.finishingQuietly = true
    try {
      this.finish(res)
    } finally {
      this.finishingQuietly = false
    }
  }

  /** Node's onFinish and resOnFinish, then the application's 'finish' listeners. */
  finish (res: ServerResponse): void {
    if (this.closed || this.attached !== res) return
    const req = res.req
    const socket = this.facade
    res[kWritableFinished] = true
    if (END_CALLBACKS_FLUSHED) flushEndCallbacks(res, null)
    if (serverResponseFinish.hasSubscribers) serverResponseFinish.publish({ request: req, response: res, socket: this.getSocket(), server: this.server })
    if (this.incoming[0] === req) this.incoming.shift()
    dumpRequest(req, hasListener(res, 'finish') || hasListener(res, 'close'))
    detachAbortSignal(req)
    this.responses.shift()
    this.attached = null
    if (socket !== null) (socket as any)._httpMessage = null
    // 'close' follows on a later tick, as in Node. A response finished
    // quietly has nobody to tell: it only has to look closed (destroyed) once
    // the ticks queued before it have run (an 'error' from a write after
    // end() is emitted only while it is not), which a promise job gives at a
    // seventh of a tick's cost; all the responses closing so share one.
    if (this.finishingQuietly && !hasListener(res, 'close')) closeQuietly(res)
    else process.nextTick(emitCloseNT, res)
    if (res._last) {
      this.destroySoon()
    } else if (this.responses.length === 0) {
      this.waitKeepAlive()
    } else {
      this.assign(this.responses[0])
    }
    this.resumeIfDrained()
    if (hasListener(res, 'finish')) res.emit('finish')
  }

  // ---- Node's own responses ---------------------------------------------------------

  // resOnFinish
  private onNodeResponseFinish (req: any, res: any): void {
    const socket = this.facade!
    if (serverResponseFinish.hasSubscribers) serverResponseFinish.publish({ request: req, response: res, socket, server: this.server })
    if (this.incoming[0] === req) this.incoming.shift()
    dumpRequest(req, true)
    detachAbortSignal(req)
    res.detachSocket(socket)
    process.nextTick(emitCloseNT, res)
    if (res._last) {
      this.destroySoon()
    } else if (this.outgoing.length === 0) {
      this.waitKeepAlive()
    } else {
      const next = this.outgoing.shift()
      if (next) next.assignSocket(socket)
    }
    this.resumeIfDrained()
  }

  // ---- backpressure and timers ---------------------------------------------------------

  private outputBackedUp (): boolean {
    const hwm = this.highWaterMark
    const waiting = this.lean ? this.responses.length : this.outgoing.length
    return this.lastQueued >= hwm || waiting >= MAX_WAITING_RESPONSES || this.pendingBytes >= hwm ||
      this.socketBuffered() >= hwm
  }

  /**
   * Bytes in the socket's Writable buffer (the application wrote to it). A
   * facade's writableLength adds the engine's queue, which is lastQueued here.
   */
  private socketBuffered (): number {
    const socket = this.facade
    if (socket === null) return 0
    return this.foreign ? socket.writableLength : socket.streamWritableLength
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
   * meets a closed socket; Node 22+ lets servers choose it) and disarms it
   * on the next request. A connection with a facade does exactly that; one
   * without waits in the server's sweep (lib/server/keep-alive-sweep.ts).
   */
  private waitKeepAlive (): void {
    const server = this.server
    const timeout = server.keepAliveTimeout
    if (!(timeout > 0)) return
    const buffer = server.keepAliveTimeoutBuffer
    const ms = timeout + (typeof buffer === 'number' && buffer >= 0 ? buffer : KEEP_ALIVE_GRACE_MS)
    this.keepAliveTimeoutSet = true
    this.keepAliveMs = ms
    const socket = this.facade
    if (socket !== null) {
      if (typeof socket.setTimeout === 'function') socket.setTimeout(ms)
    } else {
      server[kKeepAliveSweep].watch(this)
    }
  }

  /** Node's resetSocketTimeout: a request ends the keep-alive wait, and the socket's timeout is the server's again. */
  private resetSocketTimeout (): void {
    this.keepAliveTimeoutSet = false
    const timeout = this.server.timeout
    const socket = this.facade
    if (socket !== null) {
      if ((timeout || socket.timeout) && typeof socket.setTimeout === 'function') socket.setTimeout(timeout || 0)
    } else if (timeout) {
      this.getSocket() // it arms server.timeout
    }
  }

  idleAge (): number {
    return (this.native as NativeConnection).idleAge
  }

  /** The keep-alive wait is over (Node's socket 'timeout' while idle). */
  keepAliveExpired (): void {
    if (this.closed || this.destroying) return
    const socket = this.facade
    if (socket !== null || this.server.listenerCount('timeout') > 0) this.getSocket().emit('timeout')
    else this.destroy()
  }

  /** Node's socket.destroySoon(): end our side once everything is written, then close. */
  private destroySoon (): void {
    const socket = this.facade
    if (socket !== null) {
      if (typeof socket.destroySoon === 'function') socket.destroySoon()
      else socket.end()
    } else if (!this.closed && !this.destroying) {
      this.halfClosed = true
      ;(this.native as NativeConnection).write(null, null, null, WriteFlag.END)
    }
  }

  /** Called by the server's periodic check (headersTimeout / requestTimeout). */
  checkTimeouts (headersTimeout: number, requestTimeout: number): void {
    const age = this.native.messageAge
    if (age < 0 || this.upgraded) return
    if ((headersTimeout > 0 && !this.native.headersComplete && age > headersTimeout) ||
        (requestTimeout > 0 && age > requestTimeout)) {
      this.clientError(ERR_HTTP_REQUEST_TIMEOUT())
    }
  }

  /** The current response's 'drain' (Node's socketOnDrain). */
  responseDrain (): void {
    const msg = this.currentResponse()
    if (msg && !msg.finished && msg[kNeedDrain] && (!DRAIN_WAITS_FOR_EMPTY || msg.writableLength === 0)) {
      msg[kNeedDrain] = false
      msg.emit('drain')
    }
  }
}

function endOfTick (conn: ServerConnection): void {
  ;(conn as any).tickScheduled = false
  conn.afterBatch()
}

// One list for the life of the process, its slots reused (a new array each
// time would grow a new backing store for every response).
const closingQuietly: Array<ServerResponse | undefined> = []
let closingCount = 0
const resolved = Promise.resolve()

function closeQuietly (res: ServerResponse): void {
  closingQuietly[closingCount++] = res
  if (closingCount === 1) void resolved.then(closeAllQuietly)
}

function closeAllQuietly (): void {
  // Setting two fields runs no code of anyone's: nothing is added meanwhile.
  for (let i = 0; i < closingCount; i++) {
    const res = closingQuietly[i]!
    closingQuietly[i] = undefined
    res.destroyed = true
    res._closed = true
  }
  closingCount = 0
}

function finishNT (conn: ServerConnection, res: ServerResponse): void {
  conn.finish(res)
}

/** Someone would see the response's 'finish' (or what comes with it on Node 24). */
function wantsFinishEvents (res: ServerResponse): boolean {
  return hasListener(res, 'finish') || res[kEndCallbacks] !== null || res[kForceTick] === true
}

function uncorkNT (socket: any): void {
  socket.uncork()
}

function emitDrainNT (conn: ServerConnection): void {
  if (conn.closed) return
  // What the batch flushed may not all have been taken: then DRAIN follows.
  if (!conn.foreign && (conn.native as NativeConnection).writeQueueSize !== 0) conn.needDrain = true
  else (conn as any).emitDrain()
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

/**
 * The Expect field as Node's parserOnIncoming reads it (req.headers.expect,
 * without building req.headers): the values of every Expect line, joined
 * with ', ' as Node joins duplicates of most fields. (The parser refused a
 * head with more fields than maxHeadersCount, so every line counts.)
 */
function expectHeader (raw: string[]): string {
  let value: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if (isFieldName(raw[i], 'expect')) {
      value = value === undefined ? raw[i + 1] : value + ', ' + raw[i + 1]
    }
  }
  return value ?? ''
}

function abortIncoming (incoming: any[]): void {
  while (incoming.length) abortRequest(incoming.shift(), connResetException('aborted'))
}

/** Node's abortOutgoing (Node's own responses still waiting for their turn): each is destroyed with ECONNRESET 'aborted'. */
function abortOutgoing (outgoing: any[]): void {
  while (outgoing.length) outgoing.shift().destroy(connResetException('aborted'))
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
    const msg = this[kServerConnection]?.currentResponse() ?? this._httpMessage
    if (this.writable && (!msg || !msg._headerSent)) {
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
  const res = conn !== undefined ? conn.currentResponse() : this._httpMessage
  const resTimeout = res && res.emit('timeout', this)
  const serverTimeout = this.server.emit('timeout', this)
  if (!reqTimeout && !resTimeout && !serverTimeout) this.destroy()
}

function socketOnDrain (this: any): void {
  const conn: ServerConnection | undefined = this[kServerConnection]
  if (conn !== undefined) conn.responseDrain()
}
