// Constants that cross the native/JS boundary. Each is defined once in
// native/constants.h and mirrored here; test/native/constants.test.js fails if
// the two disagree.

/** Kinds of the events in a batch (the first slot of each record). */
export const enum Ev {
  /** [HEAD, method|status, url|statusMessage, rawHeaders, major, minor, flags] */
  HEAD = 1,
  /** [BODY, chunk: Buffer] */
  BODY = 2,
  /** [END, rawTrailers: string[] | null] */
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

/** Number of slots of each event record, kind included. */
export const EV_SIZE = [0, 7, 2, 2, 5, 1, 1, 3, 2, 1, 2] as const

/** Bits of the HEAD record's flags slot. */
export const enum HeadFlag {
  KEEP_ALIVE = 1,
  /** The connection leaves the parser after this head (upgrade or CONNECT). */
  UPGRADE = 2,
  CHUNKED = 4,
  /** Content-Length given (even 0) or chunked: a body may follow. */
  HAS_LENGTH = 8,
}

/** Bits of Connection.write()'s flags argument. */
export const enum WriteFlag {
  /** A string body is UTF-8 (otherwise latin1). */
  UTF8 = 1,
  /** Shut the connection down once everything queued is written, then close it. */
  END = 2,
  /** More writes follow at once: keep this one corked (the socket's _writev). */
  MORE = 4,
}

/** Parser modes for Connection.setParser(). */
export const enum ParserMode {
  NONE = 0,
  REQUEST = 1,
  RESPONSE = 2,
}
