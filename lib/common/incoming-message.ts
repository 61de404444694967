// IncomingMessage: a request on the server, a response on the client.
//
// uvhttp's own class over lean state. Its prototype chain passes through
// Node's http.IncomingMessage and stream.Readable (so instanceof holds, and
// what an application adds to Node's prototypes is reachable), and Node's
// own methods do the work once there is a stream to work on; what uvhttp
// keeps lean is the stream itself. The Readable state is built the first
// time something needs it (every Readable method starts by reading
// `this._readableState`, an accessor here), with what already arrived
// replayed into it: the body chunks, the end, the dump or abort Node would
// have done by then (DESIGN.md "Where the time goes"). A request nobody reads
// builds no stream, registers no listener and schedules no tick.
//
// A server request reads from its connection (a MessageSource, kSource);
// anything else (a client response, an object built the ES5 way with a
// socket) is fed through Node's push() and works as Node's does.
import * as http from 'http'
import { EventEmitter } from 'events'
import { Readable } from 'stream'

export interface IncomingMessage extends http.IncomingMessage {
  [key: string | symbol]: any
}

/** Marks a MessageSource given to the constructor in place of a socket. */
export const kMessageSource = Symbol('uvhttp.messageSource')

/** What a server request reads from (lib/server/server-connection.ts). */
export interface MessageSource {
  readonly [kMessageSource]: true
  /** The connection is closed or closing (Node: socket.destroyed). */
  readonly destroyed: boolean
  /** The socket facade (made on first use). */
  getSocket (): any
  /** Node's readStart(socket): the reader wants more bytes. */
  readStart (): void
  /** Node's socket.destroy(err) from a request that is aborted. */
  destroySocket (err: Error | null): void
  /** Calls cb once the connection has closed (on the next tick if it has). */
  afterClose (cb: () => void): void
  readonly readableHighWaterMark: number
}

// Read once: `http.X` goes through an import getter on every access.
const NodeIncomingMessage = http.IncomingMessage as any
const nodeProto = NodeIncomingMessage.prototype
const readableProto = Readable.prototype as any
const ReadableCtor = Readable as any
const eeOn = EventEmitter.prototype.on
const readableDescriptors = Object.getOwnPropertyDescriptors(Readable.prototype)

/** The connection a server request reads from, or undefined. */
export const kSource = Symbol('uvhttp.source')
/** True while no Readable state exists: the body lives in the slots below. */
export const kLean = Symbol('uvhttp.lean')
/**
 * The Readable state once built. `_readableState` is an accessor over this
 * slot rather than an own property made at materialization: adding one to a
 * large object later (Object.defineProperty, or a keyed store past V8's
 * limit of out-of-object fields) turns it into a dictionary-mode object, and
 * every property access on the request after that is a hash lookup.
 */
const kReadableState = Symbol('uvhttp.readableState')
/** Node's `socket` and `client` fields, when given (a server request reads its connection's). */
const kSocket = Symbol('uvhttp.socket')
const kClient = Symbol('uvhttp.client')
/** Body chunks that arrived before anyone read (Buffer[] or null) and their bytes. */
const kChunks = Symbol('uvhttp.chunks')
const kChunksLength = Symbol('uvhttp.chunksLength')
/** The message's end arrived (Node: push(null)). */
const kEnded = Symbol('uvhttp.ended')
/** How a lean message came to rest, as Node's would have after its ticks. */
const kDone = Symbol('uvhttp.done')
const kAbortError = Symbol('uvhttp.abortError')
const kAbortController = Symbol('uvhttp.abortController')
const kAbortSignalDetached = Symbol('uvhttp.abortSignalDetached')

const enum Done { NO = 0, DUMPED = 1, ABORTED = 2 }

/**
 * A lean request read through 'data' (lib/common/incoming-message.ts
 * "Flowing without a stream"): where it is in the ticks Node's Readable
 * would go through.
 */
