'use strict'
// Behaviour that differs between the Node lines users run (20, 22, 24, 26).
// A test states each line's expectation with byLine({ 20: a, 26: b }): the
// entry of the newest line at or below the running one (here: a on 20 to 25,
// b from 26). Beside each table, a comment says what changed in Node. Parity
// tests run the same case on node:http, so a wrong expectation fails there.
// npm run test:node-matrix runs the suite on every line.
const NODE_MAJOR = Number(process.versions.node.split('.')[0])

function byLine (table) {
  const lines = Object.keys(table).map(Number).filter((line) => line <= NODE_MAJOR)
  if (lines.length === 0) throw new Error(`no expectation for Node ${NODE_MAJOR} in ${JSON.stringify(Object.keys(table))}`)
  return table[Math.max(...lines)]
}

module.exports = { NODE_MAJOR, byLine }
