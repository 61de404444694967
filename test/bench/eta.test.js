'use strict'
// The progress lines' elapsed and remaining time (bench/eta.js): what a
// person watching a long run reads to decide whether to wait.
const assert = require('assert')
const { createEta, clock } = require('../../bench/eta')

describe('bench progress: elapsed and remaining time (bench/eta.js)', () => {
  it('formats m:ss, and h:mm:ss from an hour on', () => {
    assert.strictEqual(clock(0), '0:00')
    assert.strictEqual(clock(65.4), '1:05')
    assert.strictEqual(clock(3599), '59:59')
    assert.strictEqual(clock(3725), '1:02:05')
  })

  it('starts from the nominal guesses, then uses what the same run took in an earlier round', () => {
    let now = 0
    const plan = []
    for (let round = 1; round <= 2; round++) {
      plan.push({ key: 'S1 core', group: 'S1', nominal: 7 }, { key: 'S1 uvhttp', group: 'S1', nominal: 7 }, { key: 'C1 core', group: 'C1', nominal: 13 })
    }
    const eta = createEta(plan, () => now)
    assert.strictEqual(eta.status(0), '0:00 elapsed, ~0:54 left') // 2 × (7 + 7 + 13)
    now = 10000
    eta.record(0, 10) // S1 core took 10 s: S1 uvhttp is now guessed at 10 s too, round 2's S1 core at 10
    assert.strictEqual(eta.status(1), '0:10 elapsed, ~0:56 left') // 10 + 13 + 10 + 10 + 13
    now = 14000
    eta.record(1, 4)
    now = 44000
    eta.record(2, 30)
    assert.strictEqual(eta.status(3), '0:44 elapsed, ~0:44 left') // 10 + 4 + 30
    assert.strictEqual(eta.status(6), '0:44 elapsed, ~0:00 left')
  })
})
