// JsConnection: HTTP over a socket the application brought itself —
// server.emit('connection', s) with a TLS socket, a net.Socket or any Duplex.
// No native handle reads it, so the socket's 'data' feeds a NativeParser (the
// engine's llhttp wrapper with the same limits and upgrade rule), whose batches
// ServerConnection decodes exactly as the engine's; responses leave through
// socket.write, as Node's do. req.socket is the application's own socket (a
// TLSSocket stays a TLSSocket: `encrypted` is true). DESIGN.md: "Where a
// socket leaves the engine".
import { AsyncResource } from 'async_hooks'
import type { Duplex } from 'stream'
import { binding, NativeParser } from '../engine/binding'
import { DEFAULT_MAX_HEADER_SIZE } from '../engine/constants'
import { parserHeaderEntries } from '../common/headers'
import { ServerConnection, ServerLike as Server, ServerTransport } from './server-connection'
import { kForeignConnections, kServerConnection } from './symbols'

/** Backpressure and parser clocks for a socket JS owns (ServerConnection's view). */
class SocketTransport implements ServerTransport {
  constructor (private readonly socket: Duplex, private readonly parser: NativeParser) {}
  // Node's readStop/readStart for sockets it does not consume.
  pause (): void { this.socket.pause() }
  resume (): void { this.socket.resume() }
  get messageAge (): number { return this.parser.messageAge }
  get headersComplete (): boolean { return this.parser.headersComplete }
}

export class JsConnection extends ServerConnection {
  private readonly parser: NativeParser
  /**
   * Node runs a foreign socket's parser callbacks in an HTTPINCOMINGMESSAGE
   * resource created at 'connection': AsyncLocalStorage sees the store that
   * was active when the socket was handed over.
   */
  private readonly resource: AsyncResource
  private readonly onSocketData = (chunk: unknown): void => this.feed(chunk)
  private readonly onSocketEnd = (): void => this.deliver(this.parser.finish())
  private readonly onSocketClosed = (): void => this.forget()
  private readonly onSocketDrain = (): void => this.onDrain()

  constructor (server: Server, socket: Duplex) {
    const parser = new binding.Parser()
    super(server, new SocketTransport(socket, parser), socket)
    this.parser = parser
    // As the engine's listener (listen.ts refreshLimits); 0 means the default, as in Node.
    parser.setLimits(server.maxHeaderSize || DEFAULT_MAX_HEADER_SIZE, parserHeaderEntries(server.maxHeadersCount), !!server.insecureHTTPParser)
    this.resource = new AsyncResource('HTTPINCOMINGMESSAGE')
    // Tracked once the server has listened, as Node's ConnectionsList.
    server[kForeignConnections]?.add(this)
    socket.on('data', this.onSocketData)
    socket.on('end', this.onSocketEnd)
    socket.on('close', this.onSocketClosed)
    socket.on('drain', this.onSocketDrain)
  }

  private feed (chunk: unknown): void {
    if (this.closed) return
    // Node refuses setEncoding on a socket it serves (ERR_HTTP_SOCKET_ENCODING);
    // a Duplex that yields strings anyway has them encoded back (UTF-8).
    const data = chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk))
    this.deliver(this.parser.execute(data, this.server.listenerCount('upgrade') > 0))
  }

  private deliver (batch: unknown[] | undefined): void {
    if (batch !== undefined) this.resource.runInAsyncScope(this.onBatch, this, batch)
  }

  /** After 'upgrade'/'connect' the socket is the application's alone (Node's freeParser). */
  protected override releaseSocket (): void {
    const socket = this.facade!
    socket.removeListener('data', this.onSocketData)
    socket.removeListener('end', this.onSocketEnd)
    socket.removeListener('close', this.closeListener)
    socket.removeListener('drain', this.onSocketDrain)
    this.forget()
  }

  private forget (): void {
    this.closed = true
    const socket = this.facade as any
    socket.removeListener('close', this.onSocketClosed)
    if (socket[kServerConnection] === this) delete socket[kServerConnection]
    this.server[kForeignConnections]?.delete(this)
  }
}
