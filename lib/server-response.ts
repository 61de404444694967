// ServerResponse: Node's own http.ServerResponse, subclassed. Its header
// rules, framing and errors are Node's by construction (COMPAT.md #5, #7);
// the engine underneath is uvhttp's: the socket it writes to is the native
// connection (lib/socket.ts), which corks everything a batch produces into
// one write (DESIGN.md #4).
import * as http from 'http'

export interface ServerResponse extends http.ServerResponse {
  [key: string | symbol]: any
}

/** A function constructor so that `ServerResponse.call(this, req)` works (COMPAT.md #8). */
export const ServerResponse = function ServerResponse (this: ServerResponse, req: http.IncomingMessage, options?: object) {
  (http.ServerResponse as any).call(this, req, options)
} as unknown as typeof http.ServerResponse

Object.setPrototypeOf(ServerResponse.prototype, http.ServerResponse.prototype)
Object.setPrototypeOf(ServerResponse, http.ServerResponse)
