'use strict'
// A mocha root hook (.mocharc.json "require"). mocha runs without --exit, as
// users' test runners do, so a test that leaves a server, a socket, a
// keep-alive agent, a timer or a child open keeps the process alive after
// the last test: the leaks a test runner's users would meet (issue 9.12).
// When the run is over and the process is still alive after a grace period,
// this names what holds the event loop and fails the run at once, instead of
// leaving it to CI's time limit (.ci/run). Nothing is printed when the
// process exits by itself: the timer is unref'd.
const GRACE_MS = Number(process.env.UVHTTP_EXIT_GRACE_MS || 5000)

function report () {
  const lines = [`open-handles: the run is over, but the process is still alive after ${GRACE_MS} ms.`]
  lines.push(`  Node's resources keeping it alive: ${JSON.stringify(process.getActiveResourcesInfo())}`)
  try {
    const { binding } = require('../../dist/engine/binding')
    lines.push(`  libuv handles keeping the loop alive (Node's and uvhttp's): ${JSON.stringify(binding.activeHandles())}`)
    lines.push('  uvhttp\'s connections and listeners are only in the libuv list; Node\'s list names Node\'s handles, idle ones too.')
  } catch (err) {
    lines.push(`  (uvhttp's handles unknown: ${err.message})`)
  }
  lines.push('  Close what the tests open (servers, sockets, agent.destroy(), timers, children).')
  process.stderr.write(lines.join('\n') + '\n')
  // mocha sets the exit code from its failure count in an 'exit' listener
  // (without --exit); this one, added later, has the last word.
  process.on('exit', () => { process.exitCode = 1 })
  process.exit(1)
}

exports.mochaHooks = {
  afterAll () {
    setTimeout(report, GRACE_MS).unref()
  }
}
