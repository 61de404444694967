'use strict'
// Node's HTTP proxy from the environment (Node 22.21+, 24.5+, 26): an Agent
// made with `proxyEnv`, and the global agent under NODE_USE_ENV_PROXY=1 or
// --use-env-proxy. Each case runs on node:http and on uvhttp against the
// same raw proxy (a net server that records the bytes it is sent and
// answers) and the same target server, and compares what each side saw: the
// request line and headers at the proxy, NO_PROXY decisions, errors, pool
// keys. On Node 20, where Node has no such support, both ignore it.
const assert = require('assert')
const net = require('net')
const tls = require('tls')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { execFile } = require('child_process')
const { impls } = require('../helpers/impls')
const { byLine } = require('../helpers/node-line')
const { listen, close } = require('../helpers/net')
const { selfSignedCert } = require('../helpers/tls-cert')

// Node's proxy support: Node 22.21 and 24.5 added it; the matrix runs 22.23, 24.21, 26.
const proxies = byLine({ 20: false, 22: true })
const [major, minor] = process.versions.node.split('.').map(Number)
// Node 24.19 and 26.5 check the request target against the authority (nodejs/node#64108); 22 does not.
const checksTarget = proxies && (major > 26 || (major === 26 && minor >= 5) || (major === 24 && minor >= 19))

/**
 * A raw HTTP/1.1 peer on loopback: records each request head it reads on
 * each connection and answers `body` with keep-alive.
 */
async function recordingPeer (body, tlsOptions) {
  const heads = []
  const connections = new Set()
  const server = (tlsOptions ? tls.createServer.bind(null, tlsOptions) : net.createServer)((socket) => {
    connections.add(socket)
    socket.on('close', () => connections.delete(socket))
    const id = connections.size
    let buffered = ''
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1')
      let end
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        heads.push({ connection: id, head: buffered.slice(0, end + 4) })
        buffered = buffered.slice(end + 4)
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nKeep-Alive: timeout=5\r\n\r\n${body}`)
      }
    })
    socket.on('error', () => {})
  })
  const port = await listen(server)
  return {
    port,
    heads,
    async close () {
      for (const socket of connections) socket.destroy()
      await close(server)
    }
  }
}

/** One request on `agent`: what it gave (response, error or throw) and its events in order. */
function exchange (http, agent, options) {
  return new Promise((resolve) => {
    let req
    try {
      req = http.request({ agent, ...options })
    } catch (err) {
      resolve({ thrown: err.code, message: err.message })
      return
    }
    const result = { events: [] }
    for (const name of ['socket', 'response', 'error', 'close']) req.on(name, () => result.events.push(name))
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('latin1')
      res.on('data', (d) => { text += d })
      res.on('end', () => Object.assign(result, { status: res.statusCode, body: text, reused: req.reusedSocket, path: req.path }))
    })
    req.on('error', (err) => Object.assign(result, { error: err.code, message: err.message, address: err.address, port: err.port }))
    req.on('close', () => setImmediate(resolve, result))
    req.end()
  })
}

/**
 * Runs the requests (in order) on one agent made by `Agent` (`http`'s by
 * default) with proxyEnv `env(proxyPort, targetPort)`; resolves what each
 * gave, the agent's pool keys, and the heads the proxy and the target read.
 * Ports read PROXY and TARGET, so that runs compare.
 */
async function scenario (http, { env = (proxyPort) => ({ HTTP_PROXY: `http://127.0.0.1:${proxyPort}` }), agentOptions = {}, requests, proxyTls }, Agent = http.Agent) {
  const proxy = await recordingPeer('proxy', proxyTls)
  const target = await recordingPeer('target')
  const results = []
  let agent
  try {
    agent = new Agent({ ...agentOptions, proxyEnv: env(proxy.port, target.port) })
    for (const options of requests(target.port)) results.push(await exchange(http, agent, options))
    results.push({ pools: [...Object.keys(agent.sockets), ...Object.keys(agent.freeSockets)] })
  } catch (err) {
    results.push({ constructorThrew: err.code, message: err.message })
  } finally {
    if (agent) agent.destroy()
    await proxy.close()
    await target.close()
  }
  const seen = [...proxy.heads.map((h) => ({ at: 'proxy', ...h })), ...target.heads.map((h) => ({ at: 'target', ...h }))]
  const masked = JSON.stringify({ results, seen }).split(String(proxy.port)).join('PROXY').split(String(target.port)).join('TARGET')
  return JSON.parse(masked)
}

/**
 * Runs `script` in a child on this Node line, with node:arguments `args`,
 * `mod` being node:http or uvhttp (`which`), and the proxy variables of the
 * environment cleared but for `env`. `done` (a response callback) prints
 * the status and body, `failed` (an 'error' listener) the error's code.
 */
function runChild (args, script, which, env) {
  const uvhttpPath = path.join(__dirname, '..', '..')
  const prelude = `
    const which = ${JSON.stringify(which)}
    const mod = which === 'uvhttp' ? require(${JSON.stringify(uvhttpPath)}) : require('http')
    const done = (res) => {
      let body = ''
      res.on('data', (d) => { body += d })
      res.on('end', () => { mod.globalAgent.destroy(); process.stdout.write(res.statusCode + ' ' + body) })
    }
    const failed = (err) => { process.stdout.write(String(err.code)) }`
  const cleared = { http_proxy: '', HTTP_PROXY: '', https_proxy: '', HTTPS_PROXY: '', no_proxy: '', NO_PROXY: '', NODE_USE_ENV_PROXY: '' }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...args, '-e', prelude + script], { env: { ...process.env, ...cleared, ...env }, timeout: 8000 },
      (err, stdout, stderr) => err ? reject(new Error(stderr || err.message)) : resolve(stdout))
  })
}

