'use strict'
// The engine alone, for the `floor` contender (issue 10): the addon's binding
// loaded the one way the package loads it (dist/engine/binding.js), with
// binding.setup called here rather than by the package's
// lib/engine/dispatch.ts (which runs on loading the package, and which the
// floor never loads). The entry points have dispatch.ts's shape: a listener's
// owner makes the owner of each new connection, and a batch arrives as the
// call's arguments (an oversized one as one array) and goes to
// owner.onBatch(records).
// Used by servers/floor.js (S1–S5) and client-bench.js's floor client (C1–C3).

const path = require('path')

/** Loads the binding of the package at root and registers the entry points. */
function loadEngine (root) {
  const { binding } = require(path.join(root, 'dist', 'engine', 'binding.js'))
  binding.setup({
    onConnection (listenerOwner, conn) { return listenerOwner.onConnection(conn) },
    onBatch (...batch) { this.onBatch(batch.length === 1 && typeof batch[0] !== 'number' ? batch[0] : batch) }
  })
  return binding
}

module.exports = { loadEngine }
