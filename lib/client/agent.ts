// Agent: uvhttp's own http.Agent, with connections from the engine.
//
// Its public surface is Node's (COMPAT.md #11): `sockets`, `freeSockets` and
// `requests` are null-prototype objects of arrays keyed by getName(), a key
// present only while its array is not empty; maxSockets, maxTotalSockets,
// maxFreeSockets, keepAlive, keepAliveMsecs, scheduling, the 'free' event,
// and the methods agents built on Node's override and call (createConnection,
// createSocket, getName, keepSocketAlive, reuseSocket, removeSocket, destroy:
// agentkeepalive, proxy agents on agent-base, which also writes `sockets`
// itself). Node's constructor still builds the instance, so the options and
// fields each Node line adds (agentKeepAliveTimeoutBuffer, defaultPort…) are
// that line's; what changes is the per-request work, which in Node's agent
// built two option objects, recomputed the pool key and added and deleted a
// key of a dictionary-mode object for every request (issue 14):
// - the pools are fast-mode objects: a key added and deleted again takes the
//   same two hidden classes every time;
// - the key of a request is computed without merging the option objects
//   while getName is this one, and the merged options are built only when
//   a socket is created for it.
import { AsyncResource } from 'async_hooks'
import * as http from 'http'
import * as net from 'net'
import { connect, connectionOf } from './client-connection'
import { connectToProxy, kProxy, nodeProxyConfigOf, proxyOf, usesProxy } from './proxy'
import { asyncIdSymbol, kOnKeylog } from '../common/node-internals'

// Taken now: uvhttp/register later puts this module's Agent on http.Agent.
const NodeAgent = http.Agent as any

/**
 * `{ __proto__: null, ...source }` as Node builds it, but with fast
 * properties: V8 makes a null-prototype literal a dictionary, and copying a
 * dictionary is a runtime call that walks its keys one by one. Same own
 * properties, same order, same (null) prototype.
 */
export function nullPrototypeCopy (source: object): any {
  return Object.setPrototypeOf({ ...source }, null)
}

/** An empty pool object (`{ __proto__: null }` to its users) with fast properties. */
function emptyPools (): any {
  return Object.setPrototypeOf({}, null)
}

export interface Agent extends http.Agent {
  [key: string | symbol]: any
}

/** The merged options a queued request's socket will be created with (Node's kRequestOptions). */
const kRequestOptions = Symbol('uvhttp.agentRequestOptions')
/** The async context a queued request was made in (Node's kRequestAsyncResource). */
const kRequestAsyncResource = Symbol('uvhttp.agentRequestAsyncResource')
/** The last pool key computed by getName, and what it was computed from. */
const kLastName = Symbol('uvhttp.agentLastName')

interface NameInputs {
  host: unknown
  port: unknown
  localAddress: unknown
  family: unknown
  socketPath: unknown
  name: string
}

/** new Agent(options); callable as `Agent.call(this, options)` by ES5-style subclasses. */
export const Agent = function Agent (this: any, options?: http.AgentOptions) {
  if (!(this instanceof Agent)) return new (Agent as any)(options)
  const agent = this as any
  NodeAgent.call(agent, options)
  // Node's constructor installs its own handler of 'free' (the only listener
  // there can be yet); this agent's replaces it.
  for (const listener of agent.listeners('free')) agent.removeListener('free', listener as any)
  agent.on('free', onAgentFree)
  // addRequest spreads these into the options of every socket it creates.
  agent.options = nullPrototypeCopy(agent.options)
  agent.requests = emptyPools()
  agent.sockets = emptyPools()
  agent.freeSockets = emptyPools()
  agent[kLastName] = null
  // The proxy Node's constructor parsed from options.proxyEnv (lib/client/proxy.ts).
  agent[kProxy] = nodeProxyConfigOf(agent)
  // Node's constructor reads its own Agent.defaultMaxSockets; honour ours.
  if (!(options as any)?.maxSockets) agent.maxSockets = (Agent as any).defaultMaxSockets
} as unknown as {
  new (options?: http.AgentOptions): Agent
  (options?: http.AgentOptions): Agent
  prototype: Agent
  defaultMaxSockets: number
}

