'use strict'
// Real reverse proxies in front of a test server (test/proxy/): nginx and
// HAProxy from Debian (.ci/run installs them), started by the test as the
// current user on loopback, with a configuration, pid file, logs and
// temporary files of their own in a fresh temporary folder, and stopped by
// it. start(proxy, appPorts) resolves { port, pid, proc, stop(), log() }.
// The benchmark (bench/workers.js) starts nginx in front of its servers
// with it too.
const childProcess = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')

/** The absolute path of `bin` on PATH (or in the sbin folders Debian puts daemons in), or null. */
function which (bin) {
  const dirs = [...(process.env.PATH || '').split(path.delimiter), '/usr/sbin', '/sbin']
  for (const dir of dirs) {
    const file = path.join(dir, bin)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      return file
    } catch {}
  }
  return null
}

/** A port nothing listens on right now (a proxy cannot be asked for an ephemeral one). */
function freePort () {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

/** Resolves once something accepts on port; rejects once proc exits or ms pass. */
function whenListening (proc, port, ms) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms
    let exited = false
    proc.once('exit', () => { exited = true })
    const attempt = () => {
      if (exited) return reject(new Error('the proxy exited'))
      const sock = net.connect(port, '127.0.0.1')
      sock.once('connect', () => { sock.destroy(); resolve() })
      sock.once('error', () => {
        sock.destroy()
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port} after ${ms} ms`))
        else setTimeout(attempt, 20)
      })
    }
    attempt()
  })
}

// As root, nginx's workers would become 'nobody' and could not use the
// temporary folder: they stay the current user.
const { uid, username } = os.userInfo()

/**
 * nginx (1.22 in Debian 12) as the usual reverse proxy for a Node app:
 * HTTP/1.1 to the upstream (one server per app port, taken in turn) with a
 * keep-alive pool of up to `keepalive` idle connections, WebSocket upgrades
 * passed on, X-Forwarded-* added. The pool's idle connections close after
 * idleTimeout seconds and after keepaliveRequests requests.
 */
const nginx = {
  name: 'nginx',
  bin: 'nginx',
  args: (dir) => ['-p', dir, '-c', path.join(dir, 'proxy.conf'), '-e', path.join(dir, 'error.log')],
  config: ({ dir, port, appPorts, keepalive, idleTimeout, keepaliveRequests }) => `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${uid === 0 ? `user ${username};` : ''}
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 64m;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream app {
${appPorts.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive ${keepalive};
    keepalive_timeout ${idleTimeout}s;
    keepalive_requests ${keepaliveRequests};
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Real-IP $remote_addr;
    }
  }
}
`
}

/**
 * HAProxy (2.6 in Debian 12) in HTTP mode: connections to the server are
 * kept and shared (http-reuse always), X-Forwarded-For and -Proto added,
 * WebSocket upgrades tunnelled. Idle server connections are purged after
 * idleTimeout seconds (pool-purge-delay); it does not count requests.
 */
const haproxy = {
  name: 'HAProxy',
  bin: 'haproxy',
  args: (dir) => ['-db', '-f', path.join(dir, 'proxy.conf')],
  config: ({ port, appPorts, idleTimeout }) => `
global
  maxconn 256
defaults
  mode http
  timeout connect 2s
  timeout client 20s
  timeout server 20s
  timeout tunnel 20s
  timeout http-keep-alive 20s
frontend front
  bind 127.0.0.1:${port}
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  default_backend app
backend app
  http-reuse always
${appPorts.map((p, i) => `  server app${i} 127.0.0.1:${p} pool-purge-delay ${idleTimeout}s`).join('\n')}
`
}

// The proxy is not ours to sanitize: the ASan run (scripts/test-asan.sh)
// preloads libasan into the children of the suite.
const env = { ...process.env }
delete env.LD_PRELOAD

/**
 * Starts `proxy` in front of 127.0.0.1 on each of appPorts; resolves { port,
 * pid, proc (its ChildProcess), stop(), log() }. A port taken between
 * choosing and binding it: tries again. wrap: words run before the proxy's
 * command (the benchmark's taskset), which must exec it so pid is the proxy's.
 */
async function start (proxy, appPorts, { idleTimeout = 30, keepaliveRequests = 1000, keepalive = 8, wrap = [] } = {}) {
  const bin = which(proxy.bin)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `uvhttp-${proxy.bin}-`))
  let lastError
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    fs.writeFileSync(path.join(dir, 'proxy.conf'), proxy.config({ dir, port, appPorts, keepalive, idleTimeout, keepaliveRequests }))
    let output = ''
    const command = [...wrap, bin, ...proxy.args(dir)]
    const proc = childProcess.spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env })
    proc.stdout.on('data', (c) => { output += c })
    proc.stderr.on('data', (c) => { output += c })
    const log = () => {
      const file = path.join(dir, 'error.log')
      return output + (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '')
    }
    try {
      await whenListening(proc, port, 5000)
    } catch (err) {
      lastError = new Error(`${proxy.name} did not start: ${err.message}\n${log()}`)
      proc.kill('SIGKILL')
      continue
    }
    const stop = async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((resolve) => proc.once('exit', resolve))
        proc.kill('SIGTERM')
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000)
        await exited
        clearTimeout(timer)
      }
      fs.rmSync(dir, { recursive: true, force: true })
    }
    return { port, pid: proc.pid, proc, stop, log }
  }
  fs.rmSync(dir, { recursive: true, force: true })
  throw lastError
}

module.exports = { nginx, haproxy, which, start }