const enum Flow {
  /** Not flowing (no 'data' listener yet, or the stream was built). */
  NO = 0,
  /** resume() was called: Node's resume_ is due on the next tick. */
  RESUMING = 1,
  /** Flowing: each chunk is a 'data' event as it arrives. */
  FLOWING = 2,
  /** The end arrived and everything was read: endReadableNT is due. */
  ENDING = 3,
  /** 'end' was emitted; destroy() is on its way (autoDestroy). */
  DESTROYING = 4,
  /** Destroyed: 'close' is due. */
  CLOSING = 5,
  /** Closed. */
  CLOSED = 6,
}
const kFlow = Symbol('uvhttp.flow')
const kDataEmitted = Symbol('uvhttp.dataEmitted')

/** A placeholder until the connection sets a server request's rawHeaders. */
const EMPTY: string[] = []

/**
 * The private slots Node's constructor initialises (EventEmitter's, kHeaders,
 * kHeadersCount, Node 24's abort-signal slots…), found on a probe: Node's
 * own methods read and write them (headers, events, and everything of a
 * message without a connection).
 */
const probe = new NodeIncomingMessage(null)
function nodeSlot (description: string): symbol {
  // A slot this Node line does not have gets a key of our own (never read).
  return Object.getOwnPropertySymbols(probe).find((key) => key.description === description) ?? Symbol(description)
}
const kShapeMode = nodeSlot('shapeMode')
const kCapture = nodeSlot('kCapture')
const kHeaders = nodeSlot('kHeaders')
const kHeadersCount = nodeSlot('kHeadersCount')
const kTrailers = nodeSlot('kTrailers')
const kTrailersCount = nodeSlot('kTrailersCount')
const kNodeAbortController = nodeSlot('kAbortController')
const kNodeAbortSignalSocket = nodeSlot('kAbortSignalSocket')
const kNodeAbortSignalListener = nodeSlot('kAbortSignalListener')
const kNodeAbortSignalDetached = nodeSlot('kAbortSignalDetached')

/** Readable's own first `_events` (fast-mode, with the usual names): a null-prototype one is a hash table. */
function newEvents (): object {
  return { close: undefined, error: undefined, data: undefined, end: undefined, readable: undefined }
}

/**
 * A function constructor so that `IncomingMessage.call(this, socket)` works
 * (COMPAT.md #8). The server passes its connection (a MessageSource) instead
 * of a socket. Every field is assigned here, in this body: V8 sizes objects
 * by the assignments it sees in their constructor, and an object whose
 * fields do not fit goes to dictionary mode (hash lookups for every access).
 */
export const IncomingMessage = function IncomingMessage (this: any, socket: any) {
  const source: MessageSource | undefined = socket != null && socket[kMessageSource] === true ? socket : undefined
  // Node's own `socket` and `client` (a server request's come from its connection).
  this[kSocket] = source === undefined ? socket : undefined
  this[kClient] = this[kSocket]
  this[kSource] = source
  this.httpVersionMajor = null
  this.httpVersionMinor = null
  this.httpVersion = null
  this.complete = false
  // A server request's come from its head (the connection sets them).
  this.rawHeaders = source === undefined ? [] : EMPTY
  this.rawTrailers = []
  this.joinDuplicateHeaders = false
  this.aborted = false
  this.upgrade = null
  this.url = ''
  this.method = null
  this.statusCode = null
  this.statusMessage = null
  this._consuming = false
  this._dumped = false
  this[kLean] = true
  this[kReadableState] = null
  this[kChunks] = null
  this[kChunksLength] = 0
  this[kEnded] = false
  this[kDone] = Done.NO
  this[kFlow] = Flow.NO
  this[kDataEmitted] = false
  // Node's private slots, in the object's shape from the start.
  this[kShapeMode] = true
  this[kCapture] = (EventEmitter.prototype as any)[kCapture]
  this[kHeaders] = null
  this[kHeadersCount] = 0
  this[kTrailers] = null
  this[kTrailersCount] = 0
  this[kNodeAbortController] = null
  this[kNodeAbortSignalSocket] = null
  this[kNodeAbortSignalListener] = null
  this[kNodeAbortSignalDetached] = false
} as unknown as typeof http.IncomingMessage

Object.setPrototypeOf(IncomingMessage.prototype, http.IncomingMessage.prototype)
Object.setPrototypeOf(IncomingMessage, http.IncomingMessage)

