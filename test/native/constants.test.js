'use strict'
// Every constant that crosses the boundary is defined once natively
// (native/constants.h, exported as binding.constants by native/addon.cc) and
// mirrored in lib/engine/constants.ts (STYLE.md). lib/engine/constants.ts uses `const enum`s,
// which the compiler inlines and erases from dist/, so the mirror is read from
// the TypeScript source itself, with the TypeScript compiler's parser.
const assert = require('assert')
const fs = require('fs')
const path = require('path')
const ts = require('typescript')
const { binding } = require('../../dist/engine/binding.js')

const root = path.join(__dirname, '..', '..')

// native prefix → the lib/engine/constants.ts enum that mirrors it
const families = { kEv: 'Ev', kHead: 'HeadFlag', kWrite: 'WriteFlag', kParser: 'ParserMode' }

/** Values of a constant expression as TypeScript would fold it in an enum. */
function evaluate (node, members) {
  if (ts.isNumericLiteral(node)) return Number(node.text)
  if (ts.isParenthesizedExpression(node)) return evaluate(node.expression, members)
  if (ts.isPrefixUnaryExpression(node)) {
    const v = evaluate(node.operand, members)
    if (node.operator === ts.SyntaxKind.MinusToken) return -v
    if (node.operator === ts.SyntaxKind.PlusToken) return v
    if (node.operator === ts.SyntaxKind.TildeToken) return ~v
  }
  if (ts.isIdentifier(node) && node.text in members) return members[node.text]
  if (ts.isBinaryExpression(node)) {
    const a = evaluate(node.left, members)
    const b = evaluate(node.right, members)
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.BarToken: return a | b
      case ts.SyntaxKind.AmpersandToken: return a & b
      case ts.SyntaxKind.LessThanLessThanToken: return a << b
      case ts.SyntaxKind.PlusToken: return a + b
      case ts.SyntaxKind.MinusToken: return a - b
      case ts.SyntaxKind.AsteriskToken: return a * b
    }
  }
  throw new Error(`lib/engine/constants.ts: cannot evaluate enum initialiser \`${node.getText()}\``)
}

/** { EnumName: { MEMBER: value } } for every enum declared in a TypeScript file. */
function enumsOf (file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)
  const enums = {}
  source.forEachChild(function visit (node) {
    if (ts.isEnumDeclaration(node)) {
      const members = {}
      let next = 0
      for (const m of node.members) {
        const name = m.name.getText(source)
        const value = m.initializer ? evaluate(m.initializer, members) : next
        members[name] = value
        next = value + 1
      }
      enums[node.name.text] = members
    }
    node.forEachChild(visit)
  })
  return enums
}

/** kEvParseError → PARSE_ERROR, kHeadKeepAlive → KEEP_ALIVE, kWriteUtf8 → UTF8 */
function tsMemberName (nativeName, prefix) {
  return nativeName.slice(prefix.length).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

describe('native constants mirrored in lib/engine/constants.ts', function () {
  const native = binding.constants
  const enums = enumsOf(path.join(root, 'lib', 'engine', 'constants.ts'))

  it('reads the enums of lib/engine/constants.ts', function () {
    for (const name of Object.values(families)) {
      assert(enums[name] && Object.keys(enums[name]).length > 0, `enum ${name} not found in lib/engine/constants.ts`)
    }
  })

  for (const [prefix, enumName] of Object.entries(families)) {
    it(`${prefix}* equals ${enumName}, member for member`, function () {
      const fromNative = {}
      for (const [name, value] of Object.entries(native)) {
        if (name.startsWith(prefix) && /^[A-Z]/.test(name.slice(prefix.length))) {
          fromNative[tsMemberName(name, prefix)] = value
        }
      }
      assert(Object.keys(fromNative).length > 0, `binding.constants has no ${prefix}* constant`)
      // Both directions: a member missing on either side fails with its name.
      assert.deepStrictEqual(enums[enumName], fromNative)
    })
  }

  it('kDefaultMaxHeaderSize equals lib/engine/constants.ts DEFAULT_MAX_HEADER_SIZE and Node\'s default', function () {
    const { DEFAULT_MAX_HEADER_SIZE } = require('../../dist/engine/constants.js')
    assert.strictEqual(native.kDefaultMaxHeaderSize, DEFAULT_MAX_HEADER_SIZE)
    // Node's own default (--max-http-header-size unset in the test process).
    if (!process.execArgv.some((a) => a.startsWith('--max-http-header-size'))) {
      assert.strictEqual(native.kDefaultMaxHeaderSize, require('http').maxHeaderSize)
    }
  })

  it('has no native constant without a mirror', function () {
    const mirrored = (name) => name === 'kDefaultMaxHeaderSize' ||
      Object.keys(families).some((p) => name.startsWith(p) && /^[A-Z]/.test(name.slice(p.length)))
    const orphans = Object.keys(native).filter((name) => !mirrored(name))
    assert.deepStrictEqual(orphans, [], 'add them to lib/engine/constants.ts and to this test')
    for (const [name, value] of Object.entries(native)) {
      assert(Number.isInteger(value), `${name} is not an integer: ${value}`)
    }
  })

  it('EV_SIZE gives each event the slots native/constants.h documents', function () {
    // native/constants.h: `kEvHead = 1,  // [kind, method|status, url|reason, …]`
    const header = fs.readFileSync(path.join(root, 'native', 'constants.h'), 'utf8')
    const { EV_SIZE } = require('../../dist/engine/constants.js')
    const seen = []
    for (const m of header.matchAll(/^\s*(kEv\w+)\s*=\s*(\d+)\s*,\s*\/\/\s*\[([^\]]*)\]/gm)) {
      const [, name, value, slots] = m
      assert.strictEqual(Number(value), native[name], `${name} in native/constants.h vs binding.constants`)
      // A trailing `...n strings` is the variable part (recordEnd), not a fixed slot.
      const fixed = slots.split(',').filter((slot) => !slot.trim().startsWith('...'))
      assert.strictEqual(EV_SIZE[Number(value)], fixed.length, `EV_SIZE[${name}]`)
      seen.push(name)
    }
    const kinds = Object.keys(native).filter((n) => n.startsWith('kEv'))
    assert.deepStrictEqual(seen.sort(), kinds.sort(), 'every kEv* documents its record in native/constants.h')
    assert.strictEqual(EV_SIZE.length, Math.max(...kinds.map((n) => native[n])) + 1)
  })
})
