// Keep-alive timeouts without a timer per connection. Node arms
// socket.setTimeout(keepAliveTimeout + grace) after each response and
// disarms it with the next request; a connection without a socket facade
// has no socket timer, so one timer per server watches them all: a
// connection joins when it goes idle, and when the timer fires, each one's
// idle time is read from the engine (the loop time of its last read or
// write), the expired ones time out and the timer is re-armed for the
// soonest of the rest. Nothing is paid per request: a busy connection stays
// in the set and is only looked at when the timer fires.

/** What the sweep needs of a connection (lib/server/server-connection.ts). */
export interface IdleConnection {
  inSweep: boolean
  /** Still waiting for its next request (false once one arrived). */
  readonly keepAliveTimeoutSet: boolean
  /** How long it may wait, in ms. */
  readonly keepAliveMs: number
  /** Milliseconds since its last read or write (the engine's clock); -1 once it closed (it has left by unwatch then). */
  idleAge (): number
  /** The wait is over (Node's socket 'timeout'). */
  keepAliveExpired (): void
}

export class KeepAliveSweep {
  private readonly waiting = new Set<IdleConnection>()
  private timer: NodeJS.Timeout | null = null
  /** The armed timer's delay and when it fires (Date.now() based), to re-arm it sooner for a shorter wait. */
  private armedMs = Infinity
  private due = Infinity

  watch (conn: IdleConnection): void {
    if (conn.inSweep) return // still there from an earlier wait: nothing to do
    conn.inSweep = true
    this.waiting.add(conn)
    const ms = conn.keepAliveMs
    if (this.timer === null) this.arm(ms)
    // A shorter wait than the armed one (keepAliveTimeout was lowered) may be due first.
    else if (ms < this.armedMs && Date.now() + ms < this.due) this.arm(ms)
  }

  /** A connection that closed leaves at once (its idle age is no longer known). */
  unwatch (conn: IdleConnection): void {
    if (!conn.inSweep) return
    conn.inSweep = false
    this.waiting.delete(conn)
  }

  private arm (ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.armedMs = ms
    this.due = Date.now() + ms
    this.timer = setTimeout(sweep, ms, this).unref()
  }

  run (): void {
    this.timer = null
    this.due = Infinity
    let next = Infinity
    const expired: IdleConnection[] = []
    for (const conn of this.waiting) {
      if (!conn.keepAliveTimeoutSet) {
        conn.inSweep = false
        this.waiting.delete(conn)
        continue
      }
      const left = conn.keepAliveMs - conn.idleAge()
      if (left <= 0) {
        conn.inSweep = false
        this.waiting.delete(conn)
        expired.push(conn)
      } else if (left < next) {
        next = left
      }
    }
    if (next !== Infinity) this.arm(next)
    for (let i = 0; i < expired.length; i++) expired[i].keepAliveExpired()
  }
}

function sweep (self: KeepAliveSweep): void {
  self.run()
}
