// The per-environment entry points the addon calls (binding.setup): a new
// connection on a listener, and a batch for a connection. The engine knows
// nothing of what owns a listener: the owner (lib/server/server.ts's Server)
// answers kOnConnection with the ConnectionOwner of the new connection.
import { binding, ConnectionOwner, NativeConnection } from './binding'

/** Method of a listener's owner: (native connection) -> its ConnectionOwner. */
export const kOnConnection = Symbol('uvhttp.onConnection')

export interface ListenerOwner {
  [kOnConnection] (native: NativeConnection): ConnectionOwner
}

binding.setup({
  onConnection (owner: object, native: NativeConnection) {
    return (owner as ListenerOwner)[kOnConnection](native)
  },
  // The records arrive as the call's arguments; an oversized batch as one array.
  onBatch (this: any, ...batch: unknown[]) {
    this.onBatch(batch.length === 1 && typeof batch[0] !== 'number' ? batch[0] : batch)
  },
})
