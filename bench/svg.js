'use strict'
// The chart: for each scenario, each contender's requests per CPU-second as a
// ratio to core http (the comparable figure: throughput is bounded by wrk on
// the other core once a server is fast), as a bar from the 1× line with a
// min–max whisker and its median written on it. The scale is logarithmic, so
// 2× and 0.5× are the same distance from 1× and a 20× floor does not flatten
// everything else. Hand-written SVG so the harness has no dependency; the
// canvas is sized from its content (text widths are estimated generously,
// with DejaVu Sans's metrics, wider than Arial or Helvetica, the fallbacks), and
// test/bench/svg.test.js renders it to check that nothing is cut.

const fs = require('fs')
const path = require('path')

const COLORS = { uvhttp: '#1f77b4', floor: '#7f7f7f', 'undici.request': '#ff7f0e', 'undici.Pool': '#d62728' }
const SPARE_COLORS = ['#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22']
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

/**
 * Width in px of text at size px: DejaVu Sans advance widths, rounded up, in
 * em (bold ~10 % wider). Estimates only need to be at least as wide as the
 * renderer's text, never exact.
 */
function textWidth (text, size, bold = false) {
  let em = 0
  for (const ch of String(text)) {
    if ('iljtf.,:;\'|!()[] '.includes(ch)) em += 0.36
    else if ('mwMW@%'.includes(ch)) em += 1.0
    else if (ch >= 'A' && ch <= 'Z') em += 0.76
    else em += 0.64
  }
  return Math.ceil(em * size * (bold ? 1.1 : 1))
}

/** Log-scale ticks covering [lo, hi]: 1, 2, 5 × powers of ten. */
function ticks (lo, hi) {
  const out = []
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v)
    }
  }
  return out
}

/** 2 significant figures, as a ratio is read: 0.87, 1.3, 17. */
function ratioLabel (v) {
  return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2)
}

/**
 * rows: summary rows from report.js (core's are not drawn). opts: { title,
 * subtitle, scenarios: [{ id, short }] for the labels under each group }.
 */
