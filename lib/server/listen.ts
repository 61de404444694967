// How a server comes to listen. net.Server's own listen() reads the
// arguments (every form, with its errors, as the Node line in use has them)
// and, in a cluster worker, asks the primary for the socket (listenInCluster);
// then it calls server._listen2(address, port, addressType, backlog, fd,
// flags), the step Node keeps under that name so that code can wrap it. Ours
// gives the socket to the engine: it binds one, opens an inherited fd, or
// takes over the handle it finds in server._handle (the primary's, or one
// passed to listen(handle)). Every connection is then the engine's.
import * as net from 'net'
import { binding, NativeListener, PeerInfo } from '../engine/binding'
import { DEFAULT_MAX_HEADER_SIZE } from '../engine/constants'
import * as errors from '../common/errors'
import { parserHeaderEntries } from '../common/headers'
import { GivenHandle, ListenHandle } from './listen-handle'
import type { ServerLike as Server } from './server-connection'
import { kParserLimits } from './symbols'

const kReusePort = Symbol('uvhttp.reusePort')

// Node's bind flags (libuv's UV_TCP_*), as listen() computes them.
const IPV6_ONLY = 1
const REUSE_PORT = 2

/**
 * server.listen(...): net.Server's. listen({ port, reusePort: true }) came
 * with Node 22.12 (each process binds its own socket with SO_REUSEPORT, in a
 * cluster worker too: the option makes the listen exclusive); the engine
 * binds natively, so it honours the option on Node 20 as well.
 */
export function listen (this: Server, ...args: unknown[]): Server {
  const options = args[0] as any
  this[kReusePort] = options !== null && typeof options === 'object' && options.reusePort === true
  if (this[kReusePort] && !options.exclusive) args[0] = { ...options, exclusive: true }
  return net.Server.prototype.listen.apply(this, args as any) as Server
}

/**
 * server._listen2: what Node's setupListenHandle does, with the engine's
 * listener. Returns whether the server now listens (if not, 'error' follows).
 */
export function setupListenHandle (this: Server, address: string | null, port: number, addressType: number,
  backlog: number | undefined, fd: number | undefined, flags: number | undefined): boolean {
  const given = this._handle
  this._handle = null
  const listener: NativeListener = new binding.Listener(this)
  backlog = backlog || 511
  const bindFlags = ((flags ?? 0) & IPV6_ONLY) | (this[kReusePort] ? REUSE_PORT : 0)
  let kept: GivenHandle | null = null
  let r: number
  if (given) {
    r = typeof given.fd === 'number' ? listener.open(given.fd, backlog) : 0
    if (r === 0) kept = takeOver(this, listener, given)
    else given.close()
  } else if (typeof fd === 'number' && fd >= 0) {
    r = listener.open(fd, backlog)
  } else if (addressType === -1) {
    r = listener.listen(0, String(address), 0, backlog, 0)
  } else if (!address) {
    // Every interface: IPv6 with IPv4 mapped where the host has IPv6.
    r = listener.listen(6, '::', port, backlog, bindFlags)
    if (r !== 0) {
      listener.close()
      return setupListenHandle.call(this, '0.0.0.0', port, 4, backlog, fd, flags)
    }
  } else {
    r = listener.listen(addressType, address, port, backlog, bindFlags)
  }
  if (r !== 0) {
    listener.close()
    const err = errors.uvException(r, 'listen', { address: address ?? undefined, port })
    process.nextTick(() => this.emit('error', err))
    return false
  }
  // 0 means the default, as Node's parser.initialize has it.
  this[kParserLimits] = null
  refreshLimits(this, listener)
  listener.setUpgrade(this.listenerCount('upgrade') > 0)
  const handle = new ListenHandle(listener, kept)
  this._handle = handle
  // net.Server's unref() before listen() leaves this note for the handle.
  if (this._unref) handle.unref()
  process.nextTick(() => { if (this._handle === handle) this.emit('listening') })
  return true
}

/**
 * The handle server._handle held when listen came to _listen2: a socket
 * Node's listen(handle) was given, or what cluster's primary sent a worker,
 * either the listening socket itself (SCHED_NONE; the engine listens on a
 * copy of its fd) or, in round-robin, a stand-in whose onconnection the
 * primary calls with each connection it accepted.
 */
function takeOver (server: Server, listener: NativeListener, given: any): GivenHandle | null {
  if (typeof given.fd === 'number' && typeof given.onconnection === 'function') {
    // It accepts for another server of this process: it must stop, as
    // Node's listen(handle) makes the handle ours alone.
    given.close()
    return null
  }
  if (typeof given.fd !== 'number') {
    // Round-robin: the engine serves each connection on its own copy of the
    // descriptor, and Node's handle for it is closed at once.
    given.onconnection = (err: number, client: any) => {
      if (err || !client) return
      // Should the copy fail (no descriptor left), the connection closes
      // unserved, as one the engine's own accept() could not take.
      listener.adopt(client.fd)
      client.close()
    }
  }
  // Whoever closes this handle closes the server: cluster's
  // worker.disconnect() does so for every server of the worker (it finds
  // Node's servers from their handles through a private link; ours is this).
  const close = given.close
  given.close = (cb?: (err?: Error) => void) => server.close(cb)
  return {
    close: () => close.call(given),
    ref: () => given.ref?.(),
    unref: () => given.unref?.(),
    getsockname: typeof given.getsockname === 'function' ? (out: PeerInfo) => given.getsockname(out) : undefined,
  }
}

/**
 * Gives the listener the server's parser limits if they changed since it
 * last got them: Node reads maxHeaderSize (0: the default),
 * maxHeadersCount and insecureHTTPParser for each connection it accepts.
 */
export function refreshLimits (server: Server, listener: NativeListener | null): void {
  if (listener === null) return
  const size = server.maxHeaderSize || DEFAULT_MAX_HEADER_SIZE
  const entries = parserHeaderEntries(server.maxHeadersCount)
  const lenient = !!server.insecureHTTPParser
  const last = server[kParserLimits]
  if (last !== null && last.size === size && last.entries === entries && last.lenient === lenient) return
  listener.setLimits(size, entries, lenient)
  server[kParserLimits] = { size, entries, lenient }
}
