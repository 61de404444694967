// ClientRequest: Node's http.ClientRequest over the engine. It is Node's own
// OutgoingMessage underneath (headers, framing, Expect, chunked bodies,
// 'finish' and 'drain' are Node's by construction, as ServerResponse is on
// the server); this file adds what lib/_http_client.js adds: the options,
// the special headers, the agent hand-off (onSocket), timeouts, abort and
// destroy. The response side — what Node's socketOnData/parserOnIncoming
// do — lives in lib/client/client-response.ts.
import * as http from 'http'
import { addAbortSignal, finished } from 'stream'
import { urlToHttpOptions } from 'url'
import { nullPrototypeCopy } from './agent'
import { connect } from './client-connection'
import { attachResponseParser, emitErrorEvent, emitRequestTimeout, ondrain, socketCloseListener, socketErrorListener } from './client-response'
import { proxyOf, rewriteForProxy } from './proxy'
import { flushOutput, writeRaw } from './request-writer'
import { clientRequestCreated, clientRequestStart } from '../common/channels'
import * as errors from '../common/errors'
import { checkIsHttpToken, validateHeaderValue } from '../common/headers'
import { hasChangeFrom } from '../common/node-release'
import { kOutHeaders, kUniqueHeaders, parseUniqueHeadersOption } from '../common/node-internals'

// Read once: `http.X` goes through an import getter on every access.
const NodeOutgoingMessage = http.OutgoingMessage as any
const nodeFinish = NodeOutgoingMessage.prototype._finish
const nodeWriteRaw = NodeOutgoingMessage.prototype._writeRaw
const nodeFlushOutput = NodeOutgoingMessage.prototype._flushOutput

export interface ClientRequest extends http.ClientRequest {
  [key: string | symbol]: any
}

const INVALID_PATH = /[^\u0021-\u00ff]/
/** setTimeout's limit (2^31 - 1 ms), as Node's getTimerDuration. */
const TIMEOUT_MAX = 2 ** 31 - 1
/** The error a request was destroyed with, emitted once the socket is gone. */
const kError = Symbol('uvhttp.clientRequestError')

/** The module object whose `globalAgent` is the default agent (lib/index.ts registers itself). */
let moduleExports: { globalAgent: unknown } = { globalAgent: undefined }

/** Requests take their default agent from `exportsObject.globalAgent` as it is when they are made. */
export function takeGlobalAgentFrom (exportsObject: { globalAgent: unknown }): void {
  moduleExports = exportsObject
}

/** The default agent is whatever the module's `globalAgent` is now (users replace it). */
function currentGlobalAgent (): any {
  return moduleExports.globalAgent
}

const nodeSetHeader = http.OutgoingMessage.prototype.setHeader
/** Node 26.5+: a CONNECT's default Host is its target, the request's path (nodejs/node#64114). */
const CONNECT_HOST_IS_TARGET = hasChangeFrom({ 26: 5 })
/** Node 26.11+: a CONNECT target taken from a URL loses the slash the URL's path gives it (nodejs/node#64876). */
const CONNECT_PATH_UNSLASHED = hasChangeFrom({ 26: 11 })

/** The last Host value that passed validation: a client mostly talks to a few hosts. */
let validatedHost: string | null = null

/**
 * `req.setHeader('Host', value)` as Node's constructor calls it, cheaper:
 * the value is validated once per distinct value instead of per request,
 * and the header store, when this makes it, gets fast properties (a
 * `{ __proto__: null }` literal is a dictionary, and adding a key to one is a
 * runtime call). The store holds the same entry either way. A setHeader
 * someone replaced is called as it is.
 */
function setHostHeader (req: ClientRequest, value: string): void {
  if (req.setHeader !== nodeSetHeader) {
    req.setHeader('Host', value)
    return
  }
  if (value !== validatedHost) {
    validateHeaderValue('Host', value)
    validatedHost = value
  }
  const headers = req[kOutHeaders]
  if (headers === null) req[kOutHeaders] = Object.setPrototypeOf({ host: ['Host', value] }, null)
  else headers.host = ['Host', value]
}

// Most clients send a few methods to a few origins over a few paths: the
// last value of each that passed validation is remembered (with what was
// made of it), so a request like the last one skips the checks.
let lastMethod = ''
let lastMethodUpper = ''
let lastPath = ''
const lastHost = { host: '', port: undefined as unknown, defaultPort: undefined as unknown, value: '' }

