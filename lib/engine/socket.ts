// Socket: what applications see as req.socket, res.socket, the 'connection'
// argument and, after 'upgrade'/'connect', the raw duplex. It is a
// net.Socket (so `instanceof net.Socket` holds and the inherited API —
// setTimeout, destroySoon, pause/resume, the Duplex machinery — behaves as
// Node's) whose libuv handle lives in the addon: every method that would
// touch net's own _handle is overridden to go to the native connection.
import * as net from 'net'
import { Duplex } from 'stream'
import { WriteFlag } from './constants'
import { errnoException, ERR_INVALID_HANDLE_TYPE, ERR_SOCKET_CLOSED } from '../common/errors'
import type { NativeConnection, PeerInfo } from './binding'

/** What the socket needs from the connection state that owns it. */
export interface SocketOwner {
  native: NativeConnection
  /** The native side has closed: no writes, no reads. */
  closed: boolean
  /** Calls cb once the native write queue is empty again. */
  afterDrain (cb: (err?: Error | null) => void): void
  /** Bytes in the native write queue after the last write (0 again at its drain). */
  lastQueued: number
  /** The last write was held (WriteFlag.HOLD): the socket's uncork must commit it. */
  held: boolean
  /** Sends what is held (clearing `held`): write()'s result, the bytes queued or a negative libuv error. */
  commitHeld (): number
}

/** The connection state behind a socket (ServerConnection / ClientConnection). */
export const kOwner = Symbol('uvhttp.socketOwner')
const kHadError = Symbol('uvhttp.hadError')
const UV_ENOTSUP = -95

/** Writable's own writableLength: the bytes waiting in a stream's buffer. */
const streamWritableLength = Object.getOwnPropertyDescriptor(Duplex.prototype, 'writableLength')!.get!

// The encoding is compared only once it is known to be a string: a
// comparison that also sees undefined or null is a call into V8's generic
// StrictEqual, per comparison, on every write.

