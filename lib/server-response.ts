// ServerResponse: Node's own http.ServerResponse, subclassed. Its header
// rules, framing and errors are Node's by construction (COMPAT.md #5, #7);
// the engine underneath is uvhttp's: the socket it writes to is the native
// connection (lib/socket.ts), which corks everything a batch produces into
// one write (DESIGN.md #4).
import * as http from 'http'
import { WriteFlag } from './constants'
import { errnoException } from './errors'
import { kOwner } from './socket'

export interface ServerResponse extends http.ServerResponse {
  [key: string | symbol]: any
}

/** A function constructor so that `ServerResponse.call(this, req)` works (COMPAT.md #8). */
export const ServerResponse = function ServerResponse (this: ServerResponse, req: http.IncomingMessage, options?: object) {
  (http.ServerResponse as any).call(this, req, options)
} as unknown as typeof http.ServerResponse

Object.setPrototypeOf(ServerResponse.prototype, http.ServerResponse.prototype)
Object.setPrototypeOf(ServerResponse, http.ServerResponse)

const nodeWriteRaw = (http.OutgoingMessage.prototype as any)._writeRaw

function writeFlags (encoding: string | null | undefined): number {
  return encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii' ? 0 : WriteFlag.UTF8
}

function nativeBody (data: any, encoding: string | null | undefined): any {
  if (typeof data !== 'string' || !encoding || encoding === 'utf8' || encoding === 'utf-8' ||
      encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii') return data
  return Buffer.from(data, encoding as BufferEncoding)
}

/**
 * Node's _writeRaw goes through the socket's Writable (buffering, callbacks,
 * ticks). When the socket is uvhttp's and nothing sits in its Writable
 * buffer, the bytes go straight to the native connection instead: same
 * order, same return value (below the highWaterMark), callbacks after the
 * write as Node's. Anything unusual takes Node's path.
 */
;(ServerResponse.prototype as any)._writeRaw = function _writeRaw (this: ServerResponse, data: any,
  encoding: any, callback: any, size?: number) {
  const conn = this.socket as any
  const owner = conn?.[kOwner]
  if (owner === undefined || conn.destroyed || conn._httpMessage !== this || !conn.writable ||
      conn.writableLength !== 0 || owner.closed) {
    return nodeWriteRaw.call(this, data, encoding, callback, size)
  }
  if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }
  const native = owner.native
  const pending = this.outputData
  if (pending.length !== 0) {
    // The head of a Buffer body waits here (_send): it leaves in the same write.
    for (let i = 0; i < pending.length; i++) {
      const { data: d, encoding: e, callback: cb } = pending[i]
      native.write(null, nativeBody(d, e), null, writeFlags(e) | WriteFlag.MORE)
      if (typeof cb === 'function') process.nextTick(cb)
    }
    this.outputData = []
    this.outputSize = 0
  }
  // Node's end() sends '' to learn when everything before it has left.
  const queued: number = data.length === 0 && pending.length === 0
    ? owner.lastQueued
    : native.write(null, nativeBody(data, encoding), null, writeFlags(encoding))
  if (conn.timeout) conn._unrefTimer()
  if (queued < 0) {
    const err = errnoException(queued, 'write')
    conn.destroy(err)
    if (typeof callback === 'function') process.nextTick(callback, err)
    return false
  }
  if (typeof callback === 'function') {
    if (queued === 0) process.nextTick(callback)
    else owner.afterDrain(callback)
  }
  // As a Writable would: bytes written in this tick count against the
  // highWaterMark until the tick ends (Node's callbacks run on the next
  // tick), so a large chunk returns false even if the kernel took it all,
  // and 'drain' follows.
  owner.lastQueued = queued
  owner.tickBytes += data.length
  if (!owner.tickScheduled) {
    owner.tickScheduled = true
    process.nextTick(endOfTick, owner)
  }
  if (queued + owner.tickBytes < conn.writableHighWaterMark) return true
  owner.needDrain = true
  return false
}

function endOfTick (owner: any): void {
  owner.tickScheduled = false
  owner.tickBytes = 0
  // Bytes still in the native queue: the engine's DRAIN event will come.
  if (owner.needDrain && owner.lastQueued === 0 && !owner.closed) {
    owner.needDrain = false
    owner.socket.emit('drain')
  }
}