const proto = IncomingMessage.prototype as any

/** A server request's socket: the connection's facade, made on first read. */
Object.defineProperties(proto, {
  socket: {
    configurable: true,
    enumerable: true,
    get (this: IncomingMessage) {
      const socket = this[kSocket]
      if (socket !== undefined) return socket
      const source: MessageSource | undefined = this[kSource]
      return source === undefined ? undefined : source.getSocket()
    },
    set (this: IncomingMessage, value: any) { this[kSocket] = value },
  },
  client: {
    configurable: true,
    enumerable: true,
    get (this: IncomingMessage) { return this[kClient] !== undefined ? this[kClient] : this.socket },
    set (this: IncomingMessage, value: any) { this[kClient] = value },
  },
  // Every Readable method starts here.
  _readableState: {
    configurable: true,
    enumerable: false,
    get (this: IncomingMessage) {
      const state = this[kReadableState]
      if (state !== null && state !== undefined) return state
      return this[kLean] === true ? materialize(this) : undefined
    },
    set (this: IncomingMessage, value: any) { this[kReadableState] = value },
  },
  // Read often (on-finished, Node's own code): answered without a stream.
  destroyed: {
    configurable: true,
    enumerable: false,
    get (this: IncomingMessage) {
      return this[kLean] === true ? this[kDone] !== Done.NO || this[kFlow] >= Flow.DESTROYING : readableDescriptors.destroyed.get!.call(this)
    },
    set (this: IncomingMessage, value: boolean) { readableDescriptors.destroyed.set!.call(this, value) },
  },
  readable: {
    configurable: true,
    enumerable: false,
    get (this: IncomingMessage) {
      return this[kLean] === true ? this[kDone] === Done.NO && this[kFlow] < Flow.DESTROYING : readableDescriptors.readable.get!.call(this)
    },
    set (this: IncomingMessage, value: boolean) { readableDescriptors.readable.set!.call(this, value) },
  },
})

/**
 * Builds the Readable state with Node's own constructor, then brings it to
 * where Node's would be: the chunks that arrived, the end, and the dump or
 * abort that happened while nobody could see it.
 */
function materialize (msg: IncomingMessage): any {
  msg[kLean] = false
  const source: MessageSource | undefined = msg[kSource]
  const hwm = source !== undefined ? source.readableHighWaterMark : msg.socket?.readableHighWaterMark
  ReadableCtor.call(msg, hwm === undefined ? undefined : { highWaterMark: hwm })
  const state = msg._readableState
  state.readingMore = true
  const chunks: Buffer[] | null = msg[kChunks]
  msg[kChunks] = null
  if (chunks !== null) for (let i = 0; i < chunks.length; i++) readableProto.push.call(msg, chunks[i])
  if (msg[kEnded]) readableProto.push.call(msg, null)
  const flow: Flow = msg[kFlow]
  if (flow !== Flow.NO) {
    resumeMaterialized(msg, state, flow)
    return state
  }
  switch (msg[kDone]) {
    case Done.NO:
      // Dumped before its end arrived: the dump goes on as Node's.
      if (msg._consuming) state.readingMore = false
      if (msg._dumped) {
        msg._dumped = false
        nodeProto._dump.call(msg)
      }
      break
    case Done.DUMPED:
      // Read to its end and closed, with nobody listening, Node's ticks ago.
      if (msg._consuming) state.readingMore = false
      msg._dumped = false
      nodeProto._dump.call(msg)
      state.endEmitted = true
      state.resumeScheduled = false
      settle(state, null)
      break
    case Done.ABORTED:
      if (msg._dumped) {
        msg._dumped = false
        nodeProto._dump.call(msg)
      }
      settle(state, msg[kAbortError])
      break
  }
  return state
}

/**
 * A request that was flowing without a stream: its state as Node's would
 * be (flowing, what was emitted), then Node's own machinery takes over the
 * steps still due (our pending ticks see the stream and stand down).
 */
