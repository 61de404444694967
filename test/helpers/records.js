'use strict'
// Splits the engine's batches (native/constants.h EventKind) into records for
// tests that look at the binding directly. HEAD and END carry their header
// strings spread after a count slot; here each gets them back as one array,
// in the count's place: [HEAD, method|status, text, rawHeaders, major, minor,
// flags] and [END, rawTrailers | null].
const assert = require('assert')
const { binding } = require('../../dist/engine/binding.js')
const { EV_SIZE, recordEnd } = require('../../dist/engine/constants.js')

const C = binding.constants

function splitBatch (batch) {
  const out = []
  for (let i = 0; i < batch.length;) {
    const kind = batch[i]
    assert.ok(Number.isInteger(kind) && EV_SIZE[kind] > 0, `unknown record kind ${kind}`)
    const end = recordEnd(batch, i)
    assert.ok(end <= batch.length, `record of kind ${kind} at ${i} runs past the batch (${end} > ${batch.length})`)
    if (kind === C.kEvHead) {
      out.push([kind, batch[i + 1], batch[i + 2], batch.slice(i + 7, end), batch[i + 4], batch[i + 5], batch[i + 6]])
    } else if (kind === C.kEvEnd) {
      out.push([kind, batch[i + 1] < 0 ? null : batch.slice(i + 2, end)])
    } else {
      out.push(batch.slice(i, end))
    }
    i = end
  }
  return out
}

module.exports = { splitBatch }
