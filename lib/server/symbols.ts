// Private state keys shared across lib/ (undici's core/symbols.js pattern).
// State lives on the objects under these keys, never in closures, so that
// prototype swaps by frameworks (COMPAT.md #9) keep working. Slots that
// Node's own methods read are keyed by Node's symbols (lib/common/node-internals.ts).

/** Server: its connections, and the interval that checks their timeouts. */
export const kConnections = Symbol('uvhttp.connections')
/** Server: connections over sockets the application brought (server.emit('connection', s)). */
export const kForeignConnections = Symbol('uvhttp.foreignConnections')
/** A server socket (the engine's or the application's): its ServerConnection. */
export const kServerConnection = Symbol('uvhttp.serverConnection')
/** ListenHandle (server._handle): the engine's native listener behind it. */
export const kListener = Symbol('uvhttp.listener')
/** Server: the interval of checkConnections (headersTimeout / requestTimeout). */
export const kCheckTimer = Symbol('uvhttp.checkTimer')
/** Server: the classes it builds requests and responses from (createServer options). */
export const kIncomingMessage = Symbol('uvhttp.IncomingMessage')
export const kServerResponse = Symbol('uvhttp.ServerResponse')
/** Server: its requests / responses are uvhttp's own (lib/common/incoming-message.ts, lib/server/server-response.ts), not Node's. */
export const kLeanRequests = Symbol('uvhttp.leanRequests')
export const kLeanResponses = Symbol('uvhttp.leanResponses')
/** A response (or request): the ServerConnection it belongs to, or null. */
export const kConnection = Symbol('uvhttp.connection')
/** Server: the keep-alive sweep of its connections without a socket facade. */
export const kKeepAliveSweep = Symbol('uvhttp.keepAliveSweep')
/** Server: the parser limits its listener last got ({ size, entries, lenient }). */
export const kParserLimits = Symbol('uvhttp.parserLimits')
