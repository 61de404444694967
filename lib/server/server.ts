// Server: Node's http.Server API over the engine's Listener. It is a
// net.Server (as Node's is, so instanceof holds) whose listening handle lives
// in the addon: net.Server's own listen/close/address/ref/unref run over
// server._handle, a ListenHandle (lib/server/listen.ts makes it); the
// connection bookkeeping is the engine's, the rest (events, options,
// timeouts) follows Node 20.
import * as http from 'http'
import * as net from 'net'
import { NativeConnection, NativeListener } from '../engine/binding'
import { kOnConnection } from '../engine/dispatch'
import * as errors from '../common/errors'
import { IncomingMessage } from '../common/incoming-message'
import { adaptApplication } from './adapt-prototypes'
import { JsConnection } from './js-connection'
import { ServerConnection, ServerLike } from './server-connection'
import { ServerResponse } from './server-response'
import { kOwner, Socket } from '../engine/socket'
import { KeepAliveSweep } from './keep-alive-sweep'
import { ListenHandle } from './listen-handle'
import { listen, refreshLimits, setupListenHandle } from './listen'
import { kCheckTimer, kConnections, kForeignConnections, kIncomingMessage, kKeepAliveSweep, kLeanRequests, kLeanResponses, kListener, kServerResponse } from './symbols'
import { kUniqueHeaders, parseUniqueHeadersOption } from '../common/node-internals'

export interface Server extends ServerLike {}

/** This Node line has the keepAliveTimeoutBuffer server option. */
const KEEP_ALIVE_BUFFER_OPTION = 'keepAliveTimeoutBuffer' in new http.Server()
/** Node's own classes (nodeObjects), read once: under uvhttp/register, `http.X` becomes uvhttp's. */
const NodeIncomingMessage = http.IncomingMessage
const NodeServerResponse = http.ServerResponse

function validateTimeout (name: string, value: unknown, def: number): number {
  if (value === undefined) return def
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw errors.ERR_OUT_OF_RANGE(name, '>= 0', value)
  }
  return value
}

/** http.Server([options][, requestListener]); callable with or without `new`. */
export const Server = function Server (this: Server, options?: any, requestListener?: (...args: any[]) => void) {
  if (!(this instanceof Server)) return new (Server as any)(options, requestListener)
  if (typeof options === 'function') {
    requestListener = options
    options = {}
  } else if (options == null || typeof options === 'object') {
    options = { ...options }
  } else {
    throw errors.ERR_INVALID_ARG_TYPE('options', 'object', options)
  }
  // nodeObjects: Node's own request and response classes, for applications
  // that re-parent them onto Node's prototypes by means of their own.
  const nodeObjects = options.nodeObjects === true
  const Request = options.IncomingMessage || (nodeObjects ? NodeIncomingMessage : IncomingMessage)
  this[kIncomingMessage] = Request
  this[kLeanRequests] = Request === IncomingMessage || Request.prototype instanceof IncomingMessage
  const Response = options.ServerResponse || (nodeObjects ? NodeServerResponse : ServerResponse)
  this[kServerResponse] = Response
  this[kLeanResponses] = Response === ServerResponse || Response.prototype instanceof ServerResponse
  const maxHeaderSize = options.maxHeaderSize
  if (maxHeaderSize !== undefined && (!Number.isInteger(maxHeaderSize) || maxHeaderSize < 0)) {
    throw errors.ERR_OUT_OF_RANGE('options.maxHeaderSize', '>= 0', maxHeaderSize)
  }
  this.maxHeaderSize = maxHeaderSize
  this.insecureHTTPParser = options.insecureHTTPParser
  this.requestTimeout = validateTimeout('requestTimeout', options.requestTimeout, 300_000)
  this.headersTimeout = validateTimeout('headersTimeout', options.headersTimeout, Math.min(60_000, this.requestTimeout))
  if (this.requestTimeout > 0 && this.headersTimeout > 0 && this.headersTimeout > this.requestTimeout) {
    throw errors.ERR_OUT_OF_RANGE('http.Server.headersTimeout', '<= http.Server.requestTimeout', this.headersTimeout)
  }
  this.keepAliveTimeout = validateTimeout('keepAliveTimeout', options.keepAliveTimeout, 5000)
  // Node 22.?+ lets the grace after keepAliveTimeout be chosen; Node 20 has a fixed second.
  if (KEEP_ALIVE_BUFFER_OPTION) this.keepAliveTimeoutBuffer = validateTimeout('keepAliveTimeoutBuffer', options.keepAliveTimeoutBuffer, 1000)
  this.connectionsCheckingInterval = validateTimeout('connectionsCheckingInterval', options.connectionsCheckingInterval, 30_000)
  this.requireHostHeader = options.requireHostHeader ?? true
  this.joinDuplicateHeaders = options.joinDuplicateHeaders
  this.rejectNonStandardBodyWrites = options.rejectNonStandardBodyWrites ?? false
  // Names whose array values go on one line ('; '-joined); each response gets the set (Node's slot).
  this[kUniqueHeaders] = parseUniqueHeadersOption(options.uniqueHeaders)
  ;(net.Server as any).call(this, {
    allowHalfOpen: true,
    noDelay: options.noDelay ?? true,
    keepAlive: options.keepAlive,
    keepAliveInitialDelay: options.keepAliveInitialDelay,
    highWaterMark: options.highWaterMark,
  })
  this.httpAllowHalfOpen = false
  this.timeout = 0
  this.maxHeadersCount = null
  this.maxRequestsPerSocket = 0
  this[kConnections] = new Set<ServerConnection>()
  this[kKeepAliveSweep] = new KeepAliveSweep()
  // Sockets the application hands over (Node's connectionListener); they do
  // not count as the listener's connections (net.Server#_connections). As
  // Node's ConnectionsList, the set exists from the first 'listening' on:
  // before that, handed-over sockets are not tracked (no timeouts sweep,
  // closeIdleConnections/closeAllConnections leave them alone).
  this[kForeignConnections] = null
  this.on('connection', onConnectionEvent)
  this[kCheckTimer] = null
  // Upgrade requests leave the parser only when someone listens for them.
  this.on('newListener', onNewListener)
  this.on('removeListener', onRemoveListener)
  if (requestListener) this.on('request', requestListener)
} as unknown as { new (options?: any, requestListener?: any): Server, (options?: any, requestListener?: any): Server, prototype: Server }