/** The method as sent: a token (or ERR_INVALID_HTTP_TOKEN), upper-cased. */
function upperCaseMethod (method: string): string {
  if (method !== lastMethod) {
    if (!checkIsHttpToken(method)) throw errors.ERR_INVALID_HTTP_TOKEN('Method', method)
    lastMethodUpper = method.toUpperCase()
    lastMethod = method
  }
  return lastMethodUpper
}

function validatePath (path: string): void {
  if (path === lastPath) return
  if (INVALID_PATH.test(path)) throw errors.ERR_UNESCAPED_CHARACTERS('Request path')
  lastPath = path
}

/** A host as a URI has it: an IPv6 literal in brackets (RFC 3986 3.2.2). */
function bracketed (host: string): string {
  const colon = host.indexOf(':')
  return colon !== -1 && host.includes(':', colon + 1) && host.charCodeAt(0) !== 91 /* [ */ ? `[${host}]` : host
}

/** The Host header for host:port: the host bracketed, the port unless the default. */
function hostHeaderFor (host: string, port: unknown, defaultPort: unknown): string {
  const last = lastHost
  if (host === last.host && port === last.port && defaultPort === last.defaultPort) return last.value
  let value = bracketed(host)
  if (port && +(port as number) !== defaultPort) value += ':' + port
  last.host = host
  last.port = port
  last.defaultPort = defaultPort
  last.value = value
  return value
}

function isURL (value: any): value is URL {
  return Boolean(value?.href && value.protocol && value.auth === undefined && value.path === undefined)
}

function validateHost (host: unknown, name: string): string | null | undefined {
  if (host !== null && host !== undefined && typeof host !== 'string') {
    throw errors.ERR_INVALID_ARG_TYPE(`options.${name}`, ['string', 'undefined', 'null'], host)
  }
  return host
}

function validateBoolean (value: unknown, name: string): void {
  if (typeof value !== 'boolean') throw errors.ERR_INVALID_ARG_TYPE(name, 'boolean', value)
}

function timerDuration (msecs: unknown, name: string): number {
  if (typeof msecs !== 'number') throw errors.ERR_INVALID_ARG_TYPE(name, 'number', msecs)
  if (msecs < 0 || !Number.isFinite(msecs)) {
    throw errors.ERR_OUT_OF_RANGE(name, 'a non-negative finite number', msecs)
  }
  if (msecs > TIMEOUT_MAX) {
    process.emitWarning(`${msecs} does not fit into a 32-bit signed integer.` +
      `\nTimer duration was truncated to ${TIMEOUT_MAX}.`, 'TimeoutOverflowWarning')
    return TIMEOUT_MAX
  }
  return msecs
}

/**
 * new ClientRequest(url | options [, options] [, callback]); callable as
 * `ClientRequest.call(this, …)` by subclasses written the ES5 way.
 */
