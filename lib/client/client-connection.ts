// ClientConnection: one outgoing connection of the engine, and the only code
// on the client side that reads its batches (lib/engine/constants.ts Ev). It plays
// the part of net.connect() (name resolution, Happy Eyeballs over the
// addresses found, 'lookup'/'connect'/'ready' and Node's connect errors) and
// of the socket's 'data'/'end' listeners that Node's ClientRequest installs:
// response events go to the ResponseSink the current request attached.
import * as dns from 'dns'
import * as net from 'net'
import { binding, NativeConnection } from '../engine/binding'
import { ClientSocket, ClientSocketOwner, PendingNative } from './client-socket'
import { BatchReader, readBatch } from '../engine/batch-reader'
import { Ev, HeadFlag, ParserMode } from '../engine/constants'
import { errnoException, exceptionWithHostPort, parseError, ERR_INVALID_ARG_TYPE, ERR_SOCKET_BAD_PORT, NodeError, ParseError } from '../common/errors'
import { kOwner, Socket } from '../engine/socket'
import '../engine/dispatch' // registers the per-env batch handler (binding.setup)

const UV_ETIMEDOUT = -110
const UV_ECANCELED = -125

/**
 * What a request attaches to the connection to receive its response, as
 * Node's ClientRequest attaches an HTTPParser to the socket (tickOnSocket).
 * It is detached once the response is complete (Node's freeParser).
 */
export interface ResponseSink {
  onHead (status: number, message: string, rawHeaders: string[], major: number, minor: number, flags: number): void
  onBody (chunk: Buffer): void
  onEnd (rawTrailers: string[] | null): void
  /** After an upgrade/CONNECT head: the bytes that followed it; ended says its END came too. */
  onUpgrade (head: Buffer, ended: boolean): void
  onParseError (err: ParseError): void
  /** The server closed its side before the response was complete (Node's socketOnEnd). */
  onEof (): void
}

/** Parser settings of the next response, kept until a native connection exists. */
interface ParserSetup {
  maxHeaderSize: number
  /** Header entries (parser.maxHeaderPairs) past which a framing header fails the response (HttpParser::FramingPastCount). */
  maxHeaderEntries: number
  lenient: boolean
  noBody: boolean
  upgrade: boolean
}

/** One address to try, and the owner its native connection reports to. */
interface Attempt {
  address: string
  family: number
  native: NativeConnection | null
  timer: NodeJS.Timeout | null
  onBatch (batch: any[]): void
}

export class ClientConnection implements ClientSocketOwner, BatchReader {
  /** The native connection; a PendingNative until one is established. */
  native: NativeConnection
  closed = false
  readonly socket: ClientSocket
  /** The request waiting for (or reading) a response; null between requests. */
  parser: ResponseSink | null = null
  /**
   * The engine parses no more: an upgrade/CONNECT took the connection, or
   * someone else reads it (readByOthers). Bytes now go to socket.push.
   */
  upgraded = false
  /** The response whose head took the connection out of HTTP, until onUpgrade hands it the head bytes. */
  private upgrading: ResponseSink | null = null
  private readonly pending: PendingNative
  private readonly setup: ParserSetup = { maxHeaderSize: 0, maxHeaderEntries: 0, lenient: false, noBody: false, upgrade: false }
  /**
   * The limits last given to limitsHolder. Every request sets its limits, and
   * on a keep-alive connection they are nearly always the last request's:
   * those need no native call.
   */
  private readonly limits = { maxHeaderSize: 0, maxHeaderEntries: 0, lenient: false }
  private limitsHolder: NativeConnection | null = null
  /** pauseReading was called and resumeReading not since (the socket may have resumed it meanwhile). */
  private mayBePaused = false
  private drainCallbacks: Array<(err?: Error | null) => void> = []
  private attempts: Attempt[] = []
  private current = -1
  private errors: Error[] = []
  private port = 0
  private localAddress: string | null = null
  private attemptTimeout = 250

  constructor (options: any) {
    this.pending = new PendingNative(this)
    this.native = this.pending as unknown as NativeConnection
    this.socket = new ClientSocket(this, {
      allowHalfOpen: !!options.allowHalfOpen,
      highWaterMark: options.highWaterMark,
    } as any)
    this.socket.connecting = true
  }

