'use strict'
// Which addon the suite runs on. The sanitizer run (scripts/test-asan.sh,
// issue 2) sets UVHTTP_ADDON_PATH to the ASan/UBSan build; a suite that
// silently fell back to the plain build would prove nothing, so this checks
// what the process really mapped, and names it in the test title.
const assert = require('assert')
const fs = require('fs')
const path = require('path')

describe('native addon loading', function () {
  it('maps the addon UVHTTP_ADDON_PATH names (else the node-gyp build)', function () {
    if (!fs.existsSync('/proc/self/maps')) this.skip()
    require('../../dist/engine/binding.js')
    const maps = fs.readFileSync('/proc/self/maps', 'utf8')
    const mapped = [...new Set(maps.split('\n')
      .map((line) => line.trim().split(/\s+/).slice(5).join(' '))
      .filter((file) => file.endsWith('.node') && path.basename(file).startsWith('uvhttp')))]
    assert.strictEqual(mapped.length, 1, `one uvhttp addon mapped, got ${JSON.stringify(mapped)}`)
    const wanted = process.env.UVHTTP_ADDON_PATH
    if (wanted) {
      assert.strictEqual(mapped[0], fs.realpathSync(wanted))
      if (wanted.includes('build-asan')) assert.match(maps, /libasan\.so/, 'the ASan runtime is not loaded')
    } else {
      assert.doesNotMatch(mapped[0], /build-asan/)
    }
    this.test.title += ` — ${path.relative(path.join(__dirname, '..', '..'), mapped[0])}`
  })
})
