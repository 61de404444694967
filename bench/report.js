'use strict'
// Turns raw measurements into the summary: median and min–max per scenario and
// contender, and ratios to core http computed round by round (a contender is
// compared with the core run of the same round, then the ratios summarised),
// so slow drift of the machine cancels. Prints the table; writes the JSON.

const fs = require('fs')
const path = require('path')
const { summarize } = require('./stats')

const MB = 1e6 // MB/s is decimal megabytes, as network figures usually are

function throughput (scenario, rec) {
  return scenario.unit === 'MB/s' ? rec.bytesPerSec / MB : rec.reqPerSec
}

/** records: [{ round, scenarioId, contender, ok, ...metrics }] → summary rows. */
function summarizeAll (records, scenarios, contenderNames) {
  const rows = []
  for (const sc of scenarios) {
    const recs = records.filter((r) => r.scenarioId === sc.id)
    const coreByRound = new Map(recs.filter((r) => r.contender === 'core' && r.ok).map((r) => [r.round, r]))
    for (const name of contenderNames) {
      const mine = recs.filter((r) => r.contender === name)
      if (!mine.length) continue
      const ok = mine.filter((r) => r.ok)
      const ratios = (f) => summarize(ok.filter((r) => coreByRound.has(r.round))
        .map((r) => f(r) / f(coreByRound.get(r.round))))
      rows.push({
        scenario: sc.id,
        title: sc.title,
        contender: name,
        unit: sc.unit || 'req/s',
        runs: mine.length,
        failures: mine.filter((r) => !r.ok).map((r) => r.error),
        throughput: summarize(ok.map((r) => throughput(sc, r))),
        p50Ms: summarize(ok.map((r) => r.p50Ms)),
        p99Ms: summarize(ok.map((r) => r.p99Ms)),
        reqPerCpuSec: summarize(ok.map((r) => r.reqPerCpuSec)),
        // Behind nginx (--workers): requests per CPU-second of nginx itself,
        // apart from the servers' figure.
        proxyReqPerCpuSec: summarize(ok.map((r) => r.proxyReqPerCpuSec)),
        peakRssMB: summarize(ok.map((r) => r.peakRssBytes / MB)),
        errors: ok.reduce((a, r) => a + r.errors, 0),
        ratioThroughput: ratios((r) => throughput(sc, r)),
        ratioPerCpu: ratios((r) => r.reqPerCpuSec)
      })
    }
  }
  return rows
}

// ---- formatting ----

function fmt (x) {
  if (!Number.isFinite(x)) return '-'
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US')
  if (Math.abs(x) >= 100) return x.toFixed(0)
  if (Math.abs(x) >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

function withSpread (s) {
  if (!s.n) return '-'
  return s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median)
}

/**
 * The table printed on stdout. A run with --workers rows behind nginx gets a
 * column for nginx's own requests per CPU-second (its CPU is not in the
 * servers' figure).
 */
function table (rows) {
  const proxied = rows.some((r) => r.proxyReqPerCpuSec.n)
  const head = ['scenario', 'impl', 'throughput (min–max)', 'p50 ms', 'p99 ms',
    'req/CPU-s (min–max)', ...(proxied ? ['nginx req/CPU-s'] : []), 'peak RSS MB', 'errors', '×core thr (min–max)', '×core req/CPU-s (min–max)']
  const body = rows.map((r) => [
    r.scenario,
    r.contender,
    r.throughput.n ? `${withSpread(r.throughput)} ${r.unit}` : `failed: ${r.failures[0] || '?'}`,
    fmt(r.p50Ms.median),
    fmt(r.p99Ms.median),
    withSpread(r.reqPerCpuSec),
    ...(proxied ? [fmt(r.proxyReqPerCpuSec.median)] : []),
    fmt(r.peakRssMB.max),
    String(r.errors + (r.failures.length ? ` +${r.failures.length} failed` : '')),
    r.contender === 'core' ? '1 (baseline)' : withSpread(r.ratioThroughput),
    r.contender === 'core' ? '1 (baseline)' : withSpread(r.ratioPerCpu)
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

/** Writes the JSON next to the SVG; returns its path. */
function writeJson (dir, data) {
  fs.mkdirSync(dir, { recursive: true })
  const stamp = new Date(data.meta.startedAt).toISOString().replace(/[:.]/g, '-')
  const file = path.join(dir, `bench-${data.meta.mode}-${stamp}.json`)
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n')
  return file
}

module.exports = { summarizeAll, table, writeJson, fmt }
