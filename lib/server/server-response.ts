// ServerResponse: Node's own http.ServerResponse, subclassed. Its header
// rules, framing and errors are Node's by construction (COMPAT.md #5, #7);
// the engine underneath is uvhttp's: the socket it writes to is the native
// connection (lib/engine/socket.ts), which corks everything a batch produces into
// one write (DESIGN.md #4).
import * as http from 'http'
import { WriteFlag } from '../engine/constants'
import { errnoException } from '../common/errors'
import { kOwner } from '../engine/socket'
import { kServerConnection, kWriting } from './symbols'
import { outgoingNop } from '../common/node-internals'

export interface ServerResponse extends http.ServerResponse {
  [key: string | symbol]: any
}

// Read once: `http.X` goes through an import getter on every access.
const NodeServerResponse = http.ServerResponse as any

/** A function constructor so that `ServerResponse.call(this, req)` works (COMPAT.md #8). */
export const ServerResponse = function ServerResponse (this: ServerResponse, req: http.IncomingMessage, options?: object) {
  NodeServerResponse.call(this, req, options)
} as unknown as typeof http.ServerResponse

Object.setPrototypeOf(ServerResponse.prototype, http.ServerResponse.prototype)
Object.setPrototypeOf(ServerResponse, http.ServerResponse)

const nodeWrite = (http.OutgoingMessage.prototype as any).write
const nodeWriteRaw = (http.OutgoingMessage.prototype as any)._writeRaw
const nodeFlushOutput = (http.OutgoingMessage.prototype as any)._flushOutput

function writeFlags (encoding: string | null | undefined): number {
  return encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii' ? 0 : WriteFlag.UTF8
}

function nativeBody (data: any, encoding: string | null | undefined): any {
  if (typeof data !== 'string' || !encoding || encoding === 'utf8' || encoding === 'utf-8' ||
      encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii') return data
  return Buffer.from(data, encoding as BufferEncoding)
}

const nodeSend = (http.OutgoingMessage.prototype as any)._send
const nodeWritableLength = Object.getOwnPropertyDescriptor(http.OutgoingMessage.prototype, 'writableLength')!.get!

/**
 * Node counts in writableLength what waits in the socket, where its writes
 * stay until libuv has written them; the writes below skip the socket's
 * Writable for the engine's queue, so what waits there counts too. Node 24+
 * emits 'drain' from uncork() once writableLength is 0 (Node 26 uncorks
 * after every write of a chunked response): without the engine's queue in
 * it, a client that reads nothing got 'drain' after 'drain' and the queue
 * grew without bound. end() also waits for the socket only if it is not 0.
 */
Object.defineProperty(ServerResponse.prototype, 'writableLength', {
  configurable: true,
  get (this: ServerResponse): number {
    const owner = (this.socket as any)?.[kOwner]
    return nodeWritableLength.call(this) + (owner !== undefined ? owner.lastQueued : 0)
  },
})

/** The response may write straight to the engine: its socket is uvhttp's, it is the socket's current message, nothing waits in the socket's Writable. */
function engineOwner (res: ServerResponse, conn: any): any {
  const owner = conn[kOwner]
  if (owner === undefined || conn.destroyed || conn._httpMessage !== res || !conn.writable ||
      conn.streamWritableLength !== 0 || owner.closed) return undefined
  return owner
}

/**
 * Node's write() corks the response's socket for the rest of the tick
 * (OutgoingMessage write_: socket.cork(), process.nextTick(connectionCorkNT)),
 * so what a handler writes in one tick leaves together at its end, and a
 * destroy before then sends nothing (COMPAT.md #24). What write() hands the
 * engine is held (WriteFlag.HOLD) until the socket uncorks
 * (lib/engine/socket.ts). end() uncorks before it returns: its writes are
 * not held, and commit what was.
 */
;(ServerResponse.prototype as any).write = function write (this: ServerResponse, chunk: any,
  encoding: any, callback: any) {
  this[kWriting] = true
  try {
    return nodeWrite.call(this, chunk, encoding, callback)
  } finally {
    this[kWriting] = false
  }
}

/**
 * A body write() holds that is at least as large as the socket's buffer
 * stays in the socket's Writable, by reference, until the socket uncorks,
 * rather than being copied into the engine's cork buffer.
 */
function largeHeldBody (res: ServerResponse, conn: any, data: any): boolean {
  return res[kWriting] === true && data.length >= conn.writableHighWaterMark
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
  if (conn == null) return writeThroughOrBuffer(this, data, encoding, callback, size)
  const owner = engineOwner(this, conn)
  if (owner === undefined || largeHeldBody(this, conn, data)) return nodeWriteRaw.call(this, data, encoding, callback, size)
  if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }
  return writeToEngine(this, conn, owner, null, data, encoding, callback)
}

