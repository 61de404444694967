'use strict'
// Decodes the PNGs rsvg-convert writes (8-bit RGBA, not interlaced) into
// { width, height, rgba }, enough to look at rendered pixels without a
// dependency. Anything else is refused, not guessed at.
const zlib = require('zlib')

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function paeth (a, b, c) {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

function decodePng (buf) {
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG')
  let width, height
  const idat = []
  for (let pos = 8; pos < buf.length;) {
    const len = buf.readUInt32BE(pos)
    const type = buf.toString('latin1', pos + 4, pos + 8)
    const data = buf.subarray(pos + 8, pos + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const [depth, colour, , , interlace] = data.subarray(8)
      if (depth !== 8 || colour !== 6 || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`)
    } else if (type === 'IDAT') {
      idat.push(data)
    }
    pos += 12 + len
  }
  const raw = zlib.inflateSync(Buffer.concat(idat))
  const stride = width * 4
  const rgba = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const out = y * stride
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? rgba[out + x - 4] : 0
      const b = y > 0 ? rgba[out - stride + x] : 0
      const c = x >= 4 && y > 0 ? rgba[out - stride + x - 4] : 0
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]
      if (pred === undefined) throw new Error(`bad PNG filter ${filter}`)
      rgba[out + x] = (line[x] + pred) & 0xff
    }
  }
  return { width, height, rgba }
}

module.exports = { decodePng }
