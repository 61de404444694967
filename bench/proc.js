'use strict'
// What the kernel knows about a process we started: CPU time and peak RSS.
// Read from /proc so the measurement costs the server nothing and works for
// any implementation, native or not.

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
 * utime + stime of a process, all its threads, in seconds (proc(5): fields 14
 * and 15). The command name (field 2) may hold spaces and parentheses, so the
 * fields are counted from the last ')'.
 */
function cpuSeconds (pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  return (Number(fields[11]) + Number(fields[12])) / clockTicks()
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

module.exports = { cpuSeconds, peakRssBytes }