function resumeMaterialized (msg: IncomingMessage, state: any, flow: Flow): void {
  if (hasListener(msg, 'data')) markDataListening(msg, state)
  if (msg._consuming) state.readingMore = false
  if (msg[kDataEmitted]) state.dataEmitted = true
  // Node's resume_ has read (read(0)): the state is no longer in its first,
  // synchronous read, so a chunk pushed on a flowing stream is 'data' at once.
  if (flow >= Flow.FLOWING) state.sync = false
  if (flow <= Flow.ENDING) {
    // resume() once more: Node's resume_ emits what is left, and the end.
    readableProto.resume.call(msg)
    return
  }
  state.flowing = true
  state.endEmitted = true
  state.destroyed = true
  // Our ticks finish the close on the built state (closeNT, destroyNT).
  if (flow === Flow.CLOSED) settle(state, null)
  else if (flow === Flow.CLOSING) state.closed = true
}

/**
 * The 'data' listeners came through our on(), so the state built later does
 * not know of them (Node's Readable#on('data') marks it: addChunk emits a
 * chunk of a flowing stream at once only then). Readable#on marks it here,
 * for a listener it is shown alone (no 'newListener', no resume: the
 * listeners the message has stay as they are).
 */
function markDataListening (msg: IncomingMessage, state: any): void {
  const events = msg._events
  const count = msg._eventsCount
  const flowing = state.flowing
  msg._events = newEvents()
  msg._eventsCount = 0
  state.flowing = false
  readableProto.on.call(msg, 'data', noop)
  state.flowing = flowing
  msg._events = events
  msg._eventsCount = count
}

function noop (): void {}

/** What Node's destroy leaves once its ticks have run. */
function settle (state: any, err: Error | null): void {
  state.destroyed = true
  if (err !== null) state.errored = err
  state.closed = true
  state.closeEmitted = true
}

/** No listener of any event: nothing Node would emit can be seen. */
function unobserved (msg: IncomingMessage): boolean {
  return !(msg._eventsCount > 0)
}

// --- What the connection feeds ---------------------------------------------------

/** A body chunk of a server request. Returns false when the reader's buffer is full (Node's push). */
export function pushBody (msg: IncomingMessage, chunk: Buffer): boolean {
  if (msg[kLean] !== true) return msg.push(chunk)
  if (msg[kFlow] === Flow.FLOWING) {
    // Node's addChunk on a flowing, empty stream: straight to 'data' (with
    // nobody listening any more it buffers instead: Node's machinery then).
    if (!hasListener(msg, 'data')) return readableProto.push.call(msg, chunk)
    msg[kDataEmitted] = true
    msg.emit('data', chunk)
    return true
  }
  let chunks: Buffer[] | null = msg[kChunks]
  if (chunks === null) msg[kChunks] = chunks = []
  chunks.push(chunk)
  const length = msg[kChunksLength] += chunk.length
  return length < (msg[kSource] as MessageSource).readableHighWaterMark
}

/** The end of a server request's body (Node's push(null)). */
export function pushEnd (msg: IncomingMessage): void {
  if (msg[kLean] !== true) {
    msg.push(null)
    return
  }
  msg[kEnded] = true
  if (msg._dumped) msg[kDone] = Done.DUMPED
  else if (msg[kFlow] === Flow.FLOWING) {
    // Node's onEofChunk on a flowing stream: its end is read at once (endReadable).
    msg[kFlow] = Flow.ENDING
    process.nextTick(endNT, msg)
  }
}

/**
 * Node's resOnFinish: a request nobody read is dumped (read to its end,
 * then closed). Unobserved, that is just a state to be in; `watched` says
 * someone may start observing it while Node's dump is under way (the
 * response's 'finish' or 'close' listeners run then).
 */
export function dumpRequest (msg: IncomingMessage, watched: boolean): void {
  if (msg[kLean] === true && msg[kFlow] !== Flow.NO) {
    // Node's check (no read, no resume scheduled), then its _dump of a
    // flowing stream: the 'data' listeners go, resume() has nothing to do.
    if (!msg._consuming && msg[kFlow] !== Flow.RESUMING) {
      msg._dumped = true
      msg.removeAllListeners('data')
    }
    return
  }
  if (msg[kLean] === true) {
    if (!watched && unobserved(msg)) {
      msg._dumped = true
      msg[kChunks] = null
      msg[kChunksLength] = 0
      if (msg[kEnded]) msg[kDone] = Done.DUMPED
      // Node's dump reads a request whose end is still to come (its _read).
      else msg._consuming = true
      ;(msg[kSource] as MessageSource).readStart()
      return
    }
    void msg._readableState
  }
  if (!msg._consuming && !msg._readableState.resumeScheduled) msg._dump()
}

