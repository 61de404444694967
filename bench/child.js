'use strict'
// Starting and stopping the processes the benchmark measures. Each is pinned
// with taskset (to one core; the --workers servers to a set of cores), announces itself with one JSON line on stdout
// ({"port":N} or {"error":"…"}), and is stopped by its own PID, never by name.

const { spawn } = require('child_process')

const live = new Set()

/** Remembers a child until it exits, so stopAll() can end it (wrk, C1 clients). */
function track (child) {
  live.add(child)
  child.on('exit', () => live.delete(child))
  return child
}

/**
 * Spawns `taskset -c <cores> <command...>` (taskset execs, so the PID is the
 * measured process itself; cores: a core or a list, e.g. "0,1") and resolves
 * { child, pid, port } once it has printed {"port":N}. Rejects with its
 * {"error"} text, or after timeoutMs. env: variables added to the process's.
 */
function startPinned (cores, command, args, { timeoutMs = 15000, env } = {}) {
  const child = track(spawn('taskset', ['-c', String(cores), command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: env && { ...process.env, ...env } }))
  let stderr = ''
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000) })
  return new Promise((resolve, reject) => {
    let buf = ''
    const fail = (msg) => { clearTimeout(timer); stop(child); reject(new Error(msg)) }
    const timer = setTimeout(() => fail(`${args.join(' ')}: not ready after ${timeoutMs} ms ${stderr.trim()}`), timeoutMs)
    child.stdout.on('data', (d) => {
      buf += d
      const nl = buf.indexOf('\n')
      if (nl === -1) return
      let msg
      try { msg = JSON.parse(buf.slice(0, nl)) } catch { return fail(`unexpected output: ${buf.slice(0, nl)}`) }
      child.stdout.removeAllListeners('data')
      child.stdout.resume()
      if (msg.error) return fail(msg.error)
      clearTimeout(timer)
      resolve({ child, pid: child.pid, port: msg.port })
    })
    child.on('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))
  })
}

/** SIGTERM, then SIGKILL if still alive after 2 s. Resolves when it has exited. */
function stop (child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 2000)
    child.once('exit', () => { clearTimeout(kill); resolve() })
    child.kill('SIGTERM')
  })
}

/** Stops everything still running (on error or Ctrl-C). */
function stopAll () {
  return Promise.all([...live].map(stop))
}

module.exports = { startPinned, stop, stopAll, track }
