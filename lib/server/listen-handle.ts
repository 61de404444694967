// ListenHandle: server._handle while a server listens (COMPAT.md #19). Node's
// net.Server keeps its libuv listening handle there, and code outside the
// http module decides from it or calls into it: supertest closes a server
// only `if (server._handle)`, net.Server's own listen()/close()/ref()/
// unref()/address()/listening go through it, tools read its fd, async id
// and socket name. The engine's listening handle is native, so this object
// answers those calls for it.
import { AsyncResource } from 'async_hooks'
import type { NativeListener, PeerInfo } from '../engine/binding'
import { kListener } from './symbols'

/**
 * A handle the server listens through besides its own (lib/server/listen.ts
 * takeOver): closed, ref'd and unref'd with it.
 */
export interface GivenHandle {
  close (): void
  ref (): void
  unref (): void
  /** Round-robin in a cluster worker: the primary's listening socket's name. */
  getsockname?: (out: PeerInfo) => number
}

export class ListenHandle {
  /** The engine's listener behind this handle. */
  readonly [kListener]: NativeListener
  /** Node's TCP handles have getsockname, its pipe handles have not (address() reads the path instead). */
  readonly getsockname?: (out: PeerInfo) => number
  /** Pipes: who may connect (net.Server#listen({ readableAll, writableAll })). */
  readonly fchmod?: (mode: number) => number
  readonly #given: GivenHandle | null
  #ref = true
  #closed = false
  // The async resource Node's own server handle is (async_hooks see it
  // created at listen and destroyed at close).
  readonly #resource: AsyncResource

  constructor (listener: NativeListener, given: GivenHandle | null) {
    this[kListener] = listener
    this.#given = given
    // In round-robin the socket is the primary's: the listener has none.
    const ownSocket = listener.fd >= 0
    const tcp = ownSocket ? !listener.pipe : given?.getsockname !== undefined
    this.#resource = new AsyncResource(tcp ? 'TCPSERVERWRAP' : 'PIPESERVERWRAP', { requireManualDestroy: true })
    if (tcp) this.getsockname = ownSocket ? (out) => listener.sockName(out) : given!.getsockname
    else if (ownSocket) this.fchmod = (mode) => listener.chmod(mode)
  }

  get fd (): number { return this[kListener].fd }

  getAsyncId (): number { return this.#resource.asyncId() }

  ref (): void {
    this.#ref = true
    this[kListener].setRef(true)
    this.#given?.ref()
  }

  unref (): void {
    this.#ref = false
    this[kListener].setRef(false)
    this.#given?.unref()
  }

  hasRef (): boolean { return this.#ref }

  /** Stops listening; cb (as a libuv handle's close callback) runs once the socket is closed. */
  close (cb?: () => void): void {
    if (this.#closed) return
    this.#closed = true
    this[kListener].close()
    this.#given?.close()
    this.#resource.emitDestroy()
    if (typeof cb === 'function') setImmediate(cb)
  }
}
