'use strict'
// Median and spread of a handful of rounds. With 3–5 rounds a mean would let
// one disturbed round (a compile on the other core) move the figure; the
// median does not, and min–max shows how much the rounds disagreed.

function finite (xs) { return xs.filter((x) => Number.isFinite(x)) }

function median (xs) {
  const s = finite(xs).sort((a, b) => a - b)
  if (!s.length) return NaN
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** { median, min, max, n } of the finite values. */
function summarize (xs) {
  const s = finite(xs)
  return { median: median(s), min: s.length ? Math.min(...s) : NaN, max: s.length ? Math.max(...s) : NaN, n: s.length }
}

module.exports = { median, summarize }
