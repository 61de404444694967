'use strict'
// A self-signed certificate for localhost / 127.0.0.1, made once per process
// with openssl (Node's crypto makes keys but not X.509 certificates). Returns
// { key, cert } as PEM strings, or null when openssl is not installed (the
// TLS tests then skip).
const { execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

let cached

function selfSignedCert () {
  if (cached !== undefined) return cached
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-tls-'))
  try {
    const key = path.join(dir, 'key.pem')
    const cert = path.join(dir, 'cert.pem')
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1',
      '-keyout', key, '-out', cert,
      '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'
    ], { stdio: 'ignore', timeout: 20000 })
    cached = { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') }
  } catch (err) {
    cached = null
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return cached
}

module.exports = { selfSignedCert }