function ratiosSvg (rows, { title, subtitle = '', scenarios = [] }) {
  const FONT = 11
  const drawn = rows.filter((r) => r.contender !== 'core' && r.ratioPerCpu.n > 0)
  const others = [...new Set(rows.filter((r) => r.contender !== 'core').map((r) => r.contender))]
  const colorOf = (c) => COLORS[c] || SPARE_COLORS[others.filter((o) => !COLORS[o]).indexOf(c) % SPARE_COLORS.length]
  const ids = [...new Set(rows.map((r) => r.scenario))]
  const short = new Map(scenarios.map((s) => [s.id, s.short || '']))

  // Vertical scale: the range of every whisker, 1× included, padded.
  const values = drawn.flatMap((r) => [r.ratioPerCpu.min, r.ratioPerCpu.max]).filter((v) => v > 0)
  const lo = Math.min(0.5, ...values) / 1.3
  const hi = Math.max(2, ...values) * 1.3
  const top = 56
  const plotH = 280
  const y = (v) => top + plotH * (Math.log(hi) - Math.log(v)) / (Math.log(hi) - Math.log(lo))
  const axisW = Math.max(...ticks(lo, hi).map((v) => textWidth(`${v}×`, FONT))) + 12
  const left = 12 + axisW

  // Groups: one per scenario, as wide as its bars or its labels.
  const BAR = 26
  const GAP = 18
  let x = left + GAP / 2
  const groups = ids.map((id) => {
    const bars = drawn.filter((r) => r.scenario === id)
    const width = Math.max(bars.length * BAR, textWidth(id, FONT, true), textWidth(short.get(id) || '', FONT - 1))
    const g = { id, bars, x, width }
    x += width + GAP
    return g
  })
  const plotRight = Math.max(x - GAP / 2, left + 120)

  // Title, subtitle and legend decide the width when they are wider than the plot.
  const legendItems = others.map((c) => ({ c, w: 18 + textWidth(c, FONT) + 18 }))
  const margin = 12
  const width = Math.max(plotRight + margin,
    margin + textWidth(title, 14, true) + margin,
    margin + textWidth(subtitle, FONT) + margin,
    margin + Math.max(0, ...legendItems.map((i) => i.w)) + margin)
  // The legend wraps at the canvas width.
  const legendTop = top + plotH + 52
  let lx = margin
  let ly = legendTop
  const legend = legendItems.map((item) => {
    if (lx > margin && lx + item.w > width - margin) { lx = margin; ly += 18 }
    const at = { ...item, x: lx, y: ly }
    lx += item.w
    return at
  })
  const height = (legend.length ? ly : legendTop - 18) + 14

  const out = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="${FONT}">`)
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`)
  out.push(`<text x="${margin}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`)
  if (subtitle) out.push(`<text x="${margin}" y="38" fill="#444">${esc(subtitle)}</text>`)
  for (const v of ticks(lo, hi)) {
    out.push(`<line x1="${left}" x2="${plotRight}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 1 ? '#333' : '#e4e4e4'}"${v === 1 ? ' stroke-dasharray="4 3"' : ''}/>`)
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}×</text>`)
  }
  for (const g of groups) {
    const x0 = g.x + (g.width - g.bars.length * BAR) / 2
    g.bars.forEach((r, i) => {
      const st = r.ratioPerCpu
      const color = colorOf(r.contender)
      const bx = x0 + i * BAR
      const cx = bx + BAR / 2
      const [y1, y2] = [y(Math.max(1, st.median)), y(Math.min(1, st.median))]
      out.push(`<rect x="${bx + 2}" y="${y1.toFixed(1)}" width="${BAR - 4}" height="${Math.max(1, y2 - y1).toFixed(1)}" fill="${color}"><title>${esc(`${r.scenario} ${r.contender}: ${st.median.toFixed(2)}× core per CPU-second (${st.min.toFixed(2)}–${st.max.toFixed(2)})`)}</title></rect>`)
      if (st.n > 1) {
        out.push(`<line x1="${cx}" x2="${cx}" y1="${y(st.min).toFixed(1)}" y2="${y(st.max).toFixed(1)}" stroke="#000"/>`)
        for (const v of [st.min, st.max]) out.push(`<line x1="${cx - 3}" x2="${cx + 3}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#000"/>`)
      }
      // The median, beyond the bar's end and its whisker.
      const up = st.median >= 1
      const ty = up ? y(Math.max(st.max, st.median)) - 3 : y(Math.min(st.min, st.median)) + 10
      out.push(`<text x="${cx}" y="${ty.toFixed(1)}" text-anchor="middle" font-size="9">${ratioLabel(st.median)}</text>`)
    })
    const gx = g.x + g.width / 2
    out.push(`<text x="${gx}" y="${top + plotH + 16}" text-anchor="middle" font-weight="bold">${esc(g.id)}</text>`)
    if (short.get(g.id)) out.push(`<text x="${gx}" y="${top + plotH + 29}" text-anchor="middle" font-size="${FONT - 1}" fill="#444">${esc(short.get(g.id))}</text>`)
  }
  for (const item of legend) {
    out.push(`<rect x="${item.x}" y="${item.y - 10}" width="12" height="12" fill="${colorOf(item.c)}"/>`)
    out.push(`<text x="${item.x + 18}" y="${item.y}">${esc(item.c)}</text>`)
  }
  if (!others.length) out.push(`<text x="${left + 6}" y="${top + 20}">no contender besides core</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/**
 * The title and subtitle of a run's chart: { mode, rounds, date
 * (YYYY-MM-DD), workers (the chart of the --workers variants) }.
 */
function chartLabels ({ mode, rounds, date, workers = false }) {
  const r = `${rounds} round${rounds > 1 ? 's' : ''}`
  const what = workers
    ? 'requests per CPU-second of all server processes (cluster primary included, nginx not)'
    : 'requests (S5: MB) per CPU-second of the measured process'
  return {
    title: `uvhttp bench${workers ? ', more processes' : ''}: ratio to core http per CPU-second (${mode}, ${r}, ${date})`,
    subtitle: `${what} ÷ core http's in the same round; bar: median, whisker: min–max over ${r}`
  }
}

/** Writes the chart to file (its folder made if needed); returns file. */
function writeSvg (file, rows, opts) {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, ratiosSvg(rows, opts))
  return file
}

module.exports = { writeSvg, ratiosSvg, chartLabels }