  /** SocketOwner#lastQueued (the client reads it nowhere; the socket keeps it current). */
  lastQueued = 0
  /** SocketOwner#held: a request's writes go through the socket's Writable, never held in the engine. */
  held = false
  commitHeld (): number {
    this.held = false
    return this.native.flush()
  }

  afterDrain (cb: (err?: Error | null) => void): void {
    this.drainCallbacks.push(cb)
  }

  /**
   * Parser settings for the next response: the request's limits, whether it
   * was HEAD (no body follows), whether it was CONNECT (a tunnel follows).
   * Called in the request's async context (tickOnSocket), where Node makes
   * the parser resource of each request: the response's callbacks run in
   * it, so AsyncLocalStorage sees the request's store, also on a reused
   * socket. A connection still connecting gets its context when it
   * connects, in the request's context too.
   */
  prepareResponse (maxHeaderSize: number, maxHeaderEntries: number, lenient: boolean, noBody: boolean, upgrade: boolean): void {
    const s = this.setup
    s.maxHeaderSize = maxHeaderSize
    s.maxHeaderEntries = maxHeaderEntries
    s.lenient = lenient
    s.noBody = noBody
    s.upgrade = upgrade
    if (this.native !== (this.pending as unknown) && !this.closed) {
      this.applySetup(this.native)
      this.native.adoptAsyncContext(this)
    }
  }

  /** Stops reading until resumeReading (or the socket asks for more, see Socket#_read). */
  pauseReading (): void {
    this.mayBePaused = true
    this.native.pause()
  }

  /**
   * Reading goes on, if this connection paused it. Only pauseReading pauses
   * the native connection, and most responses never need it, so most calls
   * here are no native call at all (one was made per response).
   */
  resumeReading (): void {
    if (!this.mayBePaused) return
    this.mayBePaused = false
    this.native.resume()
  }

  /**
   * Part of a message arrived while no request was waiting for one: what
   * the agent must not hand to the next request (a whole one closes the
   * connection at once, see onHead).
   */
  hasPartialMessage (): boolean {
    return !this.closed && this.native !== (this.pending as unknown) && this.native.messageAge !== -1
  }

  /** The socket's bytes are wanted as they come (see ClientSocket#on). */
  readByOthers (): void {
    if (this.upgraded || this.parser !== null) return
    this.upgraded = true
    if (this.native !== (this.pending as unknown) && !this.closed) this.native.setParser(ParserMode.NONE)
  }

  private hasLimits (native: NativeConnection, s: ParserSetup): boolean {
    const l = this.limits
    return this.limitsHolder === native && l.maxHeaderSize === s.maxHeaderSize && l.maxHeaderEntries === s.maxHeaderEntries && l.lenient === s.lenient
  }

  private applySetup (native: NativeConnection): void {
    if (this.upgraded) {
      native.setParser(ParserMode.NONE)
      return
    }
    const s = this.setup
    if (s.maxHeaderSize > 0 && !this.hasLimits(native, s)) {
      native.setLimits(s.maxHeaderSize, s.maxHeaderEntries, s.lenient)
      this.limitsHolder = native
      this.limits.maxHeaderSize = s.maxHeaderSize
      this.limits.maxHeaderEntries = s.maxHeaderEntries
      this.limits.lenient = s.lenient
    }
    if (s.noBody) native.expectNoBody()
    if (s.upgrade) native.expectUpgrade()
    s.noBody = s.upgrade = false
  }

  // ---- connecting ----------------------------------------------------------------

  /** Connects to a Unix domain socket. */
  connectPipe (path: string): void {
    process.nextTick(() => {
      if (this.socket.connecting) this.tryAddresses([{ address: path, family: 0 }])
    })
  }

