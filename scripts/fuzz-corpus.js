#!/usr/bin/env node
'use strict'
// Writes the fuzz targets' seed corpora (test/fuzz/corpus/<target>/seed-*)
// from the test suite's own vectors: every request and response the mocha
// tests send as raw bytes (string literals, or literals joined with +, that
// start with a request line or a status line), in the input format of each
// target (test/fuzz/*_fuzz.cc says what the leading bytes mean). Files of
// past findings (regress-*) are left alone. Run it again when tests add
// vectors: `node scripts/fuzz-corpus.js`; it prints what it wrote.
const crypto = require('crypto')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const corpusDir = path.join(root, 'test', 'fuzz', 'corpus')
const MAX_PER_TARGET = 150
const MAX_BYTES = 4096

/** Test files, recursively (the fuzz folder holds no JS vectors). */
function testFiles (dir) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...testFiles(p))
    else if (e.name.endsWith('.js')) out.push(p)
  }
  return out.sort()
}

/** The value of a JS string literal's body (between its quotes). */
function unescape (body) {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\}|[\s\S])/g, (_, e) => {
    switch (e[0]) {
      case 'r': return '\r'
      case 'n': return '\n'
      case 't': return '\t'
      case '0': return '\0'
      case 'b': return '\b'
      case 'f': return '\f'
      case 'v': return '\v'
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16))
      case 'u': return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16))
      case '\n': return ''
      default: return e
    }
  })
}

// A literal: '…' or "…", or a template with no substitution.
const LITERAL = String.raw`'(?:[^'\\\n]|\\[\s\S])*'|"(?:[^"\\\n]|\\[\s\S])*"|` + '`(?:[^`\\\\$]|\\\\[\\s\\S]|\\$(?!\\{))*`'
const JOINED = new RegExp(`(?:${LITERAL})(?:\\s*\\+\\s*(?:${LITERAL}))*`, 'g')
const ONE = new RegExp(LITERAL, 'g')
const REQUEST = /^[A-Z][A-Z-]* \S+ HTTP\/\d\.\d\r?\n/
const RESPONSE = /^HTTP\/\d\.\d \d{3}/

function vectors () {
  const requests = new Set()
  const responses = new Set()
  for (const file of testFiles(path.join(root, 'test'))) {
    const src = fs.readFileSync(file, 'utf8')
    for (const [joined] of src.matchAll(JOINED)) {
      const value = [...joined.matchAll(ONE)].map(([lit]) => unescape(lit.slice(1, -1))).join('')
      // Node writes strings as latin1 on a raw socket only when asked; the
      // tests' vectors are ASCII or latin1 either way.
      const bytes = Buffer.from(value, 'latin1')
      if (bytes.length === 0 || bytes.length > MAX_BYTES) continue
      if (REQUEST.test(value)) requests.add(bytes.toString('latin1'))
      else if (RESPONSE.test(value)) responses.add(bytes.toString('latin1'))
    }
  }
  const sorted = (set) => [...set].sort().map((s) => Buffer.from(s, 'latin1'))
  return { requests: sorted(requests), responses: sorted(responses) }
}

/** Two bytes that cut a length-len input at `at` (harness.cc CutsFromBytes). */
function cut (at, len) {
  const v = len ? Math.min(65535, Math.ceil(at * 65536 / len)) : 0
  return [v & 255, v >> 8]
}

// Option bits (harness.cc OptionsFromByte): 1 lenient, 2 want_upgrade,
// 4 expect_no_body, 8 no EOF after the input, 16/32 header-size limit;
// split: 64 response stream, 128 also byte by byte.
const WANT_UPGRADE = 2

function seeds ({ requests, responses }) {
  const out = { request: [], response: [], split: [], write_queue: [] }
  for (const r of requests) {
    out.request.push(Buffer.concat([Buffer.from([WANT_UPGRADE, ...cut(r.length >> 1, r.length)]), r]))
    out.split.push(Buffer.concat([Buffer.from([WANT_UPGRADE | 128, ...cut(r.length / 2, r.length),
      ...cut(r.length / 3, r.length), ...cut(2 * r.length / 3, r.length)]), r]))
  }
  for (const r of responses) {
    // Requests on the connection: all GETs; HEAD first; CONNECT first.
    for (const script of [0, 1, 2]) out.response.push(Buffer.concat([Buffer.from([0, ...cut(r.length >> 1, r.length), script]), r]))
    out.split.push(Buffer.concat([Buffer.from([64 | 128, ...cut(r.length / 2, r.length),
      ...cut(r.length / 3, r.length), ...cut(2 * r.length / 3, r.length)]), r]))
    out.write_queue.push(writeScript(r))
  }
  return out
}

// A response written the way the server writes one: the head corked, the
// body corked or (large) handed over directly, then flushed, with the kernel
// taking a few hundred bytes at a time and finishing what waits
// (write_queue_fuzz.cc Run() has the opcodes).
function writeScript (response) {
  const split = response.indexOf('\r\n\r\n')
  const head = split < 0 ? response.length : split + 4
  const ops = [3, 20] // the kernel takes 320 bytes a try
  for (let left = head; left > 0; left -= 256) ops.push(0, Math.min(left, 256) - 1)
  const body = response.length - head
  if (body > 0) ops.push(2, (body - 1) >> 4, (body - 1) & 15)
  ops.push(1, 4, 4, 3, 255, 0, 63, 1, 4)
  return Buffer.from(ops)
}

function main () {
  const v = vectors()
  const all = seeds(v)
  for (const [target, inputs] of Object.entries(all)) {
    const dir = path.join(corpusDir, target)
    fs.mkdirSync(dir, { recursive: true })
    for (const f of fs.readdirSync(dir)) if (f.startsWith('seed-')) fs.unlinkSync(path.join(dir, f))
    const unique = new Map()
    for (const input of inputs) unique.set(crypto.createHash('sha1').update(input).digest('hex').slice(0, 16), input)
    // An even spread when there are more than the cap.
    const names = [...unique.keys()].sort()
    const step = Math.max(1, names.length / MAX_PER_TARGET)
    let written = 0
    for (let i = 0; i < names.length && written < MAX_PER_TARGET; i += step, written++) {
      const name = names[Math.floor(i)]
      fs.writeFileSync(path.join(dir, `seed-${name}`), unique.get(name))
    }
    console.log(`fuzz-corpus: ${target}: ${written} seeds (${unique.size} distinct)`)
  }
  console.log(`fuzz-corpus: from ${v.requests.length} requests and ${v.responses.length} responses in test/`)
}

main()
