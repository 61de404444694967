'use strict'
// --instructions: instructions executed by the server per request, under
// valgrind's callgrind, at steady state. The server (the one S1 runs: app.js,
// or floor.js for the floor) runs under callgrind; a sequential keep-alive client sends
//   warm-up W → dump → N1 requests → dump → (N2−N1)/2 → dump → (N2−N1)/2 → dump
// and `callgrind_control -d` after each step writes a file holding the
// instructions (Ir) since the previous dump, all threads included (GC and JIT
// threads are part of the cost). The marginal cost is
//   (Ir at N2 − Ir at N1) / (N2 − N1) = Ir(last segment) / (N2 − N1),
// which cancels start-up, JIT warm-up and anything paid once. The first
// segment's average, Ir(N1)/N1, is reported beside it: when the two agree the
// server had reached steady state.
// Why dumps and not one process per count: one process runs W + N2 requests
// instead of 2W + N1 + N2 and shares one start-up, so it is cheaper and has
// less run-to-run noise (JIT timing differs between processes). Dumps work
// while the server sleeps in epoll because callgrind_control wakes it with
// vgdb (ptrace), which root may use. --toggle-collect is not used: it needs a
// named function whose call tree is exactly the per-request work; JIT frames
// carry no symbols callgrind can match, and the native frames that do (e.g.
// uv__io_poll) enclose everything the loop does, so counting between dumps is
// simpler and misses nothing.

const fs = require('fs')
const path = require('path')
const { execFile } = require('child_process')
const { startPinned, stop } = require('./child')
const { connect } = require('./sequential-client')

function run (cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${(stderr || stdout || err.message).trim()}`))
      else resolve(stdout)
    })
  })
}

/** Waits until the k-th dump file is complete and returns its total Ir. */
async function readDump (outFile, k, timeoutMs = 60000) {
  const file = `${outFile}.${k}`
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    try {
      const m = /^totals:\s+(\d+)/m.exec(fs.readFileSync(file, 'utf8'))
      if (m) return Number(m[1])
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`callgrind dump ${file} not written within ${timeoutMs} ms`)
}

/**
 * Measures one server. opts: { name, serverArgs (node arguments: script and
 * its arguments), core, warmup, n1, n2, outDir, progress(text) }. Resolves
 * { irPerRequest, irPerRequestFirst, ... }.
 */
async function measureInstructions ({ name, serverArgs, core, warmup, n1, n2, outDir, progress }) {
  if (!(n2 > n1 && n1 > 0)) throw new Error(`need 0 < n1 < n2 (got ${n1}, ${n2})`)
  const outFile = path.join(outDir, `callgrind.${name}.out`)
  for (const f of fs.readdirSync(outDir)) if (f.startsWith(path.basename(outFile))) fs.unlinkSync(path.join(outDir, f))
  progress(`${name}: starting under callgrind (slow: ~50x)`)
  const server = await startPinned(core, 'valgrind', ['--tool=callgrind', '--dump-instr=no',
    `--callgrind-out-file=${outFile}`, process.execPath, ...serverArgs], { timeoutMs: 300000 })
  // Bounded but generous: on a 2-core VM core http took ~9 ms a request
  // under callgrind; allow 5x that for a slower implementation or a busy box.
  const deadline = (n) => Date.now() + 120000 + n * 50
  const dump = async (k) => {
    await run('callgrind_control', ['-d', String(server.pid)], 60000)
    return readDump(outFile, k)
  }
  let client
  try {
    client = await connect(server.port)
    progress(`${name}: warm-up ${warmup} requests`)
    await client.send(warmup, deadline(warmup))
    const startupIr = await dump(1)
    // Dumps at N1, halfway to N2 and at N2: each file holds one segment.
    const mid = Math.round((n1 + n2) / 2)
    const counts = [n1, mid - n1, n2 - mid]
    const seg = []
    for (let k = 0; k < counts.length; k++) {
      progress(`${name}: ${counts[k]} requests (segment ${k + 1}/3)`)
      await client.send(counts[k], deadline(counts[k]))
      seg.push(await dump(k + 2))
    }
    return {
      name,
      serverArgs,
      warmup,
      n1,
      n2,
      startupIr,
      irAtN1: seg[0],
      irAtN2: seg[0] + seg[1] + seg[2],
      irPerRequest: (seg[1] + seg[2]) / (n2 - n1),
      // The two halves of N1→N2 separately: when they agree, the server was at
      // steady state; when the first is higher, JIT work was still going on.
      irPerRequestHalves: [seg[1] / counts[1], seg[2] / counts[2]],
      irPerRequestFirst: seg[0] / n1,
      files: [1, 2, 3, 4].map((k) => `${outFile}.${k}`)
    }
  } finally {
    if (client) client.close()
    await stop(server.child)
  }
}

module.exports = { measureInstructions }
