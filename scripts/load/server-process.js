'use strict'
// The parent's side of server-child.js: fork the server under load (core
// http or uvhttp, with an app module), wait for its port, ask it for
// samples, stop it, and know whether it died on its own (a crash).
const { fork } = require('child_process')
const path = require('path')

const CHILD = path.join(__dirname, 'server-child.js')

/**
 * Starts `app` on `impl` ('node' | 'uvhttp'). `env` is added to the child's
 * environment (the sanitizer build's LD_PRELOAD and UVHTTP_ADDON_PATH, say).
 * Resolves { pid, port, sample(gc), stop(), crashed() }.
 */
function startServer ({ impl, app, options = {}, env = {}, stdio = 'inherit' }) {
  const child = fork(CHILD, [impl, app, JSON.stringify(options)], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, ...env },
    stdio: [stdio === 'inherit' ? 'inherit' : 'ignore', stdio, stdio, 'ipc'],
  })
  let exit = null
  let stopping = false
  const pending = new Map()
  let nextId = 1
  child.on('message', (msg) => {
    const p = pending.get(msg.id)
    if (p) { pending.delete(msg.id); p(msg.sample) }
  })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    exit = { code, signal, expected: stopping }
    for (const p of pending.values()) p(null)
    pending.clear()
    resolve(exit)
  }))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${impl} server: no port after 20 s`)) }, 20000)
    exited.then((e) => { clearTimeout(timer); reject(new Error(`${impl} server exited before listening (${e.code ?? e.signal})`)) })
    child.once('message', (msg) => {
      clearTimeout(timer)
      resolve({
        pid: child.pid,
        port: msg.port,
        /** The server's resources now (after a full collection if gc). Null once it has exited. */
        sample (gc = false) {
          if (exit) return Promise.resolve(null)
          const id = nextId++
          return new Promise((resolve) => {
            pending.set(id, resolve)
            child.send({ cmd: 'sample', id, gc })
          })
        },
        /** Closes its connections and the server; SIGKILL if it has not exited 10 s later. Resolves the exit. */
        stop () {
          if (exit) return exited
          stopping = true
          child.send({ cmd: 'stop' })
          const kill = setTimeout(() => child.kill('SIGKILL'), 10000)
          return exited.finally(() => clearTimeout(kill))
        },
        /** The exit, if the process ended without being asked to. */
        crashed () { return exit && !exit.expected ? exit : null },
        exited,
      })
    })
  })
}

module.exports = { startServer }