Object.setPrototypeOf(Agent.prototype, NodeAgent.prototype)
Object.setPrototypeOf(Agent, NodeAgent)
Agent.defaultMaxSockets = Infinity

const proto = Agent.prototype as any

/**
 * net.createConnection for the engine: the socket is returned at once (the
 * agent's callback is kept as a 'connect' listener, as net does), errors
 * arrive as its 'error' event. An agent with a proxy connects to the proxy
 * instead, unless NO_PROXY exempts the target.
 */
proto.createConnection = function createConnection (this: any, options: any, cb?: () => void) {
  const proxy = proxyOf(this)
  if (proxy !== null && usesProxy(proxy, options)) return connectToProxy(proxy, cb)
  return connect(options, cb)
}

/** Node's pool key: host:port:localAddress[:family][:socketPath]. */
proto.getName = function getName (options: any = {}) {
  let name = options.host || 'localhost'
  name += ':'
  if (options.port) name += options.port
  name += ':'
  if (options.localAddress) name += options.localAddress
  if (options.family === 4 || options.family === 6) name += `:${options.family}`
  if (options.socketPath) name += `:${options.socketPath}`
  return name
}
const ownGetName = proto.getName

/** A request option as `{ ...options, ...agent.options }` has it: the agent's wins. */
function merged (agentOptions: any, options: any, key: string): unknown {
  return key in agentOptions ? agentOptions[key] : options[key]
}

/**
 * The pool key of a request, as Node computes it: getName of the request's
 * options merged with the agent's (and servername settled first, which a
 * getName of an https-style subclass includes). With this module's getName
 * only five options matter, read from both objects without merging them,
 * and the key is the last one's while they are the same.
 */
function poolName (agent: any, req: any, options: any): string {
  if (agent.getName !== ownGetName) return agent.getName(mergeOptions(agent, req, options))
  const own = agent.options
  const host = merged(own, options, 'host')
  const port = merged(own, options, 'port')
  const localAddress = merged(own, options, 'localAddress')
  const family = merged(own, options, 'family')
  const socketPath = merged(own, options, 'socketPath')
  const last: NameInputs | null = agent[kLastName]
  if (last !== null && last.host === host && last.port === port && last.localAddress === localAddress &&
      last.family === family && last.socketPath === socketPath) return last.name
  const name = ownGetName({ host, port, localAddress, family, socketPath })
  agent[kLastName] = { host, port, localAddress, family, socketPath, name }
  return name
}

/** Node's `{ __proto__: null, ...options, ...agent.options }`, path from socketPath, servername settled. */
function mergeOptions (agent: any, req: any, options: any): any {
  const all = Object.setPrototypeOf({ ...options, ...agent.options }, null)
  if (all.socketPath) all.path = all.socketPath
  if (!all.servername && all.servername !== '') all.servername = serverName(all, req)
  return all
}

/** The TLS server name Node derives from the Host header (calculateServerName). */
function serverName (options: any, req: any): string {
  let servername = options.host
  const hostHeader = req.getHeader('host')
  if (hostHeader) {
    if (typeof hostHeader !== 'string') {
      const err = new TypeError(`The "options.headers.host" property must be of type string. Received ${typeof hostHeader}`) as any
      err.code = 'ERR_INVALID_ARG_TYPE'
      throw err
    }
    if (hostHeader[0] === '[') {
      const index = hostHeader.indexOf(']')
      servername = index === -1 ? hostHeader : hostHeader.substring(1, index)
    } else {
      servername = hostHeader.split(':', 1)[0]
    }
  }
  // An IP address is never a server name.
  return net.isIP(servername) ? '' : servername
}

/** Adds `item` to the array at pools[name], creating it when absent. */
function pushTo (pools: any, name: string, item: unknown): void {
  const list = pools[name]
  if (list !== undefined) list.push(item)
  else pools[name] = [item]
}

