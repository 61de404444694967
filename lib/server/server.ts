// Server: Node's http.Server API over the engine's Listener. It is a
// net.Server (as Node's is, so instanceof holds) whose listening handle lives
// in the addon; listen/close/address and the connection bookkeeping are
// overridden, the rest (events, options, timeouts) follows Node 20.
import * as dns from 'dns'
import * as net from 'net'
import { binding, NativeConnection, NativeListener } from '../engine/binding'
import { DEFAULT_MAX_HEADER_SIZE } from '../engine/constants'
import { kOnConnection } from '../engine/dispatch'
import * as errors from '../common/errors'
import { parserHeaderEntries } from '../common/headers'
import { IncomingMessage } from '../common/incoming-message'
import { JsConnection } from './js-connection'
import { ServerConnection, ServerLike } from './server-connection'
import { ServerResponse } from './server-response'
import { kOwner, Socket } from '../engine/socket'
import { ListenHandle } from './listen-handle'
import { kCheckTimer, kConnections, kForeignConnections, kIncomingMessage, kListener, kParserLimits, kServerResponse } from './symbols'
import { kUniqueHeaders, parseUniqueHeadersOption } from '../common/node-internals'

export interface Server extends ServerLike {}

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
  this[kIncomingMessage] = options.IncomingMessage || IncomingMessage
  this[kServerResponse] = options.ServerResponse || ServerResponse
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
  if (requestListener) this.on('request', requestListener)
  this.httpAllowHalfOpen = false
  this.timeout = 0
  this.maxHeadersCount = null
  this.maxRequestsPerSocket = 0
  this[kConnections] = new Set<ServerConnection>()
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

/** The engine's listener while the server listens (server._handle is a ListenHandle). */
function listenerOf (server: Server): NativeListener | null {
  const handle = server._handle
  return handle instanceof ListenHandle ? handle[kListener] : null
}

function onNewListener (this: Server, event: string | symbol): void {
  if (event === 'upgrade') listenerOf(this)?.setUpgrade(true)
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
  this.emit('connection', conn.socket)
  return conn
}

proto.setTimeout = function setTimeout (this: Server, msecs: number, callback?: () => void) {
  this.timeout = msecs
  if (callback) this.on('timeout', callback)
  return this
}

function toPort (port: unknown): number {
  if (port === undefined || port === null) return 0
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw errors.ERR_SOCKET_BAD_PORT('options.port', port)
  }
  return n
}

interface ListenPlan {
  path?: string
  fd?: number
  /** A handle taken over from another server (listen(handle)): closed once ours listens. */
  handle?: { close?: () => void }
  port: number
  host?: string
  backlog: number
  ipv6Only: boolean
}

/** The many shapes of listen() (net.Server#listen), reduced to one plan. */
function planListen (args: unknown[]): ListenPlan {
  const a0 = args[0] as any
  const backlogOf = (v: unknown): number => (typeof v === 'number' && v > 0 ? v : 511)
  if (a0 !== null && typeof a0 === 'object') {
    const handle = a0._handle ?? a0.handle ?? (a0.fd !== undefined ? a0 : undefined)
    if (handle && typeof handle.fd === 'number' && a0.port === undefined && a0.path === undefined) {
      return { fd: handle.fd, handle: handle === a0 && a0.fd !== undefined && typeof a0.close !== 'function' ? undefined : handle, port: 0, backlog: backlogOf(a0.backlog ?? args[1]), ipv6Only: false }
    }
    if (a0.path !== undefined) return { path: String(a0.path), port: 0, backlog: backlogOf(a0.backlog), ipv6Only: false }
    return { port: toPort(a0.port), host: a0.host, backlog: backlogOf(a0.backlog), ipv6Only: !!a0.ipv6Only }
  }
  if (typeof a0 === 'string' && !/^\s*\d+\s*$/.test(a0)) {
    return { path: a0, port: 0, backlog: backlogOf(args[1]), ipv6Only: false }
  }
  const host = typeof args[1] === 'string' ? args[1] : undefined
  return { port: toPort(a0), host, backlog: backlogOf(host === undefined ? args[1] : args[2]), ipv6Only: false }
}

