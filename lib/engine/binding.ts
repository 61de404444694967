// The only file that loads the addon. It describes the native contract
// (DESIGN.md) as TypeScript types, and explains what to do when the binary is
// missing (scripts/addon-help.js, shared with the install step).
import * as path from 'path'

/** Per-connection JS state object: native calls its onBatch for every read. */
export interface ConnectionOwner {
  /** Called once per socket read (or libuv event) with a flat event array. */
  onBatch (batch: unknown[]): void
}

export interface PeerInfo { address?: string, port?: number, family?: string }

export interface NativeConnection {
  /**
   * Queues prefix + body + suffix (any may be null) in one write: uv_try_write
   * first, the rest copied and handed to uv_write. While a batch is being
   * delivered, writes are corked and leave together when it returns.
   * Returns the bytes still queued in user space, or a negative errno.
   */
  write (prefix: string | null, body: Buffer | Uint8Array | string | null, suffix: string | null, flags: number): number
  /**
   * Commits what writes flagged HOLD left held: it leaves now, or when the
   * batch being delivered returns. Returns what write() returns.
   */
  flush (): number
  /** Stop uv_read (backpressure) / start it again. */
  pause (): void
  resume (): void
  /** Half-close after queued writes; the connection closes once the peer is done too. */
  shutdown (): void
  /** Close now (uv_close); queued writes are dropped. CLOSE follows. */
  close (): void
  /**
   * Close now with a TCP RST (uv_tcp_close_reset); CLOSE follows. Returns 0,
   * UV_ENOTSUP for a pipe (nothing done), or the reset's error (EINVAL after
   * a shutdown), the connection closing normally then.
   */
  reset (): number
  /** Switch parsing: REQUEST, RESPONSE, or NONE (raw DATA events). */
  setParser (mode: number): void
  /**
   * Parser limits for this connection (client options maxHeaderSize,
   * insecureHTTPParser, maxHeadersCount). maxHeaderEntries (Node's
   * parser.maxHeaderPairs: name and value slots, 0 for no limit) refuses a
   * request past it, and a response whose Content-Length or
   * Transfer-Encoding lies past it (HttpParser::SetMaxHeaderEntries).
   */
  setLimits (maxHeaderSize: number, maxHeaderEntries: number, lenient: boolean): void
  setNoDelay (on: boolean): number
  setKeepAlive (on: boolean, delaySecs: number): number
  peerName (out: PeerInfo): number
  sockName (out: PeerInfo): number
  /** Bytes waiting in the native write queue. */
  readonly writeQueueSize: number
  readonly bytesRead: number
  readonly bytesWritten: number
  readonly fd: number
  /** Milliseconds since the message being parsed began, or -1 between messages. */
  readonly messageAge: number
  /** Milliseconds since the last read or write. */
  readonly idleAge: number
  readonly headersComplete: boolean
  /** A response to a HEAD request carries no body (client side). */
  expectNoBody (): void
  /** The next response answers CONNECT: the bytes after its head are the tunnel's (client side). */
  expectUpgrade (): void
  setRef (on: boolean): void
  /**
   * From now on the connection's callbacks run in the caller's async context
   * (its AsyncLocalStorage stores), not the one it was created with.
   * `resource` is the connection's owner (what receives its batches).
   */
  adoptAsyncContext (resource: object): void
}

