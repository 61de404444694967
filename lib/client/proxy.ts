// Node's HTTP proxy from the environment (Node 22.21+, 24.5+, 26): an agent
// made with `proxyEnv` (and the global agent when Node runs with
// NODE_USE_ENV_PROXY=1 or --use-env-proxy) connects to the proxy named by
// http_proxy/HTTP_PROXY instead of the target, unless NO_PROXY exempts the
// target, and a plain http request through it is sent in absolute form
// (`GET http://host:port/path HTTP/1.1`) with Proxy-Authorization and
// Proxy-Connection headers. Node's Agent constructor parses the proxy and
// NO_PROXY (and throws ERR_PROXY_INVALID_CONFIG); uvhttp's Agent runs that
// constructor, so it uses the very ProxyConfig Node made, and NO_PROXY
// matches as each Node line matches it. What this file does is what Node's
// Agent#createConnection and ClientRequest (rewriteForProxiedHttp) do with it.
// HTTPS through a proxy (a CONNECT tunnel) is https.Agent's, not this one's.
import * as http from 'http'
import * as tls from 'tls'
import { connect } from './client-connection'
import { ERR_INVALID_ARG_VALUE, ERR_SOCKET_BAD_PORT } from '../common/errors'
import { hasChangeFrom } from '../common/node-release'

/** What Node's ProxyConfig (lib/internal/http.js) holds and does. */
export interface ProxyConfig {
  protocol: string
  auth?: string
  proxyConnectionOptions: { host: string, port: number }
  shouldUseProxy (hostname: string, port: unknown): boolean
}

/**
 * The slot where Node's Agent constructor keeps the ProxyConfig, found on a
 * probe agent by what it holds; null on a Node without proxy support (20,
 * where `proxyEnv` is ignored, as uvhttp then ignores it too). Parity tests
 * fail on any line where Node proxies and this finds nothing.
 */
const kNodeProxyConfig: symbol | null = findProxyConfigSlot()

function findProxyConfigSlot (): symbol | null {
  const probe: any = new (http.Agent as any)({ proxyEnv: { HTTP_PROXY: 'http://127.0.0.1:1' } })
  return Object.getOwnPropertySymbols(probe).find((s) => typeof probe[s]?.shouldUseProxy === 'function') ?? null
}

/** uvhttp's Agent keeps its proxy (or null) here, decided once, at construction. */
export const kProxy = Symbol('uvhttp.agentProxy')

/** The ProxyConfig Node's constructor gave `agent` (null: no proxy). */
export function nodeProxyConfigOf (agent: any): ProxyConfig | null {
  return kNodeProxyConfig === null ? null : agent[kNodeProxyConfig] ?? null
}

/** The proxy of any agent: uvhttp's (its own slot) or Node's (Node's slot). */
export function proxyOf (agent: any): ProxyConfig | null {
  const own = agent[kProxy]
  return own !== undefined ? own : nodeProxyConfigOf(agent)
}

/** Node's checkShouldUseProxy: never for a Unix socket, else as NO_PROXY says. */
export function usesProxy (proxy: ProxyConfig, options: any): boolean {
  if (options.socketPath) return false
  return proxy.shouldUseProxy(options.host || 'localhost', options.port)
}

/**
 * The connection to the proxy, as Node makes it: its host and port alone
 * (none of the request's socket options), over TLS for an https: proxy.
 */
export function connectToProxy (proxy: ProxyConfig, cb?: () => void): any {
  const options = { ...proxy.proxyConnectionOptions }
  return proxy.protocol === 'https:' ? tls.connect(options, cb) : connect(options, cb)
}

/**
 * Node 24.19 and 26.5 validate the request target against the request's
 * authority before rewriting it (nodejs/node#64108); Node 22 does not.
 */
const validatesAuthority = hasChangeFrom({ 24: 19, 26: 5 })

/** The authority a proxied request is for: options' host (an IPv6 literal in brackets) and port. */
export interface RequestAuthority {
  host: string
  port: unknown
}

/**
 * Node's rewriteForProxiedHttp: when `proxy` (the request's agent's) takes
 * this request, the path becomes absolute and the proxy headers are set. `userHost` is the
 * Host header the caller gave (before the default one), `headerArray` the
 * headers when given as an array (whose Host is checked, not changed).
 * Throws ERR_INVALID_ARG_VALUE (Node 24.19+, 26.5+) when the Host header or
 * an absolute path names another authority than host and port.
 */
