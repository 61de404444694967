// How a ClientRequest's bytes reach the engine. Node's OutgoingMessage
// writes through the socket's Writable (a buffer, a cork, a callback tick
// per write); for a request on the engine's own connection that is idle
// the bytes go to the native connection instead (issue 14): a bodiless
// request's end() or flushHeaders() as one call with the head, a request
// that waited for its socket (the agent's queue, a connection being made)
// as everything it gathered, corked into one write. Same bytes, same order,
// callbacks on a later tick as a Writable runs them. Whatever is unusual —
// a socket from elsewhere, one still connecting or corked (Node corks the
// socket for the writes of one tick), bytes already waiting in the
// socket's buffer, a write as large as the highWaterMark (where a Writable
// returns false and 'drain' follows) — takes Node's path.
import { WriteFlag } from '../engine/constants'
import { errnoException } from '../common/errors'
import { outgoingNop } from '../common/node-internals'
import { bodyOf, flagsFor, kOwner } from '../engine/socket'
import type { ClientConnection } from './client-connection'

type Callback = ((err?: Error | null) => void) | null | undefined

/**
 * The engine connection `req` may write `bytes` more to at once, or null:
 * its socket is the engine's, connected, idle (nothing in its Writable
 * buffer, not corked), this request is the socket's current one, and the
 * bytes stay below the socket's highWaterMark. (Bytes the kernel has not
 * taken yet wait in the engine's queue, which keeps order; reading
 * writableLength, which counts them, would be a native call.)
 */
export function directConnection (req: any, socket: any, bytes: number): ClientConnection | null {
  const conn = socket?.[kOwner] as ClientConnection | undefined
  if (conn === undefined || conn.closed || socket.destroyed || socket.connecting || !socket.writable ||
      socket._httpMessage !== req || socket.writableCorked !== 0 || socket.streamWritableLength !== 0 ||
      bytes >= socket.writableHighWaterMark || conn.upgraded) return null
  return conn
}

/**
 * Writes head (latin1, or null) and data; returns false if the connection
 * failed (the socket is then destroyed with the error). The callback runs
 * once the kernel has the bytes, on a later tick.
 */
export function writeDirect (conn: ClientConnection, head: string | null, data: any, encoding: any,
  callback: Callback, more: boolean): boolean {
  const socket = conn.socket
  // Node's end() writes '' to learn when everything before it has left.
  const empty = head === null && data.length === 0
  const queued = empty
    ? conn.lastQueued
    : conn.native.write(head, bodyOf(data, encoding), null, flagsFor(encoding) | (more ? WriteFlag.MORE : 0))
  if (socket.timeout) socket._unrefTimer()
  if (queued < 0) {
    const err = errnoException(queued, 'write')
    socket.destroy(err)
    if (typeof callback === 'function') process.nextTick(callback, err)
    return false
  }
  if (!empty) conn.lastQueued = queued
  if (typeof callback === 'function' && callback !== outgoingNop) {
    if (queued === 0) process.nextTick(callback)
    else conn.afterDrain(callback)
  }
  return true
}

/** Bytes (as a Writable counts them) of what a request gathered before it had its socket. */
function gatheredLength (pending: Array<{ data: any }>): number {
  let n = 0
  for (let i = 0; i < pending.length; i++) n += pending[i].data.length
  return n
}

/**
 * OutgoingMessage#_flushOutput: what the request gathered before it had
 * its socket leaves in one native call per chunk, corked into one write.
 */
export function flushOutput (this: any, socket: any, nodeFlushOutput: Function): boolean | undefined {
  const pending = this.outputData
  if (pending.length === 0) return undefined
  const conn = directConnection(this, socket, gatheredLength(pending))
  if (conn === null) return nodeFlushOutput.call(this, socket)
  // All but the last bytes are corked (an empty entry is only a callback).
  let last = pending.length - 1
  while (last > 0 && pending[last].data.length === 0) last--
  let ok = true
  for (let i = 0; i < pending.length && ok; i++) {
    const { data, encoding, callback } = pending[i]
    ok = writeDirect(conn, null, data, encoding, callback, i < last)
  }
  this.outputData = []
  this.outputSize = 0
  return ok
}

/** OutgoingMessage#_writeRaw on an idle engine connection; undefined: take Node's path. */
export function writeRaw (req: any, data: any, encoding: any, callback: Callback): boolean | undefined {
  const socket = req.socket
  if (socket == null || req.outputData.length !== 0) return undefined
  const conn = directConnection(req, socket, data.length)
  if (conn === null) return undefined
  return writeDirect(conn, null, data, encoding, callback, false)
}