export interface NativeListener {
  /** kind: 4 | 6 for TCP, 0 for a pipe path; flags 1 IPv6 only, 2 SO_REUSEPORT; returns 0 or a negative errno. */
  listen (kind: number, hostOrPath: string, port: number, backlog: number, flags: number): number
  /** Listen on a copy of an already bound fd (listen(handle), listen({ fd })); returns 0 or a negative errno. */
  open (fd: number, backlog: number): number
  /**
   * Serve a connection accepted elsewhere (cluster's round-robin primary) as
   * one of this listener's, on a copy of fd; returns 0 or a negative errno.
   */
  adopt (fd: number): number
  /** Pipes: uv_pipe_chmod (1 readable, 2 writable by everyone); returns 0 or a negative errno. */
  chmod (mode: number): number
  sockName (out: PeerInfo): number
  /** The listening socket's descriptor, or -1. */
  readonly fd: number
  /** It listens on a Unix domain socket (or a Windows pipe), not TCP. */
  readonly pipe: boolean
  /** Whether requests with Connection: Upgrade leave the parser (an 'upgrade' listener exists). */
  setUpgrade (on: boolean): void
  /** Limits for the connections accepted from now on; maxHeaderEntries as NativeConnection#setLimits. */
  setLimits (maxHeaderSize: number, maxHeaderEntries: number, lenient: boolean): void
  close (): void
  setRef (on: boolean): void
}

/**
 * The engine's HTTP parser for a socket JS owns (server.emit('connection', s)
 * with a TLS socket, a net.Socket or any Duplex; a client request's socket
 * from createConnection or another agent): the same llhttp wrapper,
 * limits and upgrade rule as a NativeConnection, and the same batch records,
 * returned instead of delivered (there is no read loop to deliver from).
 */
export interface NativeParser {
  /**
   * Parses one chunk; returns its batch (HEAD, BODY, END, PARSE_ERROR, then
   * DATA with the bytes after an upgrade/CONNECT head), or undefined if it
   * produced nothing. After an upgrade or an error further input is ignored.
   */
  execute (chunk: Uint8Array, wantUpgrade: boolean): unknown[] | undefined
  /** The socket ended: [PARSE_ERROR for a truncated message,] EOF. */
  finish (): unknown[]
  setLimits (maxHeaderSize: number, maxHeaderEntries: number, lenient: boolean): void
  /** Response mode: the request was HEAD, its response has no body. */
  expectNoBody (): void
  /** Response mode: the request was CONNECT, the bytes after its response's head are the tunnel's. */
  expectUpgrade (): void
  readonly messageAge: number
  readonly headersComplete: boolean
}

export interface Binding {
  Listener: new (owner: object) => NativeListener
  /** mode: ParserMode.REQUEST (the default) or ParserMode.RESPONSE. */
  Parser: new (mode?: number) => NativeParser
  /**
   * Creates a client connection (kind 4 | 6: host is an IP literal; kind 0:
   * host is a Unix socket path), or returns a negative errno. CONNECT (errno)
   * arrives in its owner's batch.
   */
  connect (owner: ConnectionOwner, kind: number, host: string, port: number, localAddress: string | null): NativeConnection | number
  /**
   * Registers the per-environment handlers: onConnection(listenerOwner, conn)
   * returns the ConnectionOwner whose onBatch receives that connection's events.
   */
  setup (handlers: {
    onConnection (listenerOwner: object, conn: NativeConnection): ConnectionOwner
    onBatch (this: ConnectionOwner, ...batch: unknown[]): void
  }): void
  /**
   * The libuv type ('tcp', 'timer', …) of every handle keeping the event loop
   * alive, Node's and the engine's: process.getActiveResourcesInfo() does not
   * see the engine's sockets (the test suite's open-handle report uses it).
   */
  activeHandles (): string[]
  /** Native connections whose state is not yet freed (tests: freed at close, not at GC). */
  liveConnections (): number
  /** Names of llhttp's methods, indexed by the HEAD record's method slot. */
  METHODS: string[]
  versions: { llhttp: string }
  constants: Record<string, number>
}

function load (): Binding {
  // The sanitizer run (scripts/test-asan.sh) points at its own build.
  const explicit = process.env.UVHTTP_ADDON_PATH
  if (explicit) return require(explicit)
  const root = path.join(__dirname, '..', '..')
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('node-gyp-build')(root)
  } catch (err) {
    // What was looked for, on which runtime, and what to run (sharp's model).
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const help = require(path.join(root, 'scripts', 'addon-help.js'))
    throw new Error(help.loadFailure(root, err), { cause: err })
  }
}

export const binding: Binding = load()
