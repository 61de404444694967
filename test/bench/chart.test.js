'use strict'
// The benchmark's chart (bench/svg.js) as a person sees it: rendered by
// librsvg with this machine's fonts, nothing may be drawn outside the canvas,
// where a viewer cuts it (issue 15: the title and legend ran off the right
// edge). The charts are made from summaries of plausible runs through the
// harness's own code (report.js, contenders.js, scenarios.js).
const assert = require('assert')
const { SCENARIOS, QUICK_IDS, WORKER_BASES, withWorkers, resolve } = require('../../bench/scenarios')
const { allContenders, takesPart } = require('../../bench/contenders')
const { summarizeAll } = require('../../bench/report')
const { ratiosSvg, chartLabels } = require('../../bench/svg')
const { overflow } = require('../helpers/svg-render')

/**
 * Summary rows of a run: every contender in every scenario it takes part in
 * (the scenarios of ids, or the --workers variants of S1 and S2 with
 * workers: [counts]), each round's requests per CPU-second being core's
 * times ratio(name, id) give or take 10 %. noReusePort: contenders without
 * listen({ reusePort }) (core on Node 20).
 */
function summary ({ ids, workers, names, rounds, ratio, noReusePort = [] }) {
  const scenarios = workers
    ? WORKER_BASES.flatMap((id) => withWorkers(SCENARIOS.find((s) => s.id === id), workers))
    : ids.map((id) => resolve(SCENARIOS.find((s) => s.id === id), false))
  const list = allContenders({ impls: new Map(names.filter((n) => n !== 'floor' && !n.startsWith('undici')).map((n) => [n, 'http'])), only: names, repoRoot: '/nowhere' })
    .map((c) => (noReusePort.includes(c.name) ? { ...c, noReusePort: 'none' } : c))
  const records = []
  for (let round = 1; round <= rounds; round++) {
    for (const sc of scenarios) {
      for (const c of list) {
        if (!takesPart(c, sc)) continue
        const r = c.name === 'core' ? 1 : ratio(c.name, sc.id) * (0.9 + 0.2 * (round - 1) / Math.max(1, rounds - 1))
        const perCpu = 20000 * r
        records.push({ round, scenarioId: sc.id, contender: c.name, ok: true, reqPerSec: perCpu, bytesPerSec: perCpu * 1e6, reqPerCpuSec: perCpu, p50Ms: 1, p99Ms: 5, peakRssBytes: 60e6, errors: 0 })
      }
    }
  }
  return { rows: summarizeAll(records, scenarios, list.map((c) => c.name)), scenarios }
}

function chart ({ ids, workers, names, rounds = 3, mode = 'full', ratio, noReusePort }) {
  const { rows, scenarios } = summary({ ids, workers, names, rounds, ratio, noReusePort })
  return ratiosSvg(rows, { ...chartLabels({ mode, rounds, date: '2026-11-26', workers: Boolean(workers) }), scenarios })
}

function assertUncut (svg) {
  const { canvas, ink, cut } = overflow(svg)
  assert.deepStrictEqual(cut, [], `text drawn outside the ${canvas.width}×${canvas.height} canvas`)
  assert(ink, 'nothing was drawn')
  assert(ink.x0 >= 0 && ink.y0 >= 0 && ink.x1 <= canvas.width && ink.y1 <= canvas.height,
    `drawing (${JSON.stringify(ink)}) outside the ${canvas.width}×${canvas.height} canvas`)
}

const ALL = SCENARIOS.map((s) => s.id)
const DEFAULT_NAMES = ['core', 'uvhttp', 'floor', 'undici.request', 'undici.Pool']
// Ratios as a full run shows them: a floor far above, one contender below core.
const fullRatio = (name, id) => ({ uvhttp: id === 'S2' ? 3.9 : 1.5, floor: id === 'S2' ? 19 : 2.8, 'undici.request': 0.62, 'undici.Pool': 1.4 })[name] ?? 1.2

describe('bench chart (bench/svg.js) rendered with rsvg-convert', function () {
  this.timeout(60000)

  it('notices a cut: a chart squeezed to 300 px has its title cut', function () {
    // The check itself must be able to fail here (fonts present, the
    // renderer drawing text): a chart whose title sets its width, on a
    // canvas too narrow for it.
    const svg = chart({ ids: ['S1'], names: ['core', 'uvhttp'], ratio: () => 1.5 })
    const squeezed = svg.replace(/(<svg[^>]*\swidth=")\d+(")/, '$1300$2').replace(/(<svg[^>]*viewBox="0 0 )\d+/, '$1300')
    const { cut } = overflow(squeezed)
    assert(cut.some((c) => c.text.startsWith('uvhttp bench:')), `expected the title among the cut texts, got ${JSON.stringify(cut)}`)
  })

  it('a full run: every scenario, floor and undici rows, 5 rounds', function () {
    assertUncut(chart({ ids: ALL, names: DEFAULT_NAMES, rounds: 5, ratio: fullRatio }))
  })

  it('a --quick run: its scenarios, one round', function () {
    assertUncut(chart({ ids: QUICK_IDS, names: DEFAULT_NAMES, rounds: 1, mode: 'quick', ratio: fullRatio }))
  })

  it('long --impl names on two scenarios: the legend wraps, the canvas holds the title', function () {
    const names = ['core', 'uvhttp', 'uvhttp-with-the-lean-objects-branch-built-for-comparison', 'another-checkout-of-uvhttp-from-last-week', 'floor']
    assertUncut(chart({ ids: ['S1', 'C1'], names, ratio: () => 1.3 }))
  })

  it('a contender far below core, another far above', function () {
    assertUncut(chart({ ids: ['S1', 'S2'], names: ['core', 'uvhttp', 'floor'], ratio: (name) => (name === 'floor' ? 80 : 0.05) }))
  })

  it('a --workers run: the variants of S1 and S2 with 1, 2 and 4 processes, core without reusePort', function () {
    const svg = chart({ workers: [1, 2, 4], names: DEFAULT_NAMES, ratio: (name, id) => (id.includes('-n') ? 0.9 : 1.6), noReusePort: ['core'] })
    assertUncut(svg)
    // Every variant is labelled, the reusePort ones too (no core to divide by: no bar).
    for (const id of ['S1-c4', 'S1-r2', 'S2-n1']) assert(svg.includes(`>${id}</text>`), `${id} is labelled`)
    assert(svg.includes('>reusePort ×4</text>'))
  })

  it('core alone', function () {
    assertUncut(chart({ ids: ['S1'], names: ['core'], ratio: () => 1 }))
  })
})