export const ClientRequest = function ClientRequest (this: ClientRequest, input: any, options?: any, cb?: any) {
  NodeOutgoingMessage.call(this)

  let pathIsFromURL = false
  if (typeof input === 'string') {
    input = urlToHttpOptions(new URL(input))
    pathIsFromURL = true
  } else if (isURL(input)) {
    input = urlToHttpOptions(input)
    pathIsFromURL = true
  } else {
    cb = options
    options = input
    input = null
  }
  if (typeof options === 'function') {
    cb = options
    options = input || {}
  } else if (input !== null) {
    if (pathIsFromURL && options != null && Object.hasOwn(options, 'path')) pathIsFromURL = false
    options = Object.assign(input, options)
  }
  // One copy of the caller's options (Node makes two): read from here on,
  // and handed to the agent or createConnection, so the caller's object
  // is left as it was.
  const connectOptions: any = nullPrototypeCopy(options)
  options = connectOptions

  let agent = options.agent
  const defaultAgent = options._defaultAgent || currentGlobalAgent()
  if (agent === false) {
    agent = new defaultAgent.constructor()
  } else if (agent === null || agent === undefined) {
    // With createConnection and no agent, no agent is used at all.
    if (typeof options.createConnection !== 'function') agent = defaultAgent
  } else if (typeof agent.addRequest !== 'function') {
    throw errors.ERR_INVALID_ARG_TYPE('options.agent', ['Agent-like Object', 'undefined', 'false'], agent)
  }
  this.agent = agent

  const protocol = options.protocol || defaultAgent.protocol
  const expectedProtocol = this.agent?.protocol || defaultAgent.protocol
  if (options.path) validatePath(String(options.path))
  if (protocol !== expectedProtocol) throw errors.ERR_INVALID_PROTOCOL(protocol, expectedProtocol)

  const defaultPort = options.defaultPort || this.agent?.defaultPort
  const port = connectOptions.port = options.port || defaultPort || 80
  const host = connectOptions.host = validateHost(options.hostname, 'hostname') ||
    validateHost(options.host, 'host') || 'localhost'
  const setHost = options.setHost === undefined || Boolean(options.setHost)

  this.socketPath = options.socketPath
  if (options.timeout !== undefined) this.timeout = timerDuration(options.timeout, 'timeout')

  const signal = options.signal
  if (signal) {
    addAbortSignal(signal, this as any)
    delete connectOptions.signal
  }

  let method = options.method
  const methodIsString = typeof method === 'string'
  if (method !== null && method !== undefined && !methodIsString) {
    throw errors.ERR_INVALID_ARG_TYPE('options.method', 'string', method)
  }
  if (methodIsString && method) {
    method = this.method = upperCaseMethod(method)
  } else {
    method = this.method = 'GET'
  }

  const maxHeaderSize = options.maxHeaderSize
  if (maxHeaderSize !== undefined) {
    if (typeof maxHeaderSize !== 'number') throw errors.ERR_INVALID_ARG_TYPE('maxHeaderSize', 'number', maxHeaderSize)
    if (!Number.isInteger(maxHeaderSize)) throw errors.ERR_OUT_OF_RANGE('maxHeaderSize', 'an integer', maxHeaderSize)
    if (maxHeaderSize < 0 || maxHeaderSize > Number.MAX_SAFE_INTEGER) {
      throw errors.ERR_OUT_OF_RANGE('maxHeaderSize', `>= 0 && <= ${Number.MAX_SAFE_INTEGER}`, maxHeaderSize)
    }
  }
  this.maxHeaderSize = maxHeaderSize
  if (options.insecureHTTPParser !== undefined) validateBoolean(options.insecureHTTPParser, 'options.insecureHTTPParser')
  this.insecureHTTPParser = options.insecureHTTPParser
  if (options.joinDuplicateHeaders !== undefined) validateBoolean(options.joinDuplicateHeaders, 'options.joinDuplicateHeaders')
  this.joinDuplicateHeaders = options.joinDuplicateHeaders

  let path = options.path || '/'
  // A URL gives a CONNECT target a leading slash ('http://proxy/host:443').
  if (CONNECT_PATH_UNSLASHED && method === 'CONNECT' && pathIsFromURL && path[0] === '/') path = path.slice(1) || '/'
  this.path = path
  if (cb) this.once('response', cb)

  // Methods whose requests normally carry no body are not chunked by default.
  this.useChunkedEncodingByDefault = !(method === 'GET' || method === 'HEAD' || method === 'DELETE' ||
    method === 'OPTIONS' || method === 'TRACE' || method === 'CONNECT')

  this._ended = false
  this.res = null
  this.aborted = false
  this.timeoutCb = null
  this.upgradeOrConnect = false
  this.parser = null
  ;(this as any).maxHeadersCount = null
  this.reusedSocket = false
  this.host = host
  this.protocol = protocol

  if (this.agent) {
    // Keep-alive by default, but only if the agent can ever reuse the socket.
    if (!this.agent.keepAlive && !Number.isFinite(this.agent.maxSockets)) {
      this._last = true
      this.shouldKeepAlive = false
    } else {
      this._last = false
      this.shouldKeepAlive = true
    }
  }

  const proxy = this.agent ? proxyOf(this.agent) : null
  if (!Array.isArray(options.headers)) {
    if (options.headers) {
      const keys = Object.keys(options.headers)
      for (let i = 0; i < keys.length; i++) this.setHeader(keys[i], options.headers[keys[i]])
    }
    const userHost = this.getHeader('host')
    if (host && !userHost && setHost) {
      setHostHeader(this, CONNECT_HOST_IS_TARGET && method === 'CONNECT' && options.path
        ? String(this.path)
        : hostHeaderFor(host, port, defaultPort))
    }
    if (options.auth && !this.getHeader('Authorization')) {
      this.setHeader('Authorization', 'Basic ' + Buffer.from(options.auth).toString('base64'))
    }
    // Through a proxy: the path in absolute form, the proxy's headers.
    if (proxy !== null) rewriteForProxy(this, proxy, connectOptions, { host: bracketed(host), port }, userHost)
    // Expect: the head leaves at once (the body waits for 'continue').
    if (this.getHeader('expect')) {
      if (this._header) throw errors.ERR_HTTP_HEADERS_SENT('render')
      this._storeHeader(this.method + ' ' + this.path + ' HTTP/1.1\r\n', this[kOutHeaders])
    }
  } else {
    if (proxy !== null) rewriteForProxy(this, proxy, connectOptions, { host: bracketed(host), port }, undefined, options.headers)
    // A flat [name, value, …] array is sent verbatim.
    this._storeHeader(this.method + ' ' + this.path + ' HTTP/1.1\r\n', options.headers)
  }

  this[kUniqueHeaders] = parseUniqueHeadersOption(options.uniqueHeaders)

  if (this.agent) this.agent.addRequest(this, connectOptions)
  else connectWithoutAgent(this, connectOptions)
  if (clientRequestCreated?.hasSubscribers) clientRequestCreated.publish({ request: this })
} as unknown as {
  new (input: string | URL | http.ClientRequestArgs, options?: http.ClientRequestArgs | ((res: http.IncomingMessage) => void), cb?: (res: http.IncomingMessage) => void): ClientRequest
  (input: string | URL | http.ClientRequestArgs, options?: http.ClientRequestArgs | ((res: http.IncomingMessage) => void), cb?: (res: http.IncomingMessage) => void): ClientRequest
  prototype: ClientRequest
}