  /** Connects to host:port, resolving host first unless it is an IP literal. */
  connectTcp (host: string, port: number, options: any): void {
    this.port = port
    this.localAddress = options.localAddress || null
    const socket = this.socket
    const family = net.isIP(host)
    if (family !== 0) {
      process.nextTick(() => {
        if (socket.connecting) this.tryAddresses([{ address: host, family }])
      })
      return
    }
    const dnsopts: dns.LookupOptions = { family: dnsFamily(options.family), hints: options.hints || 0 }
    if (process.platform !== 'win32' && dnsopts.family !== 4 && dnsopts.family !== 6 && dnsopts.hints === 0) {
      dnsopts.hints = dns.ADDRCONFIG
    }
    socket._host = host
    const lookup = options.lookup || dns.lookup
    if (typeof lookup !== 'function') throw ERR_INVALID_ARG_TYPE('options.lookup', 'Function', lookup)
    let autoSelect = options.autoSelectFamily ?? net.getDefaultAutoSelectFamily()
    if (dnsopts.family === 4 || dnsopts.family === 6 || this.localAddress) autoSelect = false
    this.attemptTimeout = options.autoSelectFamilyAttemptTimeout != null
      ? Math.max(10, options.autoSelectFamilyAttemptTimeout)
      : net.getDefaultAutoSelectFamilyAttemptTimeout()
    if (autoSelect) dnsopts.all = true
    lookup(host, dnsopts, (err: Error | null, address: any, addressFamily?: number) => {
      if (!socket.connecting) return
      if (err) {
        socket.emit('lookup', err, undefined, undefined, host)
        process.nextTick(destroyWith, socket, err)
        return
      }
      const list: Array<{ address: string, family: number }> = Array.isArray(address)
        ? address
        : [{ address, family: addressFamily as number }]
      // Happy Eyeballs (RFC 8305) as net.connect does it: each address once,
      // families alternating, starting with the family of the first one.
      const groups: Array<Array<{ address: string, family: number }>> = [[], []]
      let firstFamily = 0
      for (const entry of list) {
        socket.emit('lookup', null, entry.address, entry.family, host)
        if (!socket.connecting) return
        if (net.isIP(entry.address) && (entry.family === 4 || entry.family === 6)) {
          if (firstFamily === 0) firstFamily = entry.family
          const g = groups[entry.family === firstFamily ? 0 : 1]
          if (!g.some((e) => e.address === entry.address)) g.push(entry)
        }
      }
      if (groups[0].length === 0) {
        const first = list[0]
        const e = first && !net.isIP(first.address)
          ? codedError(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${first?.address}`)
          : codedError(RangeError, 'ERR_INVALID_ADDRESS_FAMILY', `Invalid address family: ${first?.family} ${host}:${port}`)
        process.nextTick(destroyWith, socket, e)
        return
      }
      const toTry: Array<{ address: string, family: number }> = []
      for (let i = 0; i < Math.max(groups[0].length, groups[1].length); i++) {
        if (i < groups[0].length) toTry.push(groups[0][i])
        if (i < groups[1].length) toTry.push(groups[1][i])
      }
      socket._unrefTimer()
      this.tryAddresses(toTry)
    })
  }

  private tryAddresses (list: Array<{ address: string, family: number }>): void {
    this.attempts = list.map((t) => this.makeAttempt(t.address, t.family))
    this.current = -1
    if (list.length > 1) (this.socket as any).autoSelectFamilyAttemptedAddresses = []
    this.nextAttempt()
  }

  /**
   * Each attempt's native connection reports to its own owner, so that a
   * late answer from an abandoned attempt never reaches the socket; the
   * one that connects forwards everything from then on.
   */
  private makeAttempt (address: string, family: number): Attempt {
    const conn = this
    const attempt: Attempt = {
      address,
      family,
      native: null,
      timer: null,
      onBatch (batch: any[]) {
        if (attempt.native !== null && conn.native === attempt.native) {
          conn.onBatch(batch)
        } else if (batch[0] === Ev.CONNECT) {
          if (conn.attempts[conn.current] === attempt) conn.onAttemptConnected(attempt, batch[1])
          else if (batch[1] === 0) attempt.native?.close()  // connected after its turn was over
        }
      },
    }
    return attempt
  }

  private nextAttempt (): void {
    const socket = this.socket
    if (!socket.connecting) return
    if (++this.current >= this.attempts.length) {
      destroyWith(socket, this.attempts.length > 1 ? aggregate(this.errors) : this.errors[0])
      return
    }
    const attempt = this.attempts[this.current]
    const multiple = this.attempts.length > 1
    if (multiple) {
      socket.emit('connectionAttempt', attempt.address, this.port, attempt.family)
      ;(socket as any).autoSelectFamilyAttemptedAddresses.push(`${attempt.address}:${this.port}`)
    }
    const r = binding.connect(attempt, attempt.family, attempt.address, this.port, this.localAddress)
    if (typeof r === 'number') {
      this.errors.push(this.connectError(r, attempt))
      this.nextAttempt()
      return
    }
    attempt.native = r
    if (multiple && this.current < this.attempts.length - 1) {
      attempt.timer = setTimeout(() => this.attemptTimedOut(attempt), this.attemptTimeout)
    }
  }

  private attemptTimedOut (attempt: Attempt): void {
    attempt.timer = null
    this.socket.emit('connectionAttemptTimeout', attempt.address, this.port, attempt.family)
    this.errors.push(this.connectError(UV_ETIMEDOUT, attempt))
    attempt.native?.close()
    this.nextAttempt()
  }

  private connectError (errno: number, attempt: Attempt): Error {
    if (attempt.family === 0) return exceptionWithHostPort(errno, 'connect', attempt.address)
    return exceptionWithHostPort(errno, 'connect', attempt.address, this.port)
  }

  private onAttemptConnected (attempt: Attempt, status: number): void {
    const socket = this.socket
    if (attempt.timer) {
      clearTimeout(attempt.timer)
      attempt.timer = null
    }
    const native = attempt.native as NativeConnection
    if (!socket.connecting) {
      native.close()
      return
    }
    if (status !== 0) {
      native.close()
      const err = this.connectError(status, attempt)
      this.errors.push(err)
      if (this.attempts.length > 1) {
        socket.emit('connectionAttemptFailed', attempt.address, this.port, attempt.family, err)
        if (status === UV_ECANCELED) this.current = this.attempts.length - 1
      }
      this.nextAttempt()
      return
    }
    this.native = native
    this.applySetup(native)
    this.pending.applyTo(native)
    socket.connecting = false
    socket._unrefTimer()
    socket.emit('connect')
    socket.emit('ready')
  }

  /** The socket was destroyed before a connection was established. */
  closeUnconnected (): void {
    if (this.closed) return
    this.closed = true
    for (const a of this.attempts) {
      if (a.timer) clearTimeout(a.timer)
      a.timer = null
      a.native?.close()
    }
    // As a real close: after the destroy's 'error' (a nextTick), like the
    // libuv close callback would be.
    setImmediate(() => this.onClose())
  }

  // ---- the batch ---------------------------------------------------------------

  onBatch (batch: any[]): void {
    const socket = this.socket
    if (socket.timeout) socket._unrefTimer()
    readBatch(this, batch)
  }

  // ---- BatchReader: one method per record ----------------------------------------

  onHead (status: number, message: string, rawHeaders: string[], major: number, minor: number, flags: number): void {
    const p = this.parser
    if (p === null) {
      // A response nobody asked for (on an idle pooled connection, or after
      // the one expected): the connection cannot be trusted any more.
      this.socket.destroy()
      return
    }
    p.onHead(status, message, rawHeaders, major, minor, flags)
    if ((flags & HeadFlag.UPGRADE) === 0) return
    // The engine parses no more: what follows the head is the new protocol's.
    this.upgraded = true
    this.parser = null
    this.upgrading = p
  }

  onUpgrade (ended: boolean, head: Buffer): void {
    const p = this.upgrading
    this.upgrading = null
    if (p !== null) p.onUpgrade(head, ended)
  }

  onBody (chunk: Buffer): void {
    if (this.parser !== null) this.parser.onBody(chunk)
  }

  onMessageEnd (rawTrailers: string[] | null): void {
    if (this.parser !== null) this.parser.onEnd(rawTrailers)
  }

  onParseError (code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): void {
    // A message cut short by the server closing: that is for the EOF that
    // follows to report ('socket hang up', or the response's 'aborted').
    if (rawPacket === undefined) return
    const p = this.parser
    if (p !== null) p.onParseError(parseError(code, reason, bytesParsed, rawPacket))
    else this.socket.destroy()
  }

  onIoError (errno: number, syscall: string): void {
    this.socket.destroy(errnoException(errno, syscall))
  }

  onData (chunk: Buffer): void {
    const socket = this.socket
    if (this.upgraded && !socket.destroyed && !socket.push(chunk)) this.pauseReading()
  }

  /** The attempts see their CONNECT records (makeAttempt); none reaches the connection. */
  onConnect (): void {}

  onEof (): void {
    const socket = this.socket
    if (this.upgraded) {
      socket.onNativeEnd()
      return
    }
    if (this.parser !== null) {
      this.parser.onEof()
      return
    }
    // Nothing expected: as a net.Socket without allowHalfOpen, end our side too.
    if (socket.destroyed) return
    socket.onNativeEnd()
    socket.end()
  }

  onDrain (): void {
    const cbs = this.drainCallbacks
    if (cbs.length === 0) return
    this.drainCallbacks = []
    for (let i = 0; i < cbs.length; i++) cbs[i]()
  }

  onClose (): void {
    this.closed = true
    const cbs = this.drainCallbacks
    if (cbs.length !== 0) {
      // Writes the kernel never took fail as Node's do (an Error costs a stack capture: only when needed).
      this.drainCallbacks = []
      const err = errnoException(-32 /* EPIPE */, 'write')
      for (let i = 0; i < cbs.length; i++) cbs[i](err)
    }
    this.socket.onNativeClose()
  }
}

function destroyWith (socket: Socket, err: Error): void {
  socket.destroy(err)
}

function dnsFamily (family: unknown): number {
  switch (family) {
    case 'IPv4': return 4
    case 'IPv6': return 6
    default: return (family as number) || 0
  }
}

function codedError (Base: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, code: string, message: string): NodeError {
  const err = new Base(message) as NodeError
  err.code = code
  return err
}

/** Node's NodeAggregateError for a Happy Eyeballs failure: code of the first error. */
function aggregate (errors: Error[]): Error {
  if (errors.length === 0) {
    return codedError(Error, 'ERR_SOCKET_CONNECTION_TIMEOUT', 'Socket connection timeout')
  }
  const err = new AggregateError(errors) as AggregateError & { code?: string }
  err.code = (errors[0] as NodeError).code
  return err
}

/**
 * net.createConnection() for the engine: returns a connecting socket at
 * once; `cb` becomes a 'connect' listener. Options are net's: host, port,
 * path (Unix socket), localAddress, family, hints, lookup, timeout, noDelay,
 * keepAlive, keepAliveInitialDelay, autoSelectFamily(AttemptTimeout).
 */
export function connect (options: any, cb?: () => void): ClientSocket {
  const conn = new ClientConnection(options)
  const socket = conn.socket
  if (options.timeout) socket.setTimeout(options.timeout)
  if (options.noDelay) socket.setNoDelay(true)
  if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveInitialDelay)
  if (typeof cb === 'function') socket.once('connect', cb)
  const path = options.path
  if (path) {
    if (typeof path !== 'string') throw ERR_INVALID_ARG_TYPE('options.path', 'string', path)
    conn.connectPipe(path)
    return socket
  }
  const localAddress = options.localAddress
  if (localAddress && !net.isIP(localAddress)) {
    throw codedError(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${localAddress}`)
  }
  let port = options.port
  if (port !== undefined) {
    if (typeof port !== 'number' && typeof port !== 'string') {
      throw ERR_INVALID_ARG_TYPE('options.port', ['number', 'string'], port)
    }
    const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
      throw ERR_SOCKET_BAD_PORT('Port', port)
    }
    port = n
  }
  conn.connectTcp(options.host || 'localhost', port | 0, options)
  return socket
}

/**
 * The engine connection that parses responses for a socket; null for a
 * socket someone else made, or one that left HTTP (an upgrade or CONNECT
 * tunnel reused as the socket of another request is read as a plain stream).
 */
export function connectionOf (socket: unknown): ClientConnection | null {
  if (!(socket instanceof ClientSocket)) return null
  const conn = socket[kOwner] as ClientConnection
  return conn.upgraded ? null : conn
}
