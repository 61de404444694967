// Private state keys shared across lib/ (undici's core/symbols.js pattern).
// State lives on the objects under these keys, never in closures, so that
// prototype swaps by frameworks (COMPAT.md #9) keep working.

/** The per-connection state (ServerConnection / ClientConnection) a message belongs to. */
export const kConn = Symbol('uvhttp.connection')
/** The lazily built socket facade of a message or connection. */
export const kSocket = Symbol('uvhttp.socket')
/** IncomingMessage: lazily built headers / headersDistinct / trailers. */
export const kHeaders = Symbol('uvhttp.headers')
export const kHeadersDistinct = Symbol('uvhttp.headersDistinct')
export const kTrailers = Symbol('uvhttp.trailers')
export const kTrailersDistinct = Symbol('uvhttp.trailersDistinct')
/** IncomingMessage: the header-count limit that applies to it. */
export const kMaxHeadersCount = Symbol('uvhttp.maxHeadersCount')
/** OutgoingMessage: the header store (Node's kOutHeaders). */
export const kOutHeaders = Symbol('kOutHeaders')
/** OutgoingMessage: writes waiting for this message's turn on the connection. */
export const kPending = Symbol('uvhttp.pending')
export const kNeedDrain = Symbol('uvhttp.needDrain')
export const kHighWaterMark = Symbol('uvhttp.highWaterMark')
export const kCorked = Symbol('uvhttp.corked')
export const kUniqueHeaders = Symbol('uvhttp.uniqueHeaders')
/** Server: its connections, and the interval that checks their timeouts. */
export const kConnections = Symbol('uvhttp.connections')
/** Server: connections over sockets the application brought (server.emit('connection', s)). */
export const kForeignConnections = Symbol('uvhttp.foreignConnections')
/** A server socket (the engine's or the application's): its ServerConnection. */
export const kServerConnection = Symbol('uvhttp.serverConnection')
export const kListener = Symbol('uvhttp.listener')
export const kCheckTimer = Symbol('uvhttp.checkTimer')
export const kOptions = Symbol('uvhttp.options')
/** Server: the request and response classes it instantiates (options.IncomingMessage / ServerResponse). */
export const kIncomingMessage = Symbol('uvhttp.IncomingMessage')
export const kServerResponse = Symbol('uvhttp.ServerResponse')
export const kRef = Symbol('uvhttp.ref')
