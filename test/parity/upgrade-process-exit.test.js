'use strict'
// Issue 9.4 (COMPAT.md #20): a process whose upgrades are finished exits by
// itself. The child (test/helpers/upgrade-exit-child.js) runs two upgrades
// that both sides end, closes the server and never calls process.exit: it
// must exit within the time limit, with every socket closed.
const assert = require('assert')
const childProcess = require('child_process')
const path = require('path')
const { eachImpl } = require('../helpers/impls')
const { moduleIdFor } = require('../helpers/res-util')

eachImpl('a process whose upgrades are finished', (http, name) => {
  it('exits by itself once the server is closed', async function () {
    this.timeout(8000)
    const script = path.join(__dirname, '..', 'helpers', 'upgrade-exit-child.js')
    const { stdout, err } = await new Promise((resolve) => {
      childProcess.execFile(process.execPath, [script, moduleIdFor(name)], { timeout: 5000 }, (err, stdout) => resolve({ stdout, err }))
    })
    assert.ok(!(err && err.killed), `still running after 5 s (killed); it printed ${JSON.stringify(stdout)}`)
    assert.ifError(err)
    assert.deepStrictEqual(JSON.parse(stdout), { rounds: ['101 head', '101 head'], serverClosed: true, socketsClosed: 4 })
  })
})