/** No agent: one connection for this request, closed after it. */
function connectWithoutAgent (req: ClientRequest, connectOptions: any): void {
  req._last = true
  req.shouldKeepAlive = false
  let opts = connectOptions
  if (opts.path || opts.socketPath) {
    opts = { ...connectOptions }
    if (opts.socketPath) opts.path = opts.socketPath
    else if (opts.path) opts.path = undefined
  }
  if (typeof opts.createConnection === 'function') {
    let called = false
    const oncreate = (err: Error | null, socket?: any): void => {
      if (called) return
      called = true
      if (err) process.nextTick(() => emitErrorEvent(req, err))
      else req.onSocket(socket)
    }
    try {
      const socket = opts.createConnection(opts, oncreate)
      if (socket) oncreate(null, socket)
    } catch (err) {
      oncreate(err as Error)
    }
  } else {
    req.onSocket(connect(opts))
  }
}

Object.setPrototypeOf(ClientRequest.prototype, http.OutgoingMessage.prototype)
Object.setPrototypeOf(ClientRequest, http.OutgoingMessage)

const proto = ClientRequest.prototype as any

proto._finish = function _finish (this: ClientRequest) {
  nodeFinish.call(this)
  if (clientRequestStart.hasSubscribers) clientRequestStart.publish({ request: this })
}

// The writes of Node's OutgoingMessage, straight to the engine when they can
// (lib/client/request-writer.ts).
proto._writeRaw = function _writeRaw (this: ClientRequest, data: any, encoding: any, callback: any, size?: number) {
  if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }
  const written = writeRaw(this, data, encoding, callback)
  return written !== undefined ? written : nodeWriteRaw.call(this, data, encoding, callback, size)
}

proto._flushOutput = function _flushOutput (this: ClientRequest, socket: any) {
  return flushOutput.call(this, socket, nodeFlushOutput)
}

proto._implicitHeader = function _implicitHeader (this: ClientRequest) {
  if (this._header) throw errors.ERR_HTTP_HEADERS_SENT('render')
  this._storeHeader(this.method + ' ' + this.path + ' HTTP/1.1\r\n', this[kOutHeaders])
}

proto.abort = function abort (this: ClientRequest) {
  if (this.aborted) return
  this.aborted = true
  process.nextTick(emitAbortNT, this)
  this.destroy()
}

proto.destroy = function destroy (this: ClientRequest, err?: Error) {
  if (this.destroyed) return this
  this.destroyed = true
  // Whatever else of the response arrives is of no interest now.
  if (this.res) this.res._dump()
  this[kError] = err
  this.socket?.destroy(err)
  return this
}

