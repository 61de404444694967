'use strict'
// The implementations a parity test runs against: Node's own http (the
// reference) and uvhttp (the built package). UVHTTP_IMPLS=node runs the
// reference alone, for writing a test before the engine supports it.
const path = require('path')

const all = {
  'node:http': () => require('http'),
  uvhttp: () => require(path.join(__dirname, '..', '..'))
}
const wanted = (process.env.UVHTTP_IMPLS || 'node:http,uvhttp').split(',').map((s) => s.trim() === 'node' ? 'node:http' : s.trim())

/** [[name, httpModule], ...] */
const impls = wanted.map((name) => {
  if (!all[name]) throw new Error(`unknown implementation ${name}`)
  return [name, all[name]()]
})

/** Runs `define(http, name)` inside a describe block per implementation. */
function eachImpl (title, define) {
  for (const [name, http] of impls) {
    describe(`${title} [${name}]`, function () { define(http, name) })
  }
}

module.exports = { impls, eachImpl }