Object.setPrototypeOf(Server.prototype, net.Server.prototype)
Object.setPrototypeOf(Server, net.Server)

/**
 * server.emit('connection', socket): HTTP over a socket the application
 * brought (a TLS socket, a net.Socket, any Duplex). The engine announces its
 * own sockets with the same event; those are served already — unless
 * 'upgrade'/'connect' handed one over, after which it is the application's
 * to bring (HTTP inside a CONNECT tunnel, on this server or another).
 */
function onConnectionEvent (this: Server, socket: any): void {
  if (socket instanceof Socket) {
    const owner = socket[kOwner]
    if (owner instanceof ServerConnection && owner.server === this && !owner.upgraded) return
  }
  // eslint-disable-next-line no-new
  new JsConnection(this, socket)
}

/** A listener for `event` other than uvhttp's own `ours`. */
function hasUserListener (server: Server, event: string, ours: Function): boolean {
  const listeners = server._events?.[event]
  if (listeners === undefined) return false
  if (typeof listeners === 'function') return listeners !== ours
  return listeners.length > 1 || listeners[0] !== ours
}

/** The engine's listener while the server listens (server._handle is a ListenHandle). */
function listenerOf (server: Server): NativeListener | null {
  const handle = server._handle
  return handle instanceof ListenHandle ? handle[kListener] : null
}

function onNewListener (this: Server, event: string | symbol, listener: unknown): void {
  if (event === 'upgrade') listenerOf(this)?.setUpgrade(true)
  // An Express-style application: its prototypes are rebuilt on ours (lib/server/adapt-prototypes.ts).
  else if (event === 'request') adaptApplication(listener, this[kLeanRequests] ? this[kIncomingMessage] : null, this[kLeanResponses] ? this[kServerResponse] : null)
}
function onRemoveListener (this: Server, event: string | symbol): void {
  if (event === 'upgrade') listenerOf(this)?.setUpgrade(this.listenerCount('upgrade') > 0)
}

const proto = Server.prototype