/** Node's abortIncoming: the connection went away under a request. */
export function abortRequest (msg: IncomingMessage, err: Error): void {
  if (msg[kLean] === true && unobserved(msg)) {
    msg.aborted = true
    msg[kDone] = Done.ABORTED
    msg[kAbortError] = err
    abortSignal(msg)
    return
  }
  msg.destroy(err)
}

// --- Methods that would otherwise build the stream, or reach for the socket ----

proto.on = proto.addListener = function on (this: IncomingMessage, event: string | symbol, listener: (...args: any[]) => void) {
  if (this[kLean] === true) {
    // Only 'data' and 'readable' change the stream (they start it flowing).
    if (event !== 'data' && event !== 'readable') {
      if (this._events === undefined) this._events = newEvents()
      return eeOn.call(this, event, listener)
    }
    if (event === 'data' && this[kSource] !== undefined && this[kDone] === Done.NO) {
      if (this._events === undefined) this._events = newEvents()
      eeOn.call(this, event, listener)
      // Readable#on('data') resumes the stream (resume_ on the next tick).
      if (this[kFlow] === Flow.NO) {
        this[kFlow] = Flow.RESUMING
        process.nextTick(resumeNT, this)
      }
      return this
    }
    void this._readableState
  }
  return readableProto.on.call(this, event, listener)
}

// --- Flowing without a stream -------------------------------------------------
//
// A request read only through 'data' (and 'end', 'close') is the common
// case (body parsers, S3), and Node's Readable spends most of that request's
// time in its state machine. Here the same events come on the same ticks as
// Node's (resume_, then endReadableNT, then destroy's two), from a few
// fields; the first use of anything else (pause, read, pipe, a 'readable'
// listener, a look at the state) builds the stream as Node's would be at that
// point (resumeMaterialized) and Node's machinery carries on.

// Node's resume_: read(0) (which asks for more while the end is still to
// come), 'resume', then flow: every buffered chunk is a 'data' event.
function resumeNT (msg: IncomingMessage): void {
  if (msg[kLean] !== true) return
  const source: MessageSource = msg[kSource]
  const ended = msg[kEnded] === true
  if (!ended && msg[kChunksLength] < source.readableHighWaterMark) {
    msg._consuming = true
    source.readStart()
  }
  msg[kFlow] = Flow.FLOWING
  if (hasListener(msg, 'resume')) msg.emit('resume')
  const chunks: Buffer[] | null = msg[kChunks]
  while (chunks !== null && chunks.length !== 0 && msg[kLean] === true) {
    const chunk = chunks.shift() as Buffer
    msg[kChunksLength] -= chunk.length
    msg[kDataEmitted] = true
    msg.emit('data', chunk)
  }
  if (msg[kLean] !== true) return
  msg[kChunks] = null
  if (ended) {
    msg[kFlow] = Flow.ENDING
    process.nextTick(endNT, msg)
  } else if (!msg._consuming) {
    // The buffer was full at resume_: the next read asks for more.
    msg._consuming = true
    source.readStart()
  }
}

// Node's endReadableNT: 'end', then autoDestroy (destroy(): our _destroy of
// a message that ended and completed calls back on the next tick, or at
// once on Node 26).
function endNT (msg: IncomingMessage): void {
  if (msg[kLean] !== true) return
  msg[kFlow] = Flow.DESTROYING
  msg.emit('end')
  if (msg[kLean] !== true) return
  if (DESTROY_CLEAN_SYNC) destroyedNT(msg)
  else process.nextTick(destroyedNT, msg)
}

// destroy's onDestroy: closed, and 'close' on the next tick.
function destroyedNT (msg: IncomingMessage): void {
  if (msg[kLean] === true) msg[kFlow] = Flow.CLOSING
  else msg._readableState.closed = true
  process.nextTick(closeNT, msg)
}

