// uvhttp: Node's `http` module API over a native engine. Every export is a
// plain, writable property (COMPAT.md #17: request-mocking libraries replace
// http.request and friends on the module object), so nothing here uses
// `export ... from`, which TypeScript compiles to getters.
import * as http from 'http'
import { Agent as AgentCtor, globalAgent as defaultAgent, newGlobalAgent } from './client/agent'
import { binding } from './engine/binding'
import { DEFAULT_MAX_HEADER_SIZE } from './engine/constants'
import { ClientRequest as ClientRequestCtor, get as clientGet, request as clientRequest, takeGlobalAgentFrom } from './client/client-request'
import { validateHeaderName as validateName, validateHeaderValue as validateValue } from './common/headers'
import { IncomingMessage as IncomingMessageCtor } from './common/incoming-message'
import { createClient as legacyCreateClient } from './client/legacy-client'
import { Server as ServerCtor } from './server/server'
import { ServerResponse as ServerResponseCtor } from './server/server-response'
import { STATUS_CODES as CODES } from './common/status-codes'

// The public types are node:http's own, so code written for node:http
// type-checks unchanged (test/types).
export const Server: typeof http.Server = ServerCtor as unknown as typeof http.Server
export const IncomingMessage = IncomingMessageCtor
export const ServerResponse = ServerResponseCtor
export const OutgoingMessage = http.OutgoingMessage
export const STATUS_CODES = CODES
/** llhttp's HTTP methods, sorted, as Node's http.METHODS. */
export const METHODS: string[] = binding.METHODS.filter((m) => typeof m === 'string').sort()
export const maxHeaderSize = DEFAULT_MAX_HEADER_SIZE
export const validateHeaderName = validateName
export const validateHeaderValue = validateValue
export const versions = { uvhttp: require('../package.json').version as string, llhttp: binding.versions.llhttp }

export const createServer: typeof http.createServer = function createServer (options?: any, requestListener?: any) {
  return new ServerCtor(options, requestListener)
} as typeof http.createServer

// The client: ClientRequest and Agent over the engine's connections. The
// default agent of a request is read from this module's globalAgent at the
// time of the request, so replacing it here replaces it (as http.globalAgent
// does in Node).
export const request = clientRequest
export const get = clientGet
export const ClientRequest: typeof http.ClientRequest = ClientRequestCtor as unknown as typeof http.ClientRequest
export const Agent: typeof http.Agent = AgentCtor as unknown as typeof http.Agent
export const globalAgent = defaultAgent
export const createClient = legacyCreateClient
takeGlobalAgentFrom(exports)
// Node's HTTPParser pool serves the sockets uvhttp does not own.
export const setMaxIdleHTTPParsers = http.setMaxIdleHTTPParsers

// Members newer Node lines add, on the lines that have them (a module with
// the same keys as that line's node:http).
const nodeHttp: any = http
// Taken now: uvhttp/register puts uvhttp's in its place on node:http.
const nodeSetGlobalProxyFromEnv = nodeHttp.setGlobalProxyFromEnv
if (typeof nodeSetGlobalProxyFromEnv === 'function') {
  /**
   * Node 24+: proxies from `env` for the process's default agents. Node's
   * own call validates them and sets fetch's and https' (and node:http's);
   * this module's globalAgent becomes uvhttp's Agent for the proxy, as
   * Node's becomes its own, until the returned function restores it.
   */
  exports.setGlobalProxyFromEnv = function setGlobalProxyFromEnv (env: NodeJS.ProcessEnv = process.env) {
    const restoreNode = nodeSetGlobalProxyFromEnv(env)
    if (!(env.http_proxy || env.HTTP_PROXY)) return restoreNode
    const original = exports.globalAgent
    exports.globalAgent = newGlobalAgent(env)
    return function restore () {
      restoreNode()
      exports.globalAgent = original
    }
  }
}
// Node 26's non-throwing header checks: pure functions of Node's header rules.
if (typeof nodeHttp.isValidHeaderName === 'function') exports.isValidHeaderName = nodeHttp.isValidHeaderName
if (typeof nodeHttp.isValidHeaderValue === 'function') exports.isValidHeaderValue = nodeHttp.isValidHeaderValue

// `import http from 'uvhttp'` compiled to CommonJS (TypeScript with
// esModuleInterop, Babel) reads exports.default, since this module is marked
// __esModule: it is the module itself, as node:http's default import is
// node:http. Not enumerable and not declared, so the module's keys and its
// types stay node:http's (a default import type-checks as node:http's does).
// Node's own ES module loader takes module.exports either way.
Object.defineProperty(exports, 'default', { value: exports, writable: true, configurable: true })

// node:http's type names: its classes are types as well as values, and it
// declares the option and header shapes. Types only: nothing at run time.
export type Server = http.Server
export type IncomingMessage = http.IncomingMessage
export type ServerResponse = http.ServerResponse
export type OutgoingMessage = http.OutgoingMessage
export type ClientRequest = http.ClientRequest
export type Agent = http.Agent
export type {
  AgentOptions, ClientRequestArgs, IncomingHttpHeaders, InformationEvent, OutgoingHttpHeader,
  OutgoingHttpHeaders, RequestListener, RequestOptions, ServerOptions,
} from 'http'
