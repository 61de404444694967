// ListenHandle: server._handle while a server listens (COMPAT.md #19). Node's
// net.Server keeps its libuv listening handle there, and code outside the
// http module decides from it or calls into it: supertest closes a server
// only `if (server._handle)`, net.Server's own ref()/unref()/listening go
// through it, tools read its fd, async id and socket name. The engine's
// listening handle is native, so this object answers those calls for it.
import { AsyncResource } from 'async_hooks'
import type { NativeListener, PeerInfo } from '../engine/binding'
import { kListener } from './symbols'

export class ListenHandle {
  /** The engine's listener behind this handle. */
  readonly [kListener]: NativeListener
  /** Node's TCP handles have getsockname, its pipe handles have not (address() reads the path instead). */
  readonly getsockname?: (out: PeerInfo) => number
  #ref = true
  #closed = false
  // The async resource Node's own server handle is (async_hooks see it
  // created at listen and destroyed at close).
  readonly #resource: AsyncResource

  constructor (listener: NativeListener) {
    this[kListener] = listener
    this.#resource = new AsyncResource(listener.pipe ? 'PIPESERVERWRAP' : 'TCPSERVERWRAP', { requireManualDestroy: true })
    if (!listener.pipe) this.getsockname = (out) => listener.sockName(out)
  }

  get fd (): number { return this[kListener].fd }

  getAsyncId (): number { return this.#resource.asyncId() }

  ref (): void {
    this.#ref = true
    this[kListener].setRef(true)
  }

  unref (): void {
    this.#ref = false
    this[kListener].setRef(false)
  }

  hasRef (): boolean { return this.#ref }

  /** Stops listening; cb (as a libuv handle's close callback) runs once the socket is closed. */
  close (cb?: () => void): void {
    if (this.#closed) return
    this.#closed = true
    this[kListener].close()
    this.#resource.emitDestroy()
    if (typeof cb === 'function') setImmediate(cb)
  }
}