/** The engine accepted a connection on this server's listener (lib/engine/dispatch.ts). */
;(proto as any)[kOnConnection] = function onConnection (this: Server, native: NativeConnection) {
  // The connection's parser starts after this returns, with the listener's limits.
  refreshLimits(this, listenerOf(this))
  const conn = new ServerConnection(this, native)
  // Node makes a parser resource per connection before any 'connection'
  // listener runs: its requests see the store of that moment, whatever a
  // listener enters (on Node 20 and 22 stores live on resources, and one
  // entered in a 'connection' listener stays on the server's).
  native.adoptAsyncContext(conn)
  this[kConnections].add(conn)
  // The socket facade is made for those who listen (DESIGN.md #5).
  if (hasUserListener(this, 'connection', onConnectionEvent)) this.emit('connection', conn.getSocket())
  return conn
}

proto.setTimeout = function setTimeout (this: Server, msecs: number, callback?: () => void) {
  this.timeout = msecs
  if (callback) this.on('timeout', callback)
  return this
}

proto.listen = listen

proto._listen2 = function _listen2 (this: Server, ...args: Parameters<typeof setupListenHandle>) {
  if (setupListenHandle.apply(this, args)) startConnectionChecks(this)
}

// headersTimeout / requestTimeout are checked on an interval, as Node does
// (connectionsCheckingInterval), rather than with a timer per request.
function startConnectionChecks (server: Server): void {
  if (!server[kForeignConnections]) server[kForeignConnections] = new Set<ServerConnection>()
  if (server[kCheckTimer]) clearInterval(server[kCheckTimer])
  if (!server.connectionsCheckingInterval) return
  server[kCheckTimer] = setInterval(checkConnections, server.connectionsCheckingInterval, server).unref()
}

function checkConnections (server: Server): void {
  const headersTimeout = server.headersTimeout
  const requestTimeout = server.requestTimeout
  if (headersTimeout === 0 && requestTimeout === 0) return
  for (const conn of server[kConnections] as Set<ServerConnection>) conn.checkTimeouts(headersTimeout, requestTimeout)
  for (const conn of foreignConnections(server)) conn.checkTimeouts(headersTimeout, requestTimeout)
}

function foreignConnections (server: Server): Iterable<ServerConnection> {
  return server[kForeignConnections] ?? []
}

// http.Server's close: the timeouts sweep stops and idle keep-alive
// connections close (Node 19+), then net.Server's (the handle closes, 'close'
// once the last connection is gone: _emitCloseIfDrained).
proto.close = function close (this: Server, cb?: (err?: Error) => void) {
  if (this[kCheckTimer]) {
    clearInterval(this[kCheckTimer])
    this[kCheckTimer] = null
  }
  this.closeIdleConnections()
  net.Server.prototype.close.call(this, cb)
  return this
}

proto._emitCloseIfDrained = function _emitCloseIfDrained (this: Server) {
  if (this._handle || this[kConnections].size > 0) return
  process.nextTick(() => this.emit('close'))
}

/** A connection closed natively (ServerConnection#onClose). */
proto.forgetConnection = function forgetConnection (this: Server, conn: ServerConnection) {
  this[kConnections].delete(conn)
  if (!this._handle && this[kConnections].size === 0) this._emitCloseIfDrained()
}

// Both leave alone a socket that 'upgrade'/'connect' took (Node's parser,
// which these walk, is freed at the hand-over).
proto.closeAllConnections = function closeAllConnections (this: Server) {
  for (const conn of this[kConnections] as Set<ServerConnection>) {
    if (!conn.upgraded) conn.destroy()
  }
  for (const conn of foreignConnections(this)) conn.destroy()
}

proto.closeIdleConnections = function closeIdleConnections (this: Server) {
  for (const conn of this[kConnections] as Set<ServerConnection>) {
    if (conn.isIdle()) conn.destroy()
  }
  for (const conn of foreignConnections(this)) {
    if (conn.isIdle()) conn.destroy()
  }
}

proto.getConnections = function getConnections (this: Server, cb: (err: Error | null, count: number) => void) {
  const n = this[kConnections].size
  process.nextTick(() => cb(null, n))
  return this
}

;(proto as any)[Symbol.asyncDispose] = function asyncDispose (this: Server) {
  return new Promise<void>((resolve, reject) => {
    if (!this._handle) return resolve()
    this.close((err) => (err ? reject(err) : resolve()))
  })
}
