'use strict'
// What the kernel knows about the processes we started: CPU time and peak
// RSS, of one process or of a process and every one it forked (a cluster's
// primary and its workers, nginx's master and its worker). Read from /proc so
// the measurement costs the server nothing and works for any implementation,
// native or not.

const fs = require('fs')
const { execFileSync } = require('child_process')

// Clock ticks per second for /proc/<pid>/stat times (USER_HZ, almost always 100).
let ticks
function clockTicks () {
  if (ticks === undefined) {
    try { ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100 } catch { ticks = 100 }
  }
  return ticks
}

/**
 * The fields of /proc/<pid>/stat from field 3 (state) on, so field N is
 * fields[N - 3]. The command name (field 2) may hold spaces and parentheses,
 * so the fields are counted from the last ')'.
 */
function statFields (pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** utime + stime of a process, all its threads, in seconds (proc(5): fields 14 and 15). */
function cpuSeconds (pid) {
  const fields = statFields(pid)
  return (Number(fields[11]) + Number(fields[12])) / clockTicks()
}

/**
 * The given processes and every live process descending from them, each
 * once. Found through each process's parent (field 4 of its stat): the
 * kernels this runs on need not have /proc/<pid>/task/<tid>/children.
 */
function processTrees (roots) {
  const children = new Map() // ppid -> [pid]
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let ppid
    try { ppid = Number(statFields(name)[1]) } catch { continue } // exited meanwhile
    if (!children.has(ppid)) children.set(ppid, [])
    children.get(ppid).push(Number(name))
  }
  const seen = new Set()
  const visit = (pid) => {
    if (seen.has(pid)) return
    seen.add(pid)
    for (const child of children.get(pid) || []) visit(child)
  }
  roots.forEach(visit)
  return [...seen]
}

/**
 * CPU seconds used by a group of processes (roots and their descendants)
 * between snapshot() and since(): { seconds, pids }. A process forked
 * after the snapshot counts from 0; one gone before since() makes it throw
 * (a server process that died during a measured run fails that run).
 */
function cpuMeter (roots) {
  const before = new Map(processTrees(roots).map((pid) => [pid, cpuSeconds(pid)]))
  return {
    since () {
      const gone = [...before.keys()].filter((pid) => !fs.existsSync(`/proc/${pid}`))
      if (gone.length) throw new Error(`process ${gone.join(', ')} exited during the run`)
      const pids = processTrees(roots)
      const seconds = pids.reduce((sum, pid) => sum + cpuSeconds(pid) - (before.get(pid) ?? 0), 0)
      return { seconds, pids }
    }
  }
}

/** Peak resident set size (VmHWM) in bytes, or NaN if the process is gone. */
function peakRssBytes (pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
    return m ? Number(m[1]) * 1024 : NaN
  } catch {
    return NaN
  }
}

/** Peak RSS of each process summed (not the peak of their sum: they need not peak together). */
function peakRssBytesOf (pids) {
  return pids.reduce((sum, pid) => sum + peakRssBytes(pid), 0)
}

module.exports = { cpuMeter, processTrees, peakRssBytesOf }