/**
 * The first write of a Buffer body: Node's _send queues the head in
 * outputData (Array#unshift) for _writeRaw to write before the body; here
 * head and body go to the engine in one call, as the same bytes. A string
 * body keeps Node's path, where the head joins the string in its encoding.
 */
;(ServerResponse.prototype as any)._send = function _send (this: ServerResponse, data: any,
  encoding: any, callback: any, byteLength?: number) {
  if (!this._headerSent && this._header !== null && typeof data !== 'string' &&
      this.outputData.length === 0 && typeof encoding !== 'function') {
    const conn = this.socket as any
    if (conn != null) {
      const owner = engineOwner(this, conn)
      if (owner !== undefined && !largeHeldBody(this, conn, data)) {
        this._headerSent = true
        return writeToEngine(this, conn, owner, this._header, data, encoding, callback)
      }
    } else {
      const waiting = writeThroughConnection(this)
      if (waiting !== undefined) {
        this._headerSent = true
        return writeThrough(waiting, this, this._header, data, encoding, callback)
      }
    }
  }
  return nodeSend.call(this, data, encoding, callback, byteLength)
}

/**
 * Writes head (latin1, or null) and data to the engine, with Node's callback
 * and return-value rules; held until the socket uncorks if write() made them.
 */
function writeToEngine (res: ServerResponse, conn: any, owner: any, head: string | null, data: any,
  encoding: any, callback: any): boolean {
  const native = owner.native
  const hold = res[kWriting] === true ? WriteFlag.HOLD : 0
  const pending = res.outputData
  if (pending.length !== 0) {
    // The head of a Buffer body written before this path applied waits here: it goes first.
    for (let i = 0; i < pending.length; i++) {
      const { data: d, encoding: e, callback: cb } = pending[i]
      native.write(null, nativeBody(d, e), null, writeFlags(e) | (hold || WriteFlag.MORE))
      if (typeof cb === 'function' && cb !== outgoingNop) process.nextTick(cb)
    }
    res.outputData = []
    res.outputSize = 0
  }
  let queued: number
  if (data.length === 0 && pending.length === 0 && head === null) {
    // Node's end() sends '' to learn when everything before it has left.
    queued = owner.lastQueued
  } else {
    queued = native.write(head, nativeBody(data, encoding), null, writeFlags(encoding) | hold)
    owner.held = hold !== 0
  }
  if (conn.timeout) conn._unrefTimer()
  if (queued < 0) {
    const err = errnoException(queued, 'write')
    conn.destroy(err)
    if (typeof callback === 'function') process.nextTick(callback, err)
    return false
  }
  if (typeof callback === 'function' && callback !== outgoingNop) {
    if (queued === 0) process.nextTick(callback)
    else owner.afterDrain(callback)
  }
  // As a Writable would: bytes written in this tick count against the
  // highWaterMark until the tick ends (Node's write_ corks the socket until
  // the next tick, and its callbacks run then), so a large chunk returns
  // false even if the kernel took it all, and 'drain' follows.
  owner.lastQueued = queued
  owner.tickBytes += data.length + (head === null ? 0 : head.length)
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

/**
 * A pipelined response waits in Node for the ones before it to finish, with
 * its bytes in outputData, and leaves in a write of its own once its turn
 * comes (a tick later, outside the batch's cork): one system call per
 * response. When every response before it has handed all its bytes to the
 * engine and none closes the connection, its bytes can follow them at once,
 * in the same corked write, without changing what the peer receives. Its
 * callbacks still wait in outputData, as zero-length writes, so 'finish'
 * and the socket assignment keep Node's order.
 */
function writeThroughOrBuffer (res: ServerResponse, data: any, encoding: any, callback: any, size?: number): boolean {
  const conn = writeThroughConnection(res)
  if (conn === undefined) return nodeWriteRaw.call(res, data, encoding, callback, size)
  if (typeof encoding === 'function') {
    callback = encoding
    encoding = null
  }
  return writeThrough(conn, res, null, data, encoding, callback)
}

/** The response's connection, if its bytes may go out ahead of its turn (mayWriteThrough). */
function writeThroughConnection (res: ServerResponse): any {
  const conn = (res.req?.socket as any)?.[kServerConnection]
  return conn === undefined || conn.foreign || !mayWriteThrough(conn, res) ? undefined : conn
}

function writeThrough (conn: any, res: ServerResponse, head: string | null, data: any, encoding: any, callback: any): boolean {
  const native = conn.native
  let queued = conn.lastQueued
  // The head of a Buffer body may wait in outputData (Node's _send): it goes first.
  const pending = res.outputData
  if (pending.length !== 0) {
    const callbacks = []
    for (let i = 0; i < pending.length; i++) {
      const { data: d, encoding: e, callback: cb } = pending[i]
      if (d.length !== 0) queued = native.write(null, nativeBody(d, e), null, writeFlags(e))
      if (typeof cb === 'function' && cb !== outgoingNop) callbacks.push({ data: '', encoding: 'latin1', callback: cb })
    }
    res.outputData = callbacks
    res.outputSize = 0
  }
  if ((head !== null || data.length !== 0) && queued >= 0) {
    queued = native.write(head, nativeBody(data, encoding), null, writeFlags(encoding))
  }
  if (queued < 0) {
    conn.socket.destroy(errnoException(queued, 'write'))
    return false
  }
  conn.lastQueued = queued
  if (typeof callback === 'function' && callback !== outgoingNop) res.outputData.push({ data: '', encoding: 'latin1', callback })
  return queued < conn.highWaterMark
}

/** Every byte before `res`'s on this connection is in the engine, and the connection stays open after them. */
function mayWriteThrough (conn: any, res: ServerResponse): boolean {
  const socket = conn.socket
  if (conn.closed || socket.destroyed || !socket.writable || socket.streamWritableLength !== 0) return false
  if (!wroteEverything(socket._httpMessage)) return false
  // The waiting responses already found written ahead stay so: start after them.
  const outgoing = conn.outgoing
  let k = conn.writtenAhead
  while (k < outgoing.length && outgoing[k] !== res && wroteEverything(outgoing[k])) k++
  conn.writtenAhead = k
  return outgoing[k] === res
}

/** end() was called, nothing waits to be written, and the connection is not to close after it. */
function wroteEverything (msg: any): boolean {
  return msg != null && msg.finished && !msg._last && onlyCallbacksLeft(msg.outputData)
}

/** What waits in a message's outputData is callbacks of bytes that went ahead (writeThrough). */
function onlyCallbacksLeft (pending: Array<{ data: { length: number } }>): boolean {
  for (let i = 0; i < pending.length; i++) if (pending[i].data.length !== 0) return false
  return true
}

/**
 * A response whose bytes went out ahead (writeThroughOrBuffer) has only
 * callbacks left when its turn comes: they run as a zero-length socket
 * write's would, on the next tick. Anything else takes Node's path.
 */
;(ServerResponse.prototype as any)._flushOutput = function _flushOutput (this: ServerResponse, socket: any) {
  const pending = this.outputData
  if (pending.length === 0 || this.writableCorked !== 0 || socket?.[kOwner] === undefined ||
      socket.streamWritableLength !== 0 || !onlyCallbacksLeft(pending)) {
    return nodeFlushOutput.call(this, socket)
  }
  for (let i = 0; i < pending.length; i++) {
    const cb = pending[i].callback
    if (typeof cb === 'function') process.nextTick(cb)
  }
  this.outputData = []
  this.outputSize = 0
  return true
}
