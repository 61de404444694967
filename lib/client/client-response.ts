// The response side of a ClientRequest: what Node's _http_client.js does in
// parserOnIncomingClient, socketOnData, socketOnEnd and the socket listeners
// it installs (close, error, drain, timeout), rewritten around a
// ResponseParser that the engine's connection feeds (lib/client/client-connection.ts)
// instead of an HTTPParser fed from 'data' events. A socket the engine does
// not own (createConnection, an agent of another module returning a
// net.Socket or a TLS socket) is fed to the engine's parser in response mode
// (binding.Parser: the same llhttp wrapper, limits, HEAD/CONNECT/1xx rules
// and batch records), whose records reach the same ResponseParser, so both
// paths behave the same from here on.
import { ClientConnection, connectionOf, ResponseSink } from './client-connection'
import { binding, NativeParser } from '../engine/binding'
import { BatchReader, readBatch } from '../engine/batch-reader'
import { DEFAULT_MAX_HEADER_SIZE, HeadFlag, ParserMode } from '../engine/constants'
import { clientRequestError, clientResponseFinish } from '../common/channels'
import { connResetException, parseError, ParseError } from '../common/errors'
import { keptHeaderCount, keptHeaderLines, maxHeaderEntries, parserHeaderEntries } from '../common/headers'
import { IncomingMessage } from '../common/incoming-message'
import { kNeedDrain } from '../common/node-internals'
import { answerLateConnectListeners, kOwner } from '../engine/socket'

// Node's --insecure-http-parser switch (the default of insecureHTTPParser).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const common = require('_http_common')

export function emitErrorEvent (req: any, err: Error): void {
  if (clientRequestError.hasSubscribers) clientRequestError.publish({ request: req, error: err })
  req.emit('error', err)
}

/** 1xx except 101: an interim answer, the final one follows (RFC 9110 15.2). */
function statusIsInformational (status: number): boolean {
  return status < 200 && status >= 100 && status !== 101
}

/**
 * One request's view of the response being parsed (Node's parser plus
 * parserOnIncomingClient). It is detached once the response is complete.
 */
class ResponseParser implements ResponseSink {
  /** The message being parsed (Node's parser.incoming). */
  incoming: any = null
  /** The message being parsed is a 1xx: its end is not the response's. */
  interim = false
  /** An upgrade/CONNECT head arrived: the connection is leaving HTTP. */
  upgrading = false
  upgradeEnded = false
  freed = false
  /** Node's parser.maxHeaderPairs: entries kept of the response's header lines (0 or less: all). */
  maxHeaderPairs = maxHeaderEntries(null)
  joinDuplicateHeaders: boolean | undefined

  constructor (readonly req: any, readonly socket: any, readonly conn: ClientConnection | null) {}

  /** Called once the request has set its limits; the foreign parser starts listening here. */
  start (): void {}

  /** Returns what Node's onIncoming returns: 0, 1 (skip the body) or 2 (upgrade). */
  onHead (status: number, message: string, raw: string[], major: number, minor: number, flags: number): number {
    const res = new IncomingMessage(this.socket) as any
    res.httpVersionMajor = major
    res.httpVersionMinor = minor
    res.httpVersion = major === 1 && minor === 1 ? '1.1' : `${major}.${minor}`
    res.joinDuplicateHeaders = this.joinDuplicateHeaders
    res.url = ''
    res.upgrade = (flags & HeadFlag.UPGRADE) !== 0
    raw = keptHeaderLines(raw, this.maxHeaderPairs)
    res._addHeaderLines(raw, keptHeaderCount(raw, this.maxHeaderPairs))
    res.statusCode = status
    res.statusMessage = message
    this.incoming = res
    return this.onIncoming(res, (flags & HeadFlag.KEEP_ALIVE) !== 0)
  }

