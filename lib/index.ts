// uvhttp: Node's `http` module API over a native engine. Every export is a
// plain, writable property (COMPAT.md #17: request-mocking libraries replace
// http.request and friends on the module object), so nothing here uses
// `export ... from`, which TypeScript compiles to getters.
import * as http from 'http'
import { Agent as AgentCtor, globalAgent as defaultAgent } from './client/agent'
import { binding } from './engine/binding'
import { DEFAULT_MAX_HEADER_SIZE } from './engine/constants'
import { ClientRequest as ClientRequestCtor, get as clientGet, request as clientRequest, takeGlobalAgentFrom } from './client/client-request'
import { validateHeaderName as validateName, validateHeaderValue as validateValue } from './common/headers'
import { IncomingMessage as IncomingMessageCtor } from './common/incoming-message'
import { createClient as legacyCreateClient } from './client/legacy-client'
import { Server as ServerCtor } from './server/server'
import { ServerResponse as ServerResponseCtor } from './server/server-response'
import { STATUS_CODES as CODES } from './common/status-codes'

export const Server = ServerCtor
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

export function createServer (options?: any, requestListener?: (...args: any[]) => void): InstanceType<typeof ServerCtor> {
  return new ServerCtor(options, requestListener)
}

// The client: ClientRequest and Agent over the engine's connections. The
// default agent of a request is read from this module's globalAgent at the
// time of the request, so replacing it here replaces it (as http.globalAgent
// does in Node).
export const request = clientRequest
export const get = clientGet
export const ClientRequest = ClientRequestCtor
export const Agent = AgentCtor
export const globalAgent = defaultAgent
export const createClient = legacyCreateClient
takeGlobalAgentFrom(exports)
// Node's HTTPParser pool serves the sockets uvhttp does not own.
export const setMaxIdleHTTPParsers = http.setMaxIdleHTTPParsers