proto.listen = function listen (this: Server, ...args: unknown[]) {
  if (typeof args[args.length - 1] === 'function') this.once('listening', args.pop() as () => void)
  if (this._handle) throw errors.ERR_SERVER_ALREADY_LISTEN()
  const plan = planListen(args)
  if (plan.path !== undefined) {
    bindAndListen(this, 0, plan.path, 0, plan)
  } else if (plan.fd !== undefined) {
    bindAndListen(this, -1, '', 0, plan)
  } else if (plan.host === undefined || plan.host === null) {
    // Node's default: every interface, IPv6 with IPv4 mapped if the host can.
    if (!bindAndListen(this, 6, '::', plan.port, plan, true)) bindAndListen(this, 4, '0.0.0.0', plan.port, plan)
  } else {
    const family = net.isIP(plan.host)
    if (family !== 0) {
      bindAndListen(this, family, plan.host, plan.port, plan)
    } else {
      dns.lookup(plan.host, (err, address, fam) => {
        if (err) this.emit('error', err)
        else bindAndListen(this, fam, address, plan.port, plan)
      })
    }
  }
  return this
}

/**
 * Gives the listener the server's parser limits if they changed since it
 * last got them: Node reads maxHeaderSize (0: the default),
 * maxHeadersCount and insecureHTTPParser for each connection it accepts.
 */
function refreshLimits (server: Server, listener: NativeListener | null): void {
  if (listener === null) return
  const size = server.maxHeaderSize || DEFAULT_MAX_HEADER_SIZE
  const entries = parserHeaderEntries(server.maxHeadersCount)
  const lenient = !!server.insecureHTTPParser
  const last = server[kParserLimits]
  if (last !== null && last.size === size && last.entries === entries && last.lenient === lenient) return
  listener.setLimits(size, entries, lenient)
  server[kParserLimits] = { size, entries, lenient }
}

/**
 * Creates the native listener; on failure emits Node's 'error' on the next
 * tick (or, with quiet, just reports false so the caller can fall back).
 */
function bindAndListen (server: Server, kind: number, where: string, port: number, plan: ListenPlan, quiet = false): boolean {
  const listener: NativeListener = new binding.Listener(server)
  const r = kind === -1 ? listener.open(plan.fd!, plan.backlog) : listener.listen(kind, where, port, plan.backlog, plan.ipv6Only ? 1 : 0)
  if (r !== 0) {
    listener.close()
    if (quiet) return false
    const err = kind === 0 ? errors.uvException(r, 'listen', { path: where }) : errors.uvException(r, 'listen', { address: where, port })
    process.nextTick(() => server.emit('error', err))
    return true
  }
  server[kParserLimits] = null
  refreshLimits(server, listener)
  listener.setUpgrade(server.listenerCount('upgrade') > 0)
  const handle = new ListenHandle(listener)
  // net.Server's unref() before listen() leaves this note for the handle.
  if (server._unref) handle.unref()
  server._handle = handle
  // The engine listens on its own copy of the descriptor; the handle it was
  // taken from must stop accepting, as Node's listen(handle) takes it over.
  if (plan.handle && typeof plan.handle.close === 'function') plan.handle.close()
  startConnectionChecks(server)
  process.nextTick(() => { if (server._handle === handle) server.emit('listening') })
  return true
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

proto.address = function address (this: Server) {
  const listener = listenerOf(this)
  if (!listener) return null
  const out: any = {}
  if (listener.sockName(out) !== 0) return null
  return out.path !== undefined ? out.path : out
}

proto.close = function close (this: Server, cb?: (err?: Error) => void) {
  if (typeof cb === 'function') {
    if (!this._handle) this.once('close', () => cb(errors.ERR_SERVER_NOT_RUNNING()))
    else this.once('close', cb)
  }
  if (this[kCheckTimer]) {
    clearInterval(this[kCheckTimer])
    this[kCheckTimer] = null
  }
  if (this._handle) {
    this._handle.close()
    this._handle = null
  }
  // Node 19+: idle keep-alive connections do not hold the server open.
  this.closeIdleConnections()
  this._emitCloseIfDrained()
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
    if (!conn.upgraded) conn.socket.destroy()
  }
  for (const conn of foreignConnections(this)) conn.socket.destroy()
}

proto.closeIdleConnections = function closeIdleConnections (this: Server) {
  for (const conn of this[kConnections] as Set<ServerConnection>) {
    if (conn.isIdle()) conn.socket.destroy()
  }
  for (const conn of foreignConnections(this)) {
    if (conn.isIdle()) conn.socket.destroy()
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