function emitAbortNT (req: ClientRequest): void {
  req.emit('abort')
}

/** The agent (or createConnection) has a socket for this request. */
proto.onSocket = function onSocket (this: ClientRequest, socket: any, err?: Error) {
  process.nextTick(onSocketNT, this, socket, err)
}

function onSocketNT (req: ClientRequest, socket: any, err?: Error): void {
  if (req.destroyed || err) {
    req.destroyed = true
    const finish = (e?: Error | null): void => {
      if (!req.aborted && !e) e = errors.connResetException('socket hang up')
      if (e) emitErrorEvent(req, e)
      req._closed = true
      req.emit('close')
    }
    if (socket) {
      if (!err && req.agent && !socket.destroyed) {
        // Destroyed before it got its socket: the agent may give it to another.
        socket.emit('free')
      } else {
        finished(socket.destroy(err || req[kError]), (er: any) => {
          if (er?.code === 'ERR_STREAM_PREMATURE_CLOSE') er = null
          finish(er || err)
        })
        return
      }
    }
    finish(err || req[kError])
    return
  }
  tickOnSocket(req, socket)
  req._flush()
}

function tickOnSocket (req: ClientRequest, socket: any): void {
  (req as any).socket = socket
  attachResponseParser(req, socket)
  socket._httpMessage = req
  socket.on('error', socketErrorListener)
  socket.on('close', socketCloseListener)
  socket.on('drain', ondrain)
  if (req.timeout !== undefined || req.agent?.options?.timeout) listenSocketTimeout(req)
  req.emit('socket', socket)
}

function listenSocketTimeout (req: ClientRequest): void {
  if (req.timeoutCb) return
  // Kept so that the listener can be removed once the response is done.
  req.timeoutCb = emitRequestTimeout
  if (req.socket) {
    req.socket.once('timeout', emitRequestTimeout)
  } else {
    req.on('socket', (socket: any) => socket.once('timeout', emitRequestTimeout))
  }
}

/** Calls a socket method once the request has a socket and it is connected. */
proto._deferToConnect = function _deferToConnect (this: ClientRequest, method: string | null, args: unknown[]) {
  const call = (): void => {
    if (method) (this.socket as any)[method](...args)
  }
  const onSocket = (): void => {
    if (this.socket!.writable) call()
    else this.socket!.once('connect', call)
  }
  if (!this.socket) this.once('socket', onSocket)
  else onSocket()
}

proto.setTimeout = function setTimeout (this: ClientRequest, msecs: number, callback?: () => void) {
  if (this._ended) return this
  listenSocketTimeout(this)
  msecs = timerDuration(msecs, 'msecs')
  if (callback) this.once('timeout', callback)
  if (this.socket) setSocketTimeout(this.socket, msecs)
  else this.once('socket', (sock: any) => setSocketTimeout(sock, msecs))
  return this
}

function setSocketTimeout (sock: any, msecs: number): void {
  if (sock.connecting) sock.once('connect', () => sock.setTimeout(msecs))
  else sock.setTimeout(msecs)
}

proto.setNoDelay = function setNoDelay (this: ClientRequest, noDelay?: boolean) {
  this._deferToConnect('setNoDelay', [noDelay])
}

proto.setSocketKeepAlive = function setSocketKeepAlive (this: ClientRequest, enable?: boolean, initialDelay?: number) {
  this._deferToConnect('setKeepAlive', [enable, initialDelay])
}

proto.clearTimeout = function clearTimeout (this: ClientRequest, cb?: () => void) {
  this.setTimeout(0, cb)
}

type ResponseListener = (res: http.IncomingMessage) => void

/** http.request(url | options [, options] [, callback]) */
export function request (options: http.RequestOptions | string | URL, callback?: ResponseListener): ClientRequest
export function request (url: string | URL, options: http.RequestOptions, callback?: ResponseListener): ClientRequest
export function request (url: any, options?: any, cb?: any): ClientRequest {
  return new ClientRequest(url, options, cb)
}

/** http.get(): a request that is ended at once. */
export function get (options: http.RequestOptions | string | URL, callback?: ResponseListener): ClientRequest
export function get (url: string | URL, options: http.RequestOptions, callback?: ResponseListener): ClientRequest
export function get (url: any, options?: any, cb?: any): ClientRequest {
  const req = new ClientRequest(url, options, cb)
  req.end()
  return req
}