  // parserOnIncomingClient
  private onIncoming (res: any, shouldKeepAlive: boolean): number {
    const socket = this.socket
    const req = this.req
    if (req.res) {
      // A second response to one request: the server is confused.
      socket.destroy()
      return 0
    }
    req.res = res
    if (res.upgrade) {
      this.upgrading = true
      return 2
    }
    if (statusIsInformational(res.statusCode)) {
      req.res = null
      this.interim = true
      if (res.statusCode === 100) req.emit('continue')
      req.emit('information', {
        statusCode: res.statusCode,
        statusMessage: res.statusMessage,
        httpVersion: res.httpVersion,
        httpVersionMajor: res.httpVersionMajor,
        httpVersionMinor: res.httpVersionMinor,
        headers: res.headers,
        rawHeaders: res.rawHeaders,
      })
      return 1
    }
    // Keep-alive needs the server's consent, and never survives an upgrade.
    if (req.shouldKeepAlive && !shouldKeepAlive && !req.upgradeOrConnect) req.shouldKeepAlive = false
    if (clientResponseFinish.hasSubscribers) clientResponseFinish.publish({ request: req, response: res })
    req.res = res
    res.req = req
    // Ours first, so the socket is cleaned up whatever the user's handlers do.
    res.on('end', responseOnEnd)
    req.on('finish', requestOnFinish)
    socket.on('timeout', responseOnTimeout)
    // Nobody listens: nobody can read it, so let it drain away.
    if (req.aborted || !req.emit('response', res)) res._dump()
    if (req.method === 'HEAD') return 1
    if (res.statusCode === 304) {
      res.complete = true
      return 1
    }
    return 0
  }

  onBody (chunk: Buffer): void {
    const res = this.incoming
    if (res === null || this.interim || res._dumped) return
    if (!res.push(chunk)) this.pauseReading()
  }

  onEnd (rawTrailers: string[] | null): void {
    if (this.upgrading) {
      this.upgradeEnded = true
      return
    }
    const res = this.incoming
    if (res !== null) {
      res.complete = true
      if (rawTrailers !== null && rawTrailers.length) res._addHeaderLines(rawTrailers, rawTrailers.length)
      res.push(null)
    }
    this.resumeReading()
    if (this.interim) {
      this.interim = false
      this.incoming = null
      return
    }
    // The response is all here: this request's parsing is done (socketOnData).
    this.socket.removeListener('drain', ondrain)
    this.free()
  }

  onUpgrade (head: Buffer, ended: boolean): void {
    const req = this.req
    const socket = this.socket
    const res = this.incoming
    if ((ended || this.upgradeEnded) && res !== null) {
      res.complete = true
      res.push(null)
    }
    this.free()
    if (socket.destroyed) return
    req.res = res
    socket.removeListener('drain', ondrain)
    if (req.timeoutCb) socket.removeListener('timeout', req.timeoutCb)
    socket.removeListener('timeout', responseOnTimeout)
    const eventName = req.method === 'CONNECT' ? 'connect' : 'upgrade'
    if (req.listenerCount(eventName) > 0) {
      req.upgradeOrConnect = true
      // The socket leaves the agent's pool and HTTP: it is the caller's now.
      socket.emit('agentRemove')
      socket.removeListener('close', socketCloseListener)
      socket.removeListener('error', socketErrorListener)
      socket._httpMessage = null
      socket.readableFlowing = null
      // tls.connect({ socket }) over the tunnel waits for a 'connect' the
      // engine's socket (connected, handle kept natively) would never emit.
      if (socket[kOwner] !== undefined) answerLateConnectListeners(socket)
      req.emit(eventName, res, socket, head)
      req.destroyed = true
      req._closed = true
      req.emit('close')
    } else {
      // An upgrade or tunnel nobody takes: close it.
      socket.destroy()
    }
  }

  onParseError (err: ParseError): void {
    const socket = this.socket
    this.free()
    socket.destroy()
    socket._hadError = true
    emitErrorEvent(this.req, err)
  }

  // socketOnEnd: the server closed its side.
  onEof (): void {
    const socket = this.socket
    const req = this.req
    if (!req.res && !socket._hadError) {
      // No response at all: the request failed.
      socket._hadError = true
      emitErrorEvent(req, connResetException('socket hang up'))
    }
    this.free()
    socket.destroy()
  }

