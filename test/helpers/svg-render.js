'use strict'
// What a person sees of an SVG, through librsvg (rsvg-convert, Debian's
// librsvg2-bin) with the machine's fonts: whether anything is drawn outside
// the canvas, where it would be cut. The SVG is rendered on a canvas widened
// by PAD on every side (same scale, same origin), so whatever lies outside the
// original canvas shows as ink in the margin; the margin must stay empty
// (transparent). The SVG must carry width and height on its root element.
const { execFileSync } = require('child_process')
const { decodePng } = require('./png')

const PAD = 400

function render (svg) {
  try {
    return decodePng(execFileSync('rsvg-convert', ['--format=png'], { input: svg, maxBuffer: 64 << 20 }))
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error('rsvg-convert is missing: apt-get install librsvg2-bin')
    throw err
  }
}

/** The root element's width and height, and the SVG re-rooted on the padded canvas. */
function padded (svg) {
  const root = /<svg\b[^>]*>/.exec(svg)
  if (!root) throw new Error('no <svg> element')
  const attr = (name) => {
    const m = new RegExp(`\\s${name}="([\\d.]+)"`).exec(root[0])
    if (!m) throw new Error(`the <svg> element has no numeric ${name}`)
    return Number(m[1])
  }
  const width = attr('width')
  const height = attr('height')
  const open = root[0].replace(/\s(width|height|viewBox)="[^"]*"/g, '')
    .replace(/^<svg/, `<svg width="${width + 2 * PAD}" height="${height + 2 * PAD}" viewBox="${-PAD} ${-PAD} ${width + 2 * PAD} ${height + 2 * PAD}"`)
  return { width, height, svg: svg.replace(root[0], open) }
}

/** Bounding box {x0, y0, x1, y1} of the drawn pixels, in the SVG's own coordinates, or null. */
function inkBox (img) {
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.rgba[(y * img.width + x) * 4 + 3] === 0) continue
      if (x < x0) x0 = x
      if (x > x1) x1 = x
      if (y < y0) y0 = y
      if (y > y1) y1 = y
    }
  }
  return x1 < 0 ? null : { x0: x0 - PAD, y0: y0 - PAD, x1: x1 + 1 - PAD, y1: y1 + 1 - PAD }
}

const outside = (box, width, height) => box !== null && (box.x0 < 0 || box.y0 < 0 || box.x1 > width || box.y1 > height)

/**
 * What is drawn outside the canvas: { canvas: {width, height}, ink (box of
 * everything drawn), cut: [{ text, box }] for each <text> element drawn
 * (partly) outside }. Text elements are rendered one by one only when the
 * whole drawing overflows, to name them.
 */
function overflow (svg) {
  const { width, height, svg: wide } = padded(svg)
  const ink = inkBox(render(wide))
  const cut = []
  if (outside(ink, width, height)) {
    const open = /<svg\b[^>]*>/.exec(wide)[0]
    for (const m of svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)) {
      const box = inkBox(render(`${open}\n${m[0]}\n</svg>\n`))
      if (outside(box, width, height)) cut.push({ text: m[1], box })
    }
  }
  return { canvas: { width, height }, ink, cut }
}

module.exports = { overflow }