/** The scenario on node:http and on uvhttp: equal, and node:http's is returned for line-specific checks. */
async function parity (spec) {
  const [[, reference], ...others] = impls
  const expected = await scenario(reference, spec)
  for (const [name, http] of others) {
    assert.deepStrictEqual(await scenario(http, spec), expected, `${name} differs from node:http`)
  }
  return expected
}

describe('client: HTTP proxy from the environment (proxyEnv, NODE_USE_ENV_PROXY)', () => {
  it('a plain request goes to the proxy in absolute form, with Host of the target (nothing on Node 20)', async () => {
    const { seen, results } = await parity({
      requests: (port) => [{ host: '127.0.0.1', port, path: '/a?b=1', headers: { 'x-one': '1' } }]
    })
    assert.deepStrictEqual(seen.map((s) => s.at), [proxies ? 'proxy' : 'target'])
    if (proxies) {
      assert.strictEqual(seen[0].head, 'GET http://127.0.0.1:TARGET/a?b=1 HTTP/1.1\r\nx-one: 1\r\nHost: 127.0.0.1:TARGET\r\n' +
        'proxy-connection: close\r\nConnection: close\r\n\r\n')
      assert.strictEqual(results[0].path, 'http://127.0.0.1:TARGET/a?b=1')
    }
  })

  it('credentials in the proxy URL become Proxy-Authorization (decoded, then Base64); Expect heads too', async () => {
    const { seen } = await parity({
      env: (proxyPort) => ({ http_proxy: `http://us%40er:p%3Ass@127.0.0.1:${proxyPort}` }),
      requests: (port) => [
        { host: 'localhost', port, path: '/', method: 'POST', headers: { 'content-length': 0 } },
        { host: 'localhost', port, path: '/e', method: 'PUT', headers: { expect: '100-continue' } }
      ]
    })
    if (proxies) {
      assert.match(seen[0].head, /^POST http:\/\/localhost:TARGET\/ HTTP\/1.1\r\n.*\r\nproxy-authorization: Basic dXNAZXI6cDpzcw==\r\n/s)
      // Expect sends the head at once: rewritten before it leaves.
      assert.match(seen[1].head, /^PUT http:\/\/localhost:TARGET\/e HTTP\/1.1\r\nexpect: 100-continue\r\n.*proxy-authorization: /s)
    }
  })

  it('a keep-alive agent: Proxy-Connection: keep-alive, the proxy connection reused, pools keyed by target', async () => {
    const { seen, results } = await parity({
      agentOptions: { keepAlive: true },
      requests: (port) => [
        { host: '127.0.0.1', port, path: '/1' },
        { host: '127.0.0.1', port, path: '/2' },
        { host: 'localhost', port, path: '/3' }
      ]
    })
    if (proxies) {
      assert.deepStrictEqual(seen.map((s) => [s.at, s.connection]), [['proxy', 1], ['proxy', 1], ['proxy', 2]])
      assert.match(seen[0].head, /\r\nproxy-connection: keep-alive\r\nConnection: keep-alive\r\n/)
      assert.deepStrictEqual(results.map((r) => r.reused), [false, true, false, undefined])
      assert.deepStrictEqual(results[3].pools, ['127.0.0.1:TARGET:', 'localhost:TARGET:'])
    }
  })

  it('NO_PROXY: host, host:port, .suffix, *.suffix, * and IP ranges bypass the proxy; others use it', async () => {
    const cases = {
      localhost: ['target', 'proxy'],
      'LOCALHOST:TARGET': ['target', 'proxy'],
      'other, .localhost': ['target', 'proxy'],
      '*.localhost,127.0.0.1-127.0.0.2': ['proxy', 'target'],
      '*': ['target', 'target'],
      'localhost:1,127.0.0.2': ['proxy', 'proxy'],
      ocalhost: ['proxy', 'proxy']
    }
    for (const [list, expected] of Object.entries(cases)) {
      const { results } = await parity({
        env: (proxyPort, targetPort) => ({ HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: list.replace('TARGET', targetPort) }),
        requests: (port) => [{ host: 'localhost', port, path: '/' }, { host: '127.0.0.1', port, path: '/' }]
      })
      assert.deepStrictEqual(results.slice(0, 2).map((r) => r.body), proxies ? expected : ['target', 'target'], list)
    }
  })

  it('the proxy unreachable: the request\'s error is the connection\'s to the proxy', async () => {
    const { results } = await parity({
      env: () => ({ HTTP_PROXY: 'http://127.0.0.1:1' }),
      requests: (port) => [{ host: '127.0.0.1', port, path: '/' }]
    })
    if (proxies) assert.deepStrictEqual(results[0], { events: ['socket', 'error', 'close'], error: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1', address: '127.0.0.1', port: 1 })
  })

  it('an invalid proxy URL throws from the constructor; another scheme is ignored', async () => {
    const bad = await parity({ env: () => ({ HTTP_PROXY: 'http://[bad' }), requests: () => [] })
    const other = await parity({ env: () => ({ HTTP_PROXY: 'socks5://127.0.0.1:1' }), requests: (port) => [{ host: '127.0.0.1', port }] })
    if (proxies) {
      assert.strictEqual(bad.results[0].constructorThrew, 'ERR_PROXY_INVALID_CONFIG')
      assert.deepStrictEqual(other.seen.map((s) => s.at), ['target'])
    }
  })

  it('a Unix socket request never uses the proxy', async () => {
    const { results } = await parity({
      requests: () => [{ socketPath: path.join(__dirname, 'no-such.sock'), path: '/' }]
    })
    assert.strictEqual(results[0].error, 'ENOENT')
  })

  it('the request target checked against the authority (Node 24.19+, 26.5+), OPTIONS * kept', async () => {
    const { seen, results } = await parity({
      agentOptions: { keepAlive: true },
      requests: (port) => [
        { host: '127.0.0.1', port, path: 'http://elsewhere/' },
        { host: '127.0.0.1', port, path: '/', headers: { host: 'elsewhere' } },
        { host: '127.0.0.1', port, path: '/', headers: { host: `127.0.0.1:${port}` } },
        { host: '127.0.0.1', port, path: '/', headers: ['Host', 'x', 'Host', 'y'] },
        { host: '127.0.0.1', port, path: '/', headers: [['a', '1'], 'b'] },
        { host: '127.0.0.1', port, path: 'http://u:p@127.0.0.1/' },
        { host: '127.0.0.1', port, path: 'relative' },
        { host: '127.0.0.1', port: 'x', path: '/' },
        { host: '127.0.0.1', port, path: '*', method: 'OPTIONS' }
      ]
    })
    if (proxies) {
      assert.strictEqual(results.filter((r) => r.thrown === 'ERR_INVALID_ARG_VALUE').length, checksTarget ? 6 : 0)
      assert.strictEqual(seen.at(-1).head.split('\r\n')[0], checksTarget ? 'OPTIONS * HTTP/1.1' : 'OPTIONS http://127.0.0.1:TARGET/* HTTP/1.1')
    }
  })

  it('an https: proxy is reached over TLS, its certificate checked as for any TLS connection', async function () {
    const cert = selfSignedCert()
    if (!cert) this.skip()
    const { results, seen } = await parity({
      proxyTls: cert,
      env: (proxyPort) => ({ HTTP_PROXY: `https://localhost:${proxyPort}` }),
      requests: (port) => [{ host: '127.0.0.1', port, path: '/' }]
    })
    if (proxies) assert.deepStrictEqual([results[0].error, seen], ['DEPTH_ZERO_SELF_SIGNED_CERT', []])
    // With the certificate trusted (NODE_EXTRA_CA_CERTS, read at start-up).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-proxy-ca-'))
    const proxy = await recordingPeer('proxy', cert)
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), cert.cert)
      const env = { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') }
      const script = `
        const agent = new mod.Agent({ proxyEnv: { HTTP_PROXY: 'https://localhost:${proxy.port}' } })
        mod.get({ host: '127.0.0.1', port: 1, path: '/' + which, agent }, done).on('error', failed)`
      const outputs = [await runChild([], script, 'node', env), await runChild([], script, 'uvhttp', env)]
      const heads = proxy.heads.map((h) => h.head)
      if (proxies) {
        assert.deepStrictEqual(outputs, ['200 proxy', '200 proxy'])
        assert.deepStrictEqual(heads, ['node', 'uvhttp'].map((which) =>
          `GET http://127.0.0.1:1/${which} HTTP/1.1\r\nHost: 127.0.0.1:1\r\nproxy-connection: close\r\nConnection: close\r\n\r\n`))
      } else {
        assert.deepStrictEqual([outputs[0], outputs[1], heads], ['ECONNREFUSED', 'ECONNREFUSED', []])
      }
    } finally {
      await proxy.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('node:http over a uvhttp Agent with proxyEnv, and uvhttp over a node:http one, send what node:http alone does', async () => {
    const [[, nodeHttp]] = impls
    const uvhttp = require('../..')
    const spec = { agentOptions: { keepAlive: true }, requests: (port) => [{ host: '127.0.0.1', port, path: '/x' }, { host: '127.0.0.1', port, path: '/y' }] }
    const reference = await scenario(nodeHttp, spec)
    assert.deepStrictEqual(await scenario(nodeHttp, spec, uvhttp.Agent), reference)
    assert.deepStrictEqual(await scenario(uvhttp, spec, nodeHttp.Agent), reference)
    assert.deepStrictEqual(reference.seen.map((s) => s.at), proxies ? ['proxy', 'proxy'] : ['target', 'target'])
  })

  it('http.setGlobalProxyFromEnv(env) (Node 24+): the global agent, its module\'s own Agent, proxies until restore()', async function () {
    const hasIt = typeof require('http').setGlobalProxyFromEnv === 'function'
    assert.strictEqual(hasIt, byLine({ 20: false, 24: true }))
    if (!hasIt) return this.skip()
    const seenPerImpl = []
    for (const [, mod] of impls) {
      const proxy = await recordingPeer('proxy')
      const target = await recordingPeer('target')
      const original = mod.globalAgent
      const restore = mod.setGlobalProxyFromEnv({ HTTP_PROXY: `http://127.0.0.1:${proxy.port}` })
      try {
        const installed = mod.globalAgent
        assert.notStrictEqual(installed, original)
        assert.strictEqual(Object.getPrototypeOf(installed), mod.Agent.prototype)
        const proxied = await exchange(mod, undefined, { host: '127.0.0.1', port: target.port, path: '/proxied' })
        installed.destroy()
        restore()
        assert.strictEqual(mod.globalAgent, original)
        const direct = await exchange(mod, undefined, { host: '127.0.0.1', port: target.port, path: '/direct' })
        original.destroy()
        assert.deepStrictEqual([proxied.status, direct.status], [200, 200])
        seenPerImpl.push([...proxy.heads.map((h) => 'proxy ' + h.head.split('\r\n')[0]), ...target.heads.map((h) => 'target ' + h.head.split('\r\n')[0])]
          .join('\n').split(String(target.port)).join('TARGET'))
      } finally {
        await proxy.close()
        await target.close()
      }
    }
    for (const seen of seenPerImpl) assert.strictEqual(seen, 'proxy GET http://127.0.0.1:TARGET/proxied HTTP/1.1\ntarget GET /direct HTTP/1.1')
    // With no proxy in env it changes nothing and returns a function all the same.
    for (const [, mod] of impls) {
      const original = mod.globalAgent
      const restore = mod.setGlobalProxyFromEnv({})
      assert.strictEqual(mod.globalAgent, original)
      assert.strictEqual(typeof restore, 'function')
      restore()
    }
  })

  it('under uvhttp/register, http.setGlobalProxyFromEnv installs uvhttp\'s Agent (Node 24+)', async function () {
    if (typeof require('http').setGlobalProxyFromEnv !== 'function') return this.skip()
    this.timeout(20000)
    const proxy = await recordingPeer('proxy')
    const target = await recordingPeer('target')
    const script = `
      const restore = mod.setGlobalProxyFromEnv({ HTTP_PROXY: 'http://127.0.0.1:${proxy.port}' })
      const agentIsUvhttps = mod.globalAgent instanceof require(${JSON.stringify(path.join(__dirname, '..', '..'))}).Agent &&
        Object.getPrototypeOf(mod.globalAgent) === mod.Agent.prototype
      mod.get({ host: '127.0.0.1', port: ${target.port}, path: '/registered' }, (res) => {
        res.resume()
        res.on('end', () => { mod.globalAgent.destroy(); restore(); process.stdout.write(res.statusCode + ' ' + agentIsUvhttps) })
      }).on('error', failed)`
    try {
      assert.strictEqual(await runChild(['-r', 'uvhttp/register'], script, 'node', {}), '200 true')
      assert.deepStrictEqual(proxy.heads.map((h) => h.head.split('\r\n')[0]), [`GET http://127.0.0.1:${target.port}/registered HTTP/1.1`])
    } finally {
      await proxy.close()
      await target.close()
    }
  })

  it('the global agent proxies under NODE_USE_ENV_PROXY=1 and --use-env-proxy, as node:http\'s', async function () {
    this.timeout(20000)
    const proxy = await recordingPeer('proxy')
    const target = await recordingPeer('target')
    const script = `
      mod.get({ host: '127.0.0.1', port: ${target.port}, path: '/' + which }, done).on('error', failed)`
    try {
      const ways = [[[], { NODE_USE_ENV_PROXY: '1' }], [proxies ? ['--use-env-proxy'] : [], {}], [[], {}]]
      const seenPerWay = []
      for (const [args, env] of ways) {
        proxy.heads.length = 0
        target.heads.length = 0
        for (const which of ['node', 'uvhttp']) {
          const env2 = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, ...env }
          assert.match(await runChild(args, script, which, env2), /^200 /)
        }
        seenPerWay.push([...proxy.heads.map((h) => 'proxy ' + h.head.split('\r\n')[0]), ...target.heads.map((h) => 'target ' + h.head.split('\r\n')[0])])
      }
      const via = (way) => proxies && way !== 'none'
        ? [`proxy GET http://127.0.0.1:${target.port}/node HTTP/1.1`, `proxy GET http://127.0.0.1:${target.port}/uvhttp HTTP/1.1`]
        : ['target GET /node HTTP/1.1', 'target GET /uvhttp HTTP/1.1']
      assert.deepStrictEqual(seenPerWay, [via('env'), via('flag'), via('none')])
    } finally {
      await proxy.close()
      await target.close()
    }
  })
})