  /** Node's freeParser: the request and socket forget this parser. */
  free (): void {
    if (this.freed) return
    this.freed = true
    const conn = this.conn
    if (conn !== null && conn.parser === this) conn.parser = null
    if (this.req.parser === this) this.req.parser = null
    if (this.socket.parser === this) this.socket.parser = null
  }

  protected pauseReading (): void {
    this.conn!.pauseReading()
  }

  protected resumeReading (): void {
    this.conn!.resumeReading()
  }
}

/**
 * A socket the engine does not own: its 'data' goes through the engine's
 * parser in response mode, and the records that come back reach the same
 * ResponseParser methods the engine's batches do (SocketRecords, as
 * ClientConnection passes them on). One parser per request, as Node
 * allocates one per request from its pool.
 */
class ForeignResponseParser extends ResponseParser {
  private readonly parser: NativeParser
  private readonly records: SocketRecords

  constructor (req: any, socket: any, lenient: boolean) {
    super(req, socket, null)
    const parser = this.parser = new binding.Parser(ParserMode.RESPONSE)
    // Refuses a response framed by a header past maxHeadersCount, as the engine's connections do.
    parser.setLimits(req.maxHeaderSize || DEFAULT_MAX_HEADER_SIZE, parserHeaderEntries(req.maxHeadersCount), lenient)
    if (req.method === 'HEAD') parser.expectNoBody()
    if (req.method === 'CONNECT') parser.expectUpgrade()
    this.records = new SocketRecords(this)
    this.onData = this.onData.bind(this)
    this.onSocketEnd = this.onSocketEnd.bind(this)
  }

  override start (): void {
    this.socket.on('data', this.onData)
    this.socket.on('end', this.onSocketEnd)
  }

  // socketOnData
  private onData (data: unknown): void {
    if (this.freed) return
    // Node refuses setEncoding on a socket it reads (ERR_HTTP_SOCKET_ENCODING);
    // a Duplex that yields strings anyway has them encoded back.
    const chunk = data instanceof Uint8Array ? data : Buffer.from(String(data))
    const batch = this.parser.execute(chunk, false)
    if (batch !== undefined) readBatch(this.records, batch)
  }

  private onSocketEnd (): void {
    // A body delimited by the close completes here (or stays incomplete).
    if (!this.freed) readBatch(this.records, this.parser.finish())
  }

  override free (): void {
    if (this.freed) return
    super.free()
    this.socket.removeListener('data', this.onData)
    this.socket.removeListener('end', this.onSocketEnd)
  }

  protected override pauseReading (): void {
    this.socket.pause()
  }

  protected override resumeReading (): void {
    const socket = this.socket
    if (!socket._paused && socket.readable) socket.resume()
  }
}

/** The records of a foreign socket's parser, passed on to its request's ResponseParser. */
class SocketRecords implements BatchReader {
  constructor (private readonly sink: ForeignResponseParser) {}

  onHead (status: number, message: string, raw: string[], major: number, minor: number, flags: number): void {
    // A response after the one expected: the socket cannot be trusted.
    if (this.sink.freed) this.sink.socket.destroy()
    else this.sink.onHead(status, message, raw, major, minor, flags)
  }

  onUpgrade (ended: boolean, head: Buffer): void {
    this.sink.onUpgrade(head, ended)
  }

  onBody (chunk: Buffer): void {
    if (!this.sink.freed) this.sink.onBody(chunk)
  }

  onMessageEnd (rawTrailers: string[] | null): void {
    if (!this.sink.freed) this.sink.onEnd(rawTrailers)
  }

  onParseError (code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): void {
    // A message cut short by the close: the EOF that follows reports it.
    if (rawPacket !== undefined && !this.sink.freed) this.sink.onParseError(parseError(code, reason, bytesParsed, rawPacket))
  }

  onEof (): void {
    if (!this.sink.freed) this.sink.onEof()
  }

  // Records only a connection of the engine's own produces.
  onData (): void {}
  onDrain (): void {}
  onIoError (): void {}
  onClose (): void {}
  onConnect (): void {}
}

