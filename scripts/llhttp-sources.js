'use strict'
// Prints llhttp's C sources for binding.gyp, or stops the build with one clear
// message saying how to get them (llhttp is never committed to this repo).
const fs = require('fs')
const path = require('path')
const dir = path.join(__dirname, '..', 'native', 'deps', 'llhttp')
const files = ['llhttp.c', 'api.c', 'http.c'].map((f) => path.join('native', 'deps', 'llhttp', 'src', f))
if (!files.every((f) => fs.existsSync(path.join(__dirname, '..', f)))) {
  console.error(
    `uvhttp: llhttp sources not found in ${dir}.\n` +
    '  Run `npm run fetch-llhttp` (unpacks Debian\'s libllhttp-source, llhttp 9.x),\n' +
    '  or copy llhttp 9.x\'s src/ and include/ folders there, then build again.')
  process.exit(1)
}
console.log(files.join(' '))
