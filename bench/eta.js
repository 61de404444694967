'use strict'
// Elapsed and remaining time for the progress lines of a long run. The runs
// are known in advance; each one's duration is guessed from what has been
// measured so far: the same scenario and contender in an earlier round, else
// the mean of that scenario's runs, else the plan's nominal figure (wrk:
// warm-up + duration + start-up; clients: their request count at a modest
// rate). The guess is refined after every run, so the estimate settles
// during the first round.

/** m:ss, or h:mm:ss from an hour on. */
function clock (seconds) {
  const s = Math.max(0, Math.round(seconds))
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]
  const [h, m, sec] = hms.map((x) => String(x).padStart(2, '0'))
  return s >= 3600 ? `${Number(h)}:${m}:${sec}` : `${Number(m)}:${sec}`
}

/**
 * plan: [{ key, group, nominal }] in run order (key: scenario and contender,
 * group: scenario, nominal: seconds). now: a clock in ms, for tests.
 */
function createEta (plan, now = Date.now) {
  const started = now()
  const took = new Map() // key -> seconds of its last run
  const byGroup = new Map() // group -> [seconds]
  const guess = (run) => {
    if (took.has(run.key)) return took.get(run.key)
    const g = byGroup.get(run.group)
    return g ? g.reduce((a, b) => a + b, 0) / g.length : run.nominal
  }
  return {
    /** Run i took this many seconds. */
    record (i, seconds) {
      const run = plan[i]
      took.set(run.key, seconds)
      if (!byGroup.has(run.group)) byGroup.set(run.group, [])
      byGroup.get(run.group).push(seconds)
    },
    /** "0:42 elapsed, ~3:10 left" with runs from..end still to do. */
    status (from) {
      let left = 0
      for (let i = from; i < plan.length; i++) left += guess(plan[i])
      return `${clock((now() - started) / 1000)} elapsed, ~${clock(left)} left`
    }
  }
}

module.exports = { createEta, clock }
