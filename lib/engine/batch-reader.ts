// readBatch: the one loop that walks the engine's event batches
// (lib/engine/constants.ts Ev), for the server's connections and the client's alike.
// Each record becomes one call on a BatchReader. A handler that throws (an
// application's listener) does not lose the rest of the batch: reading goes
// on at the next record, and the first error is rethrown at the end, so it
// reaches 'uncaughtException' as an exception from Node's own callbacks would.
import { Ev, HeadFlag, endRawTrailers, headRawHeaders, recordEnd } from './constants'

/** What a connection does with each record of a batch. */
export interface BatchReader {
  /** A message head: a request's method index and URL, or a response's status and reason. */
  onHead (code: number, text: string, rawHeaders: string[], major: number, minor: number, flags: number): void
  /**
   * After a head flagged HeadFlag.UPGRADE: the connection has left HTTP.
   * `ended` says the message's END came with it; `head` holds the bytes that
   * followed it. Called once those records are consumed, so a throwing
   * handler cannot see them again.
   */
  onUpgrade (ended: boolean, head: Buffer): void
  onBody (chunk: Buffer): void
  onMessageEnd (rawTrailers: string[] | null): void
  onParseError (code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined): void
  onEof (): void
  onDrain (): void
  onIoError (errno: number, syscall: string): void
  /** Raw bytes after the connection left HTTP. */
  onData (chunk: Buffer): void
  onClose (): void
  onConnect (errno: number): void
}

/** An upgrade's `head` when no bytes followed the message (Node passes an empty Buffer too). */
const EMPTY = Buffer.alloc(0)

export function readBatch (reader: BatchReader, batch: any[]): void {
  let error: unknown = null
  const n = batch.length
  for (let i = 0; i < n;) {
    const start = i
    try {
      switch (batch[i]) {
        case Ev.HEAD: {
          const flags: number = batch[i + 6]
          const next = recordEnd(batch, i)
          reader.onHead(batch[i + 1], batch[i + 2], headRawHeaders(batch, i), batch[i + 4], batch[i + 5], flags)
          i = next
          if ((flags & HeadFlag.UPGRADE) !== 0) {
            const ended = batch[i] === Ev.END
            if (ended) i = recordEnd(batch, i)
            let head = EMPTY
            if (batch[i] === Ev.DATA) {
              head = batch[i + 1]
              i += 2
            }
            reader.onUpgrade(ended, head)
          }
          break
        }
        case Ev.BODY: reader.onBody(batch[i + 1]); i += 2; break
        case Ev.END: reader.onMessageEnd(endRawTrailers(batch, i)); i = recordEnd(batch, i); break
        case Ev.PARSE_ERROR: reader.onParseError(batch[i + 1], batch[i + 2], batch[i + 3], batch[i + 4]); i += 5; break
        case Ev.EOF: reader.onEof(); i += 1; break
        case Ev.DRAIN: reader.onDrain(); i += 1; break
        case Ev.IO_ERROR: reader.onIoError(batch[i + 1], batch[i + 2]); i += 3; break
        case Ev.DATA: reader.onData(batch[i + 1]); i += 2; break
        case Ev.CLOSE: reader.onClose(); i += 1; break
        case Ev.CONNECT: reader.onConnect(batch[i + 1]); i += 2; break
        default: throw new Error(`uvhttp: unknown event ${batch[i]} in batch`)
      }
    } catch (err) {
      if (error === null) error = err
      // Resume at the next record, or past what an upgrade took: numeric
      // slots must not be mistaken for kinds.
      i = Math.max(i, recordEnd(batch, start))
    }
  }
  if (error !== null) throw error
}