export function rewriteForProxy (req: any, proxy: ProxyConfig, options: any, authority: RequestAuthority,
  userHost: unknown, headerArray?: unknown[]): void {
  if (req._header || (options.protocol || req.agent.protocol) !== 'http:' || !usesProxy(proxy, options)) return
  if (!validatesAuthority) {
    setProxyHeaders(req, proxy)
    const requestURL = new URL(req.path, `http://${req.getHeader('host') || 'localhost'}`)
    if (options.port) requestURL.port = options.port
    req.path = requestURL.href
    return
  }
  // CONNECT and OPTIONS * keep their targets (RFC 9112 3.2.3, 3.2.4).
  let requestURL: URL | undefined
  if (req.method !== 'CONNECT' && !(req.method === 'OPTIONS' && req.path === '*')) {
    // Checked before anything changes, so a refused request keeps its headers.
    const checked = checkAuthority(req.path, authority, userHost, headerArray)
    if (headerArray === undefined) {
      const host = req.getHeader('host')
      if (host !== undefined && host !== checked.base.host) req.setHeader('Host', checked.base.host)
    }
    requestURL = checked.url
  }
  setProxyHeaders(req, proxy)
  if (requestURL !== undefined) req.path = requestURL.href
}

function setProxyHeaders (req: any, proxy: ProxyConfig): void {
  if (proxy.auth) req.setHeader('proxy-authorization', proxy.auth)
  req.setHeader('proxy-connection', req.shouldKeepAlive ? 'keep-alive' : 'close')
}

/** Node's validatePort(port, 'options.port', true). */
function checkPort (port: unknown): void {
  if ((typeof port !== 'number' && typeof port !== 'string') ||
      (typeof port === 'string' && port.trim().length === 0) ||
      +port !== (+port >>> 0) || +port > 0xFFFF) {
    throw ERR_SOCKET_BAD_PORT('options.port', port)
  }
}

/**
 * Node's validateRequestAuthority (RFC 9112 3.2): the Host header agrees
 * with the authority; the path is either origin-form or an http: URL of the
 * same authority without userinfo. Returns the base and the absolute URL.
 */
function checkAuthority (path: unknown, authority: RequestAuthority, userHost: unknown, headerArray?: unknown[]): { base: URL, url: URL } {
  checkPort(authority.port)
  const target = `${path}`
  const base = new URL(`http://${authority.host}`)
  base.port = authority.port as string
  if (headerArray !== undefined) {
    // The array is sent as it is: its Host must be the authority exactly.
    const host = hostOfArray(headerArray)
    if (host !== undefined && host !== base.host) {
      throw ERR_INVALID_ARG_VALUE('Host in options.headers', host, `must match the request authority (${base.host})`)
    }
  } else if (userHost !== undefined && !sameAuthority(base.host, userHost)) {
    throw ERR_INVALID_ARG_VALUE('Host in options.headers', userHost, `must match the request authority (${base.host})`)
  }
  let url: URL
  try {
    url = new URL(target)
  } catch {
    if (target.charCodeAt(0) !== 0x2F /* / */) {
      throw ERR_INVALID_ARG_VALUE('options.path', target, 'must be in absolute-form or start with /')
    }
    return { base, url: new URL(base.origin + target) }
  }
  if (url.username || url.password) {
    url.username = ''
    url.password = ''
    throw ERR_INVALID_ARG_VALUE('options.path', url.href, 'must not contain userinfo, use options.auth instead')
  }
  if (url.protocol !== 'http:') {
    throw ERR_INVALID_ARG_VALUE('options.path', url.protocol, 'must use http: scheme when specified as an absolute URL')
  }
  if (base.host !== url.host) {
    throw ERR_INVALID_ARG_VALUE('options.path', url, `must match the request authority (${base.host})`)
  }
  return { base, url }
}

/** A Host header value names `canonical` (an authority alone: no userinfo, path, query or fragment). */
function sameAuthority (canonical: string, value: unknown): boolean {
  let parsed: URL
  try {
    parsed = new URL(`http://${value}`)
  } catch {
    return false
  }
  if (parsed.username || parsed.password || parsed.pathname !== '/' || parsed.search || parsed.hash) return false
  return parsed.host === canonical
}

/** The Host of headers given as [name, value, …] or [[name, value], …]; a second Host is refused. */
function hostOfArray (headers: unknown[]): string | undefined {
  let host: string | undefined
  const duplicate = (): Error => ERR_INVALID_ARG_VALUE('options.headers', '(redacted)', 'must not contain duplicate Host headers')
  if (headers.length > 0 && Array.isArray(headers[0])) {
    for (let i = 0; i < headers.length; i++) {
      const entry = headers[i]
      if (!Array.isArray(entry)) {
        throw ERR_INVALID_ARG_VALUE(`options.headers[${i}]`, typeof entry, 'must be an array when headers is passed as an array of pairs')
      }
      if (`${entry[0]}`.toLowerCase() === 'host') {
        if (host !== undefined) throw duplicate()
        host = `${entry[1]}`
      }
    }
  } else {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (`${headers[i]}`.toLowerCase() === 'host') {
        if (host !== undefined) throw duplicate()
        host = `${headers[i + 1]}`
      }
    }
  }
  return host
}
