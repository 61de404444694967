// IncomingMessage: a request on the server, a response on the client.
//
// It inherits from Node's own http.IncomingMessage: frameworks re-parent
// requests onto prototypes built from Node's class (COMPAT.md #9), so every
// field Node's methods read must be there, and the simplest way to be exactly
// Node's Readable (COMPAT.md #1) is to be one. The engine fills it through
// Node's own entry points (_addHeaderLines, push), and `headers` is built
// from rawHeaders only when read, as Node does.
import * as http from 'http'

export interface IncomingMessage extends http.IncomingMessage {
  [key: string | symbol]: any
}

// Read once: `http.X` goes through an import getter on every access.
const NodeIncomingMessage = http.IncomingMessage as any

/** A function constructor so that `IncomingMessage.call(this, socket)` works (COMPAT.md #8). */
export const IncomingMessage = function IncomingMessage (this: IncomingMessage, socket: any) {
  NodeIncomingMessage.call(this, socket)
} as unknown as typeof http.IncomingMessage

Object.setPrototypeOf(IncomingMessage.prototype, http.IncomingMessage.prototype)
Object.setPrototypeOf(IncomingMessage, http.IncomingMessage)