/** tickOnSocket's parser set-up: the engine's connection, or Node's parser for a foreign socket. */
export function attachResponseParser (req: any, socket: any): void {
  const lenient: boolean = req.insecureHTTPParser === undefined ? common.isLenient() : req.insecureHTTPParser
  const conn = connectionOf(socket)
  const parser = conn !== null ? new ResponseParser(req, socket, conn) : new ForeignResponseParser(req, socket, lenient)
  parser.maxHeaderPairs = maxHeaderEntries(req.maxHeadersCount)
  parser.joinDuplicateHeaders = req.joinDuplicateHeaders
  req.parser = parser
  socket.parser = parser
  if (conn !== null) {
    conn.parser = parser
    conn.prepareResponse(req.maxHeaderSize || DEFAULT_MAX_HEADER_SIZE, parserHeaderEntries(req.maxHeadersCount), lenient,
      req.method === 'HEAD', req.method === 'CONNECT')
  }
  parser.start()
}

// ---- socket listeners (this = the socket) -------------------------------------

export function ondrain (this: any): void {
  const msg = this._httpMessage
  if (msg && !msg.finished && msg[kNeedDrain]) {
    msg[kNeedDrain] = false
    msg.emit('drain')
  }
}

export function socketCloseListener (this: any): void {
  const socket = this
  const req = socket._httpMessage
  const parser = socket.parser
  const res = req.res
  req.destroyed = true
  if (res) {
    // Closed before the response ended.
    if (!res.complete) res.destroy(connResetException('aborted'))
    req._closed = true
    req.emit('close')
    if (!res.aborted && res.readable) res.push(null)
  } else {
    if (!socket._hadError) {
      // Closed before any response: the error belongs to the request.
      socket._hadError = true
      emitErrorEvent(req, connResetException('socket hang up'))
    }
    req._closed = true
    req.emit('close')
  }
  // What was not written yet never will be.
  if (req.outputData) req.outputData.length = 0
  if (parser) parser.free()
}

export function socketErrorListener (this: any, err: Error): void {
  const socket = this
  const req = socket._httpMessage
  if (req) {
    // Later errors of this socket must not reach the request again.
    socket._hadError = true
    emitErrorEvent(req, err)
  }
  const parser = socket.parser
  if (parser) parser.free()
  socket.destroy()
}

export function emitRequestTimeout (this: any): void {
  const req = this._httpMessage
  if (req) req.emit('timeout')
}

function responseOnTimeout (this: any): void {
  const req = this._httpMessage
  if (!req) return
  const res = req.res
  if (!res) return
  res.emit('timeout')
}

// ---- the end of a response, and keep-alive ----------------------------------------

function responseOnEnd (this: any): void {
  const req = this.req
  const socket = req.socket
  if (socket) {
    if (req.timeoutCb) socket.removeListener('timeout', emitRequestTimeout)
    socket.removeListener('timeout', responseOnTimeout)
  }
  req._ended = true
  if (!req.shouldKeepAlive) {
    if (socket.writable) {
      if (typeof socket.destroySoon === 'function') socket.destroySoon()
      else socket.end()
    }
  } else if (req.writableFinished && !this.aborted) {
    // The whole request has left and the whole response arrived: the socket
    // can serve the next request.
    responseKeepAlive(req)
  }
}

// The response may be complete before the request body has been sent.
function requestOnFinish (this: any): void {
  if (this.shouldKeepAlive && this._ended) responseKeepAlive(this)
}

function responseKeepAlive (req: any): void {
  const socket = req.socket
  if (req.timeoutCb) {
    socket.setTimeout(0, req.timeoutCb)
    req.timeoutCb = null
  }
  socket.removeListener('close', socketCloseListener)
  socket.removeListener('error', socketErrorListener)
  // 'free' (the agent takes the socket back) after the user's 'end' handlers.
  process.nextTick(emitFreeNT, req)
  req.destroyed = true
  // The response must not destroy a socket that now belongs to the pool.
  if (req.res) req.res.socket = null
}

function emitFreeNT (req: any): void {
  req._closed = true
  req.emit('close')
  if (req.socket) req.socket.emit('free')
}