/** Connection.write()'s flags for a string in `encoding` (UTF-8 unless a one-byte encoding). */
export function flagsFor (encoding: string | null | undefined): number {
  return typeof encoding === 'string' && (encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii') ? 0 : WriteFlag.UTF8
}

/** A chunk as Connection.write() takes it: bytes, or a string in UTF-8 or latin1. */
export function bodyOf (chunk: any, encoding: string | null | undefined): string | Uint8Array {
  if (typeof chunk !== 'string' || typeof encoding !== 'string') return chunk
  if (encoding === '' || encoding === 'utf8' || encoding === 'utf-8' || encoding === 'latin1' ||
      encoding === 'binary' || encoding === 'ascii') return chunk
  return Buffer.from(chunk, encoding as BufferEncoding)
}

export class Socket extends net.Socket {
  [kOwner]: SocketOwner
  [kHadError] = false
  declare _peername?: PeerInfo
  declare _sockname?: PeerInfo
  // net.Socket internals this class uses (not in @types/node).
  declare _unrefTimer: () => void

  constructor (owner: SocketOwner, options?: net.SocketConstructorOpts) {
    super(options)
    this[kOwner] = owner
  }

  // ---- reading: the engine pushes; _read asks it to read again -------------

  override _read (): void {
    const owner = this[kOwner]
    if (!owner.closed) owner.native.resume()
  }

  // Node's IncomingMessage asks for more body with socket.resume(); the
  // socket may already be flowing, so tell the engine every time.
  override resume (): this {
    super.resume()
    const owner = this[kOwner]
    if (!owner.closed) owner.native.resume()
    return this
  }

  // ---- writing -------------------------------------------------------------

  // A response's write() holds its bytes in the engine while Node keeps the
  // socket corked (lib/server/server-response.ts): they leave when it
  // uncorks (Node's connectionCorkNT at the end of the tick, or end()), as
  // Node's corked socket writes them then; a destroy before drops them.
  override uncork (): void {
    super.uncork()
    const owner = this[kOwner]
    if (owner.held && this.writableCorked === 0) {
      if (owner.closed) {
        owner.held = false
        return
      }
      const queued = owner.commitHeld()
      if (queued < 0) this.destroy(errnoException(queued, 'write'))
      else owner.lastQueued = queued
    }
  }

  override _write (chunk: any, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writeNative(bodyOf(chunk, encoding), flagsFor(encoding), cb)
  }

  override _writev (chunks: Array<{ chunk: any, encoding: BufferEncoding }>, cb: (err?: Error | null) => void): void {
    const owner = this[kOwner]
    const last = chunks.length - 1
    if (owner.held && !owner.closed) owner.commitHeld() // what was held goes first
    for (let i = 0; i < last && !owner.closed; i++) {
      const { chunk, encoding } = chunks[i]
      const queued = owner.native.write(null, bodyOf(chunk, encoding), null, flagsFor(encoding) | WriteFlag.MORE)
      if (queued >= 0) owner.lastQueued = queued
    }
    this.writeNative(bodyOf(chunks[last].chunk, chunks[last].encoding), flagsFor(chunks[last].encoding), cb)
  }

  private writeNative (body: string | Uint8Array, flags: number, cb: (err?: Error | null) => void): void {
    const owner = this[kOwner]
    if (owner.closed) {
      cb(errnoException(-32 /* EPIPE */, 'write'))
      return
    }
    if (owner.held) owner.commitHeld() // what was held goes first
    const queued = owner.native.write(null, body, null, flags)
    if (this.timeout) this._unrefTimer()
    if (queued < 0) {
      cb(errnoException(queued, 'write'))
      return
    }
    owner.lastQueued = queued
    if (queued === 0) cb()
    else owner.afterDrain(cb)
  }

  override _final (cb: (err?: Error | null) => void): void {
    const owner = this[kOwner]
    if (!owner.closed) owner.native.shutdown()
    cb()
  }

  // net.Socket's _destroy clears its timeout's timer, which only net can
  // reach; setTimeout(0) can, but not once `destroyed` is set (as it is in
  // _destroy). Without this, a timer left armed fires 'timeout' on the
  // destroyed socket, again after every refresh (a late write or read).
  override destroy (err?: Error): this {
    if (this.timeout && !this.destroyed) this.setTimeout(0)
    return super.destroy(err)
  }

  // As net.Socket's: the callback runs now, 'close' when libuv has closed
  // the handle (onNativeClose), or on the next tick if it is closed already.
  override _destroy (err: Error | null, cb: (err?: Error | null) => void): void {
    const owner = this[kOwner]
    this[kHadError] = !!err
    if (owner.closed) {
      cb(err)
      process.nextTick(emitClose, this, !!err)
    } else {
      owner.native.close()
      cb(err)
    }
  }

  /**
   * As net.Socket's: close with a TCP RST, so the peer sees ECONNRESET
   * (WebSocket servers reset a connection that broke the protocol). The
   * native side resets and closes at once; destroy() then finds it closing.
   */
  override resetAndDestroy (): this {
    const owner = this[kOwner]
    if (owner.closed || this.destroyed) {
      this.destroy(ERR_SOCKET_CLOSED())
      return this
    }
    if (this.connecting) {
      this.once('connect', () => this.resetAndDestroy())
      return this
    }
    const r = owner.native.reset()
    if (r === UV_ENOTSUP) throw ERR_INVALID_HANDLE_TYPE()
    this.destroy()
    // Node emits it from _destroy, the handle closing anyway.
    if (r < 0) this.emit('error', errnoException(r, 'reset'))
    return this
  }

  /**
   * The peer finished sending (EOF). As net's onStreamRead: read(0) so that
   * 'end' comes even when nobody reads the socket (an 'upgrade' handler
   * waiting for the client's half-close, say).
   */
  onNativeEnd (): void {
    this.push(null)
    this.read(0)
  }

  /** The native connection closed, because we destroyed it or the peer went away. */
  onNativeClose (): void {
    if (this.destroyed) this.emit('close', this[kHadError])
    else this.destroy()
  }

  // ---- options & addresses -----------------------------------------------------

  override setNoDelay (noDelay?: boolean): this {
    const owner = this[kOwner]
    if (!owner.closed) owner.native.setNoDelay(noDelay === undefined ? true : !!noDelay)
    return this
  }

  override setKeepAlive (enable?: boolean, initialDelay?: number): this {
    const owner = this[kOwner]
    if (!owner.closed) owner.native.setKeepAlive(!!enable, Math.floor((initialDelay ?? 0) / 1000))
    return this
  }

  _getpeername (): PeerInfo {
    if (this._peername == null) {
      const out: PeerInfo = {}
      const owner = this[kOwner]
      if (owner.closed || owner.native.peerName(out) !== 0) return {}
      this._peername = out
    }
    return this._peername
  }

  _getsockname (): PeerInfo {
    if (this._sockname == null) {
      const out: PeerInfo = {}
      const owner = this[kOwner]
      if (owner.closed || owner.native.sockName(out) !== 0) return {}
      this._sockname = out
    }
    return this._sockname
  }

  /** Bytes waiting in this socket's Writable buffer alone (writableLength adds the engine's queue). */
  get streamWritableLength (): number {
    return streamWritableLength.call(this)
  }

  override address (): any {
    return this._getsockname()
  }

  override ref (): this {
    const owner = this[kOwner]
    if (!owner.closed) owner.native.setRef(true)
    return this
  }

  override unref (): this {
    const owner = this[kOwner]
    if (!owner.closed) owner.native.setRef(false)
    return this
  }
}

// net.Socket defines these as accessors reading its own _handle.
Object.defineProperties(Socket.prototype, {
  bytesRead: { configurable: true, get (this: Socket) { return this[kOwner].native.bytesRead } },
  // As Node: bytes handed to the socket, written or still queued.
  bytesWritten: {
    configurable: true,
    get (this: Socket) {
      const native = this[kOwner].native
      return native.bytesWritten + native.writeQueueSize + this.streamWritableLength
    },
  },
  // As Node's: what the socket holds that the kernel has not taken, which
  // for a net.Socket includes what libuv still queues. HTTP responses write
  // to the engine directly, past the Writable, so the engine's queue is added
  // (a Writable write waiting on it counts twice: an upper bound, zero only
  // when nothing waits anywhere). Node 26's OutgoingMessage emits 'drain'
  // once this is 0 after flushing the chunks it coalesced in a tick.
  writableLength: {
    configurable: true,
    get (this: Socket) {
      const owner = this[kOwner]
      return streamWritableLength.call(this) + (owner.closed ? 0 : owner.native.writeQueueSize)
    },
  },
  pending: { configurable: true, get () { return false } },
  readyState: {
    configurable: true,
    get (this: Socket) {
      if (this.readable && this.writable) return 'open'
      if (this.readable) return 'readOnly'
      if (this.writable) return 'writeOnly'
      return 'closed'
    },
  },
})

function emitClose (socket: Socket, hadError: boolean): void {
  socket.emit('close', hadError)
}

/**
 * tls.TLSSocket (like anything that looks at `socket._handle` to tell whether
 * a net.Socket is connected) takes a socket without a libuv handle for one
 * still connecting, and holds its writes until that socket's 'connect' — which
 * Node never emits for a connected socket. The engine's sockets keep their
 * handle natively (no _handle), so once 'upgrade'/'connect' hands one over, a
 * 'connect' listener added to it while it is connected is called on the next
 * tick. TLS-terminating proxies wrap the CONNECT socket in a TLSSocket exactly
 * so (`new tls.TLSSocket(socket, { isServer: true, … })`), and HTTPS through a
 * client's CONNECT tunnel does the same (`tls.connect({ socket })`). Installed
 * on a socket when it leaves HTTP; a socket in HTTP use never needs it.
 */
export function answerLateConnectListeners (socket: Socket): void {
  socket.on('newListener', callLateConnectListener)
}

function callLateConnectListener (this: Socket, event: string | symbol, listener: (...args: any[]) => void): void {
  if (event !== 'connect' || this.connecting || this.destroyed) return
  process.nextTick(() => {
    const entry = this.rawListeners('connect').find((l: any) => l === listener || l.listener === listener)
    if (entry === undefined || this.destroyed) return
    if (entry !== listener) this.removeListener('connect', listener) // added with once()
    listener.call(this)
  })
}