proto.addRequest = function addRequest (this: any, req: any, options: any, port?: unknown, localAddress?: unknown) {
  // Legacy API: addRequest(req, host, port, localAddress)
  if (typeof options === 'string') options = { __proto__: null, host: options, port, localAddress }
  const name = poolName(this, req, options)
  const sockets = this.sockets
  if (sockets[name] === undefined) sockets[name] = []

  const freeSockets = this.freeSockets[name]
  let socket
  if (freeSockets !== undefined) {
    while (freeSockets.length && freeSockets[0].destroyed) freeSockets.shift()
    socket = takeFree(this, freeSockets)
    // Bytes that arrived while it was idle cannot be the next response (Node 22+).
    while (socket !== undefined && hasUnsolicitedData(socket)) {
      socket.destroy()
      socket = takeFree(this, freeSockets)
    }
    if (freeSockets.length === 0) delete this.freeSockets[name]
  }
  const freeLen = freeSockets !== undefined ? freeSockets.length : 0
  const sockLen = freeLen + sockets[name].length

  if (socket !== undefined) {
    const hwm = merged(this.options, options, 'highWaterMark') as number | null | undefined
    // The request's highWaterMark applies to a reused socket too (Node 22+).
    if (hwm != null && socket.writableHighWaterMark !== hwm) socket._writableState.highWaterMark = hwm
    asyncResetHandle(socket)
    this.reuseSocket(socket, req)
    setRequestSocket(this, req, socket)
    sockets[name].push(socket)
  } else if (sockLen < this.maxSockets && this.totalSocketCount < this.maxTotalSockets) {
    // (Node hands createSocket the merged options; this one merges them itself.)
    const socketOptions = this.createSocket === ownCreateSocket ? options : mergeOptions(this, req, options)
    this.createSocket(req, socketOptions, (err: Error | null, s: any) => {
      if (err) req.onSocket(s, err)
      else setRequestSocket(this, req, s)
    })
  } else {
    // Over the limit: the request waits for a socket ('free', removeSocket).
    req[kRequestOptions] = this.createSocket === ownCreateSocket ? options : mergeOptions(this, req, options)
    req[kRequestAsyncResource] = new AsyncResource('QueuedRequest')
    pushTo(this.requests, name, req)
  }
}

function takeFree (agent: any, freeSockets: any[]): any {
  return agent.scheduling === 'fifo' ? freeSockets.shift() : freeSockets.pop()
}

proto.createSocket = function createSocket (this: any, req: any, options: any, cb: (err: Error | null, s?: any) => void) {
  options = mergeOptions(this, req, options)
  // The request's timeout applies from the connection attempt on (Node 22+).
  const timeout = req.timeout || this.options.timeout || undefined
  if (timeout) options.timeout = timeout
  const name = this.getName(options)
  options._agentKey = name
  options.encoding = null
  let called = false
  const oncreate = (err: Error | null, s?: any): void => {
    if (called) return
    called = true
    if (err) {
      cb(err)
      return
    }
    const sockets = this.sockets
    if (sockets[name] === undefined) sockets[name] = []
    sockets[name].push(s)
    this.totalSocketCount++
    installListeners(this, s, options)
    cb(null, s)
  }
  // A keep-alive agent's sockets have TCP keep-alive on.
  if (this.keepAlive) {
    options.keepAlive = this.keepAlive
    options.keepAliveInitialDelay = this.keepAliveMsecs
  }
  const newSocket = this.createConnection(options, oncreate)
  if (newSocket) oncreate(null, newSocket)
}
const ownCreateSocket = proto.createSocket

