// ClientSocket: the socket of a client connection. It is lib/engine/socket.ts's
// Socket (a net.Socket whose I/O goes to a native connection) plus what a
// connecting net.Socket adds: `connecting`, 'connect' before any byte leaves,
// options remembered until there is a connection (PendingNative), and the
// switch to raw delivery when someone else reads it.
import type { NativeConnection } from '../engine/binding'
import type { NodeError } from '../common/errors'
import { kOwner, Socket, SocketOwner } from '../engine/socket'

/** What a client socket needs from its connection (lib/client/client-connection.ts). */
export interface ClientSocketOwner extends SocketOwner {
  /** Someone else reads the socket's bytes: stop parsing them. */
  readByOthers (): void
}

/**
 * Until a native connection exists (name resolution, or between two
 * connection attempts) this stands in for it: socket options are remembered
 * and replayed on the connection that succeeds, as net.Socket does with
 * noDelay/keepAlive/ref before its handle exists.
 */
export class PendingNative {
  noDelay: boolean | null = null
  keepAlive: [boolean, number] | null = null
  ref = true
  paused = false
  constructor (private readonly conn: { closeUnconnected (): void }) {}
  write (): number { return -32 /* EPIPE: the socket defers writes while connecting */ }
  pause (): void { this.paused = true }
  resume (): void { this.paused = false }
  shutdown (): void {}
  close (): void { this.conn.closeUnconnected() }
  reset (): number { this.conn.closeUnconnected(); return 0 }
  setParser (): void {}
  setLimits (): void {}
  setNoDelay (on: boolean): number { this.noDelay = on; return 0 }
  setKeepAlive (on: boolean, delaySecs: number): number { this.keepAlive = [on, delaySecs]; return 0 }
  peerName (): number { return -9 /* EBADF */ }
  sockName (): number { return -9 }
  readonly writeQueueSize = 0
  readonly bytesRead = 0
  readonly bytesWritten = 0
  readonly fd = -1
  readonly messageAge = -1
  readonly idleAge = 0
  readonly headersComplete = false
  expectNoBody (): void {}
  expectUpgrade (): void {}
  setRef (on: boolean): void { this.ref = on }

  /** Replays what was set while there was no connection. */
  applyTo (native: NativeConnection): void {
    if (this.noDelay !== null) native.setNoDelay(this.noDelay)
    if (this.keepAlive !== null) native.setKeepAlive(this.keepAlive[0], this.keepAlive[1])
    if (!this.ref) native.setRef(false)
    if (this.paused) native.pause()
  }
}

/** The socket of a client connection: net.Socket's connecting state on top of lib/engine/socket.ts. */
export class ClientSocket extends Socket {
  declare [kOwner]: ClientSocketOwner
  declare connecting: boolean
  declare _host: string | null
  declare _hadError: boolean

  // Bytes written while connecting wait for 'connect', as in net.Socket.
  override _write (chunk: any, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.connecting) {
      deferUntilConnected(this, () => super._write(chunk, encoding, cb), cb)
      return
    }
    super._write(chunk, encoding, cb)
  }

  override _writev (chunks: Array<{ chunk: any, encoding: BufferEncoding }>, cb: (err?: Error | null) => void): void {
    if (this.connecting) {
      deferUntilConnected(this, () => super._writev(chunks, cb), cb)
      return
    }
    super._writev(chunks, cb)
  }

  override _final (cb: (err?: Error | null) => void): void {
    if (this.connecting) {
      this.once('connect', () => this._final(cb))
      return
    }
    super._final(cb)
  }

  override _destroy (err: Error | null, cb: (err?: Error | null) => void): void {
    this.connecting = false
    super._destroy(err, cb)
  }

  // Someone reads the socket itself while no uvhttp request is parsing on
  // it: another HTTP client (node:http's ClientRequest given a uvhttp
  // Agent, as libraries taking an `agent` option do) or a protocol of the
  // application's. From then on its bytes are delivered raw.
  override on (event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === 'data' || event === 'readable') this[kOwner].readByOthers()
    return super.on(event as string, listener)
  }

  override addListener (event: string | symbol, listener: (...args: any[]) => void): this {
    return this.on(event, listener)
  }
}

function deferUntilConnected (socket: ClientSocket, write: () => void, cb: (err?: Error | null) => void): void {
  const onClose = (): void => {
    socket.off('connect', onConnect)
    cb(closedBeforeConnection())
  }
  const onConnect = (): void => {
    socket.off('close', onClose)
    write()
  }
  socket.once('connect', onConnect)
  socket.once('close', onClose)
}

function closedBeforeConnection (): NodeError {
  const err = new Error('Socket closed before the connection was established') as NodeError
  err.code = 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION'
  return err
}

Object.defineProperties(ClientSocket.prototype, {
  pending: {
    configurable: true,
    get (this: ClientSocket) { return this.connecting || this[kOwner].native instanceof PendingNative },
  },
  readyState: {
    configurable: true,
    get (this: ClientSocket) {
      if (this.connecting) return 'opening'
      if (this.readable && this.writable) return 'open'
      if (this.readable) return 'readOnly'
      if (this.writable) return 'writeOnly'
      return 'closed'
    },
  },
})
