// Constants that cross the native/JS boundary. Each is defined once in
// native/constants.h and mirrored here; test/native/constants.test.js fails if
// the two disagree.

/** Kinds of the events in a batch (the first slot of each record). */
export const enum Ev {
  /** [HEAD, method|status, url|statusMessage, n, major, minor, flags, ...rawHeaders (n strings)] */
  HEAD = 1,
  /** [BODY, chunk: Buffer] */
  BODY = 2,
  /** [END, n, ...rawTrailers (n strings)]; n = -1 when the message had no trailers */
  END = 3,
  /** [PARSE_ERROR, code: string, reason: string, bytesParsed: number, rawPacket: Buffer] */
  PARSE_ERROR = 4,
  /** [EOF] the peer half-closed its side */
  EOF = 5,
  /** [DRAIN] the native write queue became empty */
  DRAIN = 6,
  /** [IO_ERROR, errno: number, syscall: string] */
  IO_ERROR = 7,
  /** [DATA, chunk: Buffer] raw bytes after the parser let go (upgrade, CONNECT) */
  DATA = 8,
  /** [CLOSE] libuv closed the handle; the native connection is gone */
  CLOSE = 9,
  /** [CONNECT, errno: number] outcome of a client connect (0 = connected) */
  CONNECT = 10,
}

/**
 * Number of fixed slots of each event record, kind included. HEAD and END
 * are followed by as many header strings as their count slot says.
 */
export const EV_SIZE = [0, 7, 2, 2, 5, 1, 1, 3, 2, 1, 2] as const

/** Where the record starting at batch[i] ends (the index of the next one). */
export function recordEnd (batch: readonly unknown[], i: number): number {
  const kind = batch[i] as number
  if (kind === Ev.HEAD) return i + 7 + (batch[i + 3] as number)
  if (kind === Ev.END) return i + 2 + Math.max(batch[i + 1] as number, 0)
  return i + (EV_SIZE[kind] ?? batch.length)
}

/** The raw header list of the HEAD record at batch[i]. */
export function headRawHeaders (batch: readonly unknown[], i: number): string[] {
  return batch.slice(i + 7, i + 7 + (batch[i + 3] as number)) as string[]
}

/** The raw trailers of the END record at batch[i], or null. */
export function endRawTrailers (batch: readonly unknown[], i: number): string[] | null {
  const n = batch[i + 1] as number
  return n < 0 ? null : batch.slice(i + 2, i + 2 + n) as string[]
}

/** Bits of the HEAD record's flags slot. */
export const enum HeadFlag {
  KEEP_ALIVE = 1,
  /** The connection leaves the parser after this head (upgrade or CONNECT). */
  UPGRADE = 2,
  CHUNKED = 4,
  /** Content-Length given (even 0) or chunked: a body may follow. */
  HAS_LENGTH = 8,
  /** A request's head has a Host field (RFC 9112 3.2). */
  HAS_HOST = 16,
  /** A request's head has an Expect field. */
  HAS_EXPECT = 32,
}

/** Bits of Connection.write()'s flags argument. */
export const enum WriteFlag {
  /** A string body is UTF-8 (otherwise latin1). */
  UTF8 = 1,
  /** Shut the connection down once everything queued is written, then close it. */
  END = 2,
  /** More writes follow at once: keep this one corked (the socket's _writev). */
  MORE = 4,
  /**
   * The socket is corked: the engine holds these bytes until flush() or a
   * write without this flag commits them; a close first drops them.
   */
  HOLD = 8,
}

/**
 * Bodies at least this large are written from the caller's Buffer rather
 * than copied into the engine's cork buffer (native kDirectWriteMin).
 */
export const DIRECT_WRITE_MIN = 16 * 1024

/** Node's default --max-http-header-size (native kDefaultMaxHeaderSize). */
export const DEFAULT_MAX_HEADER_SIZE = 16384

/** Parser modes for Connection.setParser(). */
export const enum ParserMode {
  NONE = 0,
  REQUEST = 1,
  RESPONSE = 2,
}