/** The agent's listeners on each of its sockets (Node's installListeners). */
function installListeners (agent: any, s: any, options: any): void {
  function onFree (): void {
    agent.emit('free', s, options)
  }
  s.on('free', onFree)

  // The only place a socket leaves the agent: every error ends in 'close'.
  function onClose (): void {
    agent.totalSocketCount--
    agent.removeSocket(s, options)
  }
  s.on('close', onClose)

  function onTimeout (): void {
    // An idle socket that times out is closed.
    const sockets = agent.freeSockets
    if (Object.keys(sockets).some((name) => sockets[name].includes(s))) s.destroy()
  }
  s.on('timeout', onTimeout)

  // The socket left HTTP ('upgrade', CONNECT): it is the application's now.
  function onRemove (): void {
    agent.totalSocketCount--
    agent.removeSocket(s, options)
    s.removeListener('close', onClose)
    s.removeListener('free', onFree)
    s.removeListener('timeout', onTimeout)
    s.removeListener('agentRemove', onRemove)
  }
  s.on('agentRemove', onRemove)

  // Node's constructor sets this up when someone listens for the agent's 'keylog'.
  const onKeylog = agent[kOnKeylog]
  if (onKeylog) s.on('keylog', onKeylog)
}

/**
 * The agent's 'free' handler (this = the agent): a socket whose response
 * is complete goes to the next request waiting for its pool, or to the free
 * pool, or is closed.
 */
function onAgentFree (this: any, socket: any, options: any): void {
  const name = this.getName === ownGetName && typeof options._agentKey === 'string'
    ? options._agentKey as string
    : this.getName(options)
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const requests = this.requests[name]
  if (requests !== undefined && requests.length !== 0) {
    if (hasUnsolicitedData(socket)) {
      // Its 'close' makes a new socket for the waiting request.
      socket.destroy()
      return
    }
    const req = requests.shift()
    const resource: AsyncResource | null = req[kRequestAsyncResource]
    if (resource) {
      // The request goes on in the async context it was made in.
      req[kRequestAsyncResource] = null
      resource.runInAsyncScope(resetAndSetRequestSocket, null, this, req, socket)
    } else {
      setRequestSocket(this, req, socket)
    }
    if (requests.length === 0) delete this.requests[name]
    return
  }

  // Nobody waits: keep it if the request and the agent want it kept.
  const req = socket._httpMessage
  if (!req || !req.shouldKeepAlive || !this.keepAlive) {
    socket.destroy()
    return
  }
  const freeSockets = this.freeSockets[name]
  const freeLen = freeSockets !== undefined ? freeSockets.length : 0
  let count = freeLen
  if (this.sockets[name] !== undefined) count += this.sockets[name].length
  if (this.totalSocketCount > this.maxTotalSockets || count > this.maxSockets ||
      freeLen >= this.maxFreeSockets || !this.keepSocketAlive(socket)) {
    socket.destroy()
    return
  }
  socket[asyncIdSymbol] = -1
  socket._httpMessage = null
  this.removeSocket(socket, options)
  socket.once('error', freeSocketErrorListener)
  pushTo(this.freeSockets, name, socket)
}

function freeSocketErrorListener (this: any): void {
  this.destroy()
  this.emit('agentRemove')
}

/**
 * Bytes arrived on an idle socket: a response nobody asked for, which must
 * not be read as the next request's (Node 22+ destroys such a socket). The
 * engine's connection has begun a message; another socket has unread bytes.
 * (A whole unsolicited response already closed an engine connection.)
 */
function hasUnsolicitedData (socket: any): boolean {
  if (socket.connecting) return false
  const conn = connectionOf(socket)
  if (conn !== null) return conn.hasPartialMessage()
  return socket.readableLength > 0
}

proto.removeSocket = function removeSocket (this: any, s: any, options: any) {
  const name = this.getName === ownGetName && typeof options._agentKey === 'string'
    ? options._agentKey as string
    : this.getName(options)
  removeFrom(this.sockets, name, s)
  // A destroyed socket leaves the free pool too.
  if (!s.writable) removeFrom(this.freeSockets, name, s)

  let req: any
  const requests: any = this.requests
  if (requests[name] !== undefined && requests[name].length !== 0) {
    req = requests[name][0]
  } else {
    // A request of another pool waiting for the total limit.
    for (const other in requests) {
      if (this.sockets[other] !== undefined && this.sockets[other].length !== 0) break
      req = requests[other][0]
      options = req[kRequestOptions]
      break
    }
  }
  if (req && options) {
    // The waiting request gets a socket of its own.
    req[kRequestOptions] = undefined
    this.createSocket(req, options, (err: Error | null, socket: any) => {
      if (err) req.onSocket(null, err)
      else socket.emit('free')
    })
  }
}

