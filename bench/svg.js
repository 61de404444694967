'use strict'
// bench/results/ratios.svg: for each scenario, each contender's ratio to core
// http (throughput, and requests per CPU-second) as bars with min–max
// whiskers, against a line at 1×. Hand-written SVG so the harness has no
// dependency; the file opens in any browser.

const fs = require('fs')
const path = require('path')

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b']
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

/** rows: summary rows from report.js; only non-core contenders are drawn. */
function ratiosSvg (rows, title) {
  const others = [...new Set(rows.filter((r) => r.contender !== 'core').map((r) => r.contender))]
  const scenarios = [...new Set(rows.map((r) => r.scenario))]
  const series = others.flatMap((c) => [
    { contender: c, key: 'ratioThroughput', label: `${c}: throughput`, solid: true },
    { contender: c, key: 'ratioPerCpu', label: `${c}: requests per CPU-second`, solid: false }
  ])
  const bar = 18
  const groupW = Math.max(1, series.length) * bar + 24
  const left = 50
  const top = 40
  const plotH = 260
  const width = Math.max(420, left + scenarios.length * groupW + 20)
  const legendY = top + plotH + 40
  const height = legendY + series.length * 18 + 10
  const find = (sc, c) => rows.find((r) => r.scenario === sc && r.contender === c)
  const vals = rows.filter((r) => r.contender !== 'core').flatMap((r) => [r.ratioThroughput.max, r.ratioPerCpu.max])
  const maxV = Math.max(1.5, ...vals.filter(Number.isFinite)) * 1.1
  const y = (v) => top + plotH - (v / maxV) * plotH
  const out = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`)
  out.push(`<rect width="100%" height="100%" fill="white"/>`)
  out.push(`<text x="${left}" y="20" font-size="13" font-weight="bold">${esc(title)}</text>`)
  // y axis with gridlines every 0.5×
  for (let v = 0; v <= maxV; v += 0.5) {
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`)
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}×</text>`)
  }
  out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(1)}" y2="${y(1)}" stroke="#333" stroke-dasharray="4 3"/>`)
  scenarios.forEach((sc, gi) => {
    // Only the series this scenario has (undici runs in C1 alone), centred.
    const present = series.filter((s) => { const r = find(sc, s.contender); return r && Number.isFinite(r[s.key].median) })
    const gx = left + 12 + gi * groupW + ((series.length - present.length) * bar) / 2
    present.forEach((s, si) => {
      const st = find(sc, s.contender)[s.key]
      const color = COLORS[others.indexOf(s.contender) % COLORS.length]
      const x = gx + si * bar
      const fill = s.solid ? color : 'white'
      out.push(`<rect x="${x + 2}" y="${y(st.median)}" width="${bar - 4}" height="${y(0) - y(st.median)}" fill="${fill}" stroke="${color}" stroke-width="2"><title>${esc(`${sc} ${s.label}: ${st.median.toFixed(2)}× (${st.min.toFixed(2)}–${st.max.toFixed(2)})`)}</title></rect>`)
      const cx = x + bar / 2
      out.push(`<line x1="${cx}" x2="${cx}" y1="${y(st.min)}" y2="${y(st.max)}" stroke="#000"/>`)
      out.push(`<line x1="${cx - 3}" x2="${cx + 3}" y1="${y(st.min)}" y2="${y(st.min)}" stroke="#000"/>`)
      out.push(`<line x1="${cx - 3}" x2="${cx + 3}" y1="${y(st.max)}" y2="${y(st.max)}" stroke="#000"/>`)
    })
    out.push(`<text x="${gx + (series.length * bar) / 2}" y="${top + plotH + 16}" text-anchor="middle">${esc(sc)}</text>`)
  })
  series.forEach((s, i) => {
    const color = COLORS[others.indexOf(s.contender) % COLORS.length]
    const ly = legendY + i * 18
    out.push(`<rect x="${left}" y="${ly - 10}" width="12" height="12" fill="${s.solid ? color : 'white'}" stroke="${color}" stroke-width="2"/>`)
    out.push(`<text x="${left + 18}" y="${ly}">${esc(s.label)} ÷ core http (median, whisker = min–max over rounds)</text>`)
  })
  if (!series.length) out.push(`<text x="${left}" y="${top + 20}">no contender besides core</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}

function writeSvg (dir, rows, title) {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'ratios.svg')
  fs.writeFileSync(file, ratiosSvg(rows, title))
  return file
}

module.exports = { writeSvg, ratiosSvg }