function closeNT (msg: IncomingMessage): void {
  if (msg[kLean] === true) msg[kFlow] = Flow.CLOSED
  else msg._readableState.closeEmitted = true
  msg.emit('close')
}

function hasListener (emitter: any, event: string): boolean {
  const events = emitter._events
  return events !== undefined && events[event] !== undefined
}

proto._read = function _read (this: IncomingMessage, n: number) {
  const source: MessageSource | undefined = this[kSource]
  if (source === undefined) return nodeProto._read.call(this, n)
  if (!this._consuming) {
    this._readableState.readingMore = false
    this._consuming = true
  }
  source.readStart()
}

/** The stream-less part of Node 26's _destroy: a message destroyed cleanly completes at once. */
const DESTROY_CLEAN_SYNC = /err == null && !this\.aborted/.test(String(nodeProto._destroy))

proto._destroy = function _destroy (this: IncomingMessage, err: Error | null, cb: (err?: Error | null) => void) {
  const source: MessageSource | undefined = this[kSource]
  if (source === undefined) return nodeProto._destroy.call(this, err, cb)
  if (!this.readableEnded || !this.complete) {
    this.aborted = true
    this.emit('aborted')
    abortSignal(this)
  }
  if (!source.destroyed && this.aborted) {
    // Node destroys the socket and waits for finished(socket), which a
    // destroyed socket answers on the next tick.
    source.destroySocket(err)
    process.nextTick(socketFinishedNT, this, err, cb)
  } else if (DESTROY_CLEAN_SYNC && err == null && !this.aborted) {
    cb()
  } else {
    process.nextTick(onError, this, err, cb)
  }
}

function socketFinishedNT (msg: IncomingMessage, err: Error | null, cb: (err?: Error | null) => void): void {
  process.nextTick(onError, msg, err, cb)
}

// Node's: an error reaches 'error' only when someone listens for it.
function onError (msg: IncomingMessage, error: Error | null, cb: (err?: Error | null) => void): void {
  if (msg.listenerCount('error') === 0) cb()
  else cb(error)
}

proto._dump = function _dump (this: IncomingMessage) {
  if (this[kLean] === true && unobserved(this) && this[kSource] !== undefined) {
    if (!this._dumped) dumpRequest(this, false)
    return
  }
  return nodeProto._dump.call(this)
}

// --- Node 24: req.signal -------------------------------------------------------

// Node's getter reads private slots a lean message does not have: where the
// running line has the property, ours aborts the same way (on the
// connection's close, or an abort before the message completed) and lets go
// when the response finishes (detachAbortSignal).
if (Object.getOwnPropertyDescriptor(nodeProto, 'signal') !== undefined) {
  Object.defineProperty(proto, 'signal', {
    configurable: true,
    get (this: IncomingMessage) {
      let ac: AbortController | undefined = this[kAbortController]
      if (ac === undefined) {
        ac = this[kAbortController] = new AbortController()
        if (this.destroyed && (!this.readableEnded || !this.complete)) {
          ac.abort()
        } else if (!this[kAbortSignalDetached]) {
          const source: MessageSource | undefined = this[kSource]
          if (source !== undefined) source.afterClose(() => abortSignal(this))
          else if (this.socket?.destroyed) abortSignal(this)
          else this.socket?.once('close', () => abortSignal(this))
        }
      }
      return ac.signal
    },
  })
}

function abortSignal (msg: IncomingMessage): void {
  if (msg[kAbortSignalDetached]) return
  msg[kAbortSignalDetached] = true
  msg[kAbortController]?.abort()
}

// Node 24 exports the symbol of its own method (for requests built by Node's class).
const kDetachNodeAbortSignal: symbol | undefined = require('_http_incoming').kDetachAbortSignal

/** The response finished: the request's signal no longer follows the connection (Node 24). */
export function detachAbortSignal (msg: IncomingMessage): void {
  if (msg[kLean] === undefined && kDetachNodeAbortSignal !== undefined) msg[kDetachNodeAbortSignal]?.()
  else msg[kAbortSignalDetached] = true
}