function removeFrom (pools: any, name: string, s: unknown): void {
  const list = pools[name]
  if (list === undefined) return
  const index = list.indexOf(s)
  if (index === -1) return
  list.splice(index, 1)
  if (list.length === 0) delete pools[name]
}

proto.keepSocketAlive = function keepSocketAlive (this: any, socket: any) {
  socket.setKeepAlive(true, this.keepAliveMsecs)
  socket.unref()
  let agentTimeout = this.options.timeout || 0
  let canKeepSocketAlive = true
  const res = socket._httpMessage?.res
  if (res) {
    const keepAliveHint = res.headers['keep-alive']
    const hint = keepAliveHint ? /^timeout=(\d+)/.exec(keepAliveHint)?.[1] : undefined
    if (hint) {
      // The server's announced idle timeout, less a margin, so that the
      // socket is not reused just as the server closes it.
      const buffer = typeof this.agentKeepAliveTimeoutBuffer === 'number' ? this.agentKeepAliveTimeoutBuffer : 1000
      const serverHintTimeout = Math.max(parseInt(hint, 10) * 1000 - buffer, 0)
      if (serverHintTimeout === 0) canKeepSocketAlive = false
      else if (serverHintTimeout < agentTimeout) agentTimeout = serverHintTimeout
    }
  }
  if (socket.timeout !== agentTimeout) socket.setTimeout(agentTimeout)
  return canKeepSocketAlive
}

proto.reuseSocket = function reuseSocket (this: any, socket: any, req: any) {
  socket.removeListener('error', freeSocketErrorListener)
  req.reusedSocket = true
  socket.ref()
}

proto.destroy = function destroy (this: any) {
  for (const pools of [this.freeSockets, this.sockets] as any[]) {
    for (const name of Object.keys(pools)) {
      const list = pools[name]
      for (let n = 0; n < list.length; n++) list[n].destroy()
    }
  }
}

function setRequestSocket (agent: any, req: any, socket: any): void {
  req.onSocket(socket)
  const agentTimeout = agent.options.timeout || 0
  if (req.timeout === undefined || req.timeout === agentTimeout) return
  socket.setTimeout(req.timeout)
}

function resetAndSetRequestSocket (agent: any, req: any, socket: any): void {
  asyncResetHandle(socket)
  setRequestSocket(agent, req, socket)
}

/**
 * A reused net.Socket gets a new async id, as Node's agent gives it (what
 * async_hooks sees as a new resource per request); the engine's sockets
 * have no libuv handle in JS and take the request's context otherwise.
 */
function asyncResetHandle (socket: any): void {
  const handle = socket._handle
  if (handle && typeof handle.asyncReset === 'function') {
    handle.asyncReset({ type: handle.getProviderType(), handle })
    socket[asyncIdSymbol] = handle.getAsyncId()
  }
}

/**
 * Node's global agent: keep-alive, LIFO, free sockets closed after 5 s; and
 * on Node 22.21+, 24.5+, 26 a proxy from the environment when Node runs with
 * NODE_USE_ENV_PROXY=1 or --use-env-proxy, which Node's own global agent
 * shows by its options.proxyEnv (the environment it parsed).
 */
export const globalAgent = newGlobalAgent((http.globalAgent as any)?.options?.proxyEnv)

/**
 * An agent with the global agent's options (Node's getGlobalAgent), taking
 * proxies from `proxyEnv` when given: the default one, and the one
 * http.setGlobalProxyFromEnv(env) installs (Node 24+).
 */
export function newGlobalAgent (proxyEnv: unknown): Agent {
  const options: any = { keepAlive: true, scheduling: 'lifo', timeout: 5000 }
  if (proxyEnv !== undefined) options.proxyEnv = proxyEnv
  return new Agent(options)
}
