// uvhttp: Node's `http` module API over a native engine. Every export is a
// plain, writable property (COMPAT.md #17: request-mocking libraries replace
// http.request and friends on the module object), so nothing here uses
// `export ... from`, which TypeScript compiles to getters.
import * as http from 'http'
import { binding } from './binding'
import { validateHeaderName as validateName, validateHeaderValue as validateValue } from './headers'
import { IncomingMessage as IncomingMessageCtor } from './incoming-message'
import { DEFAULT_MAX_HEADER_SIZE, Server as ServerCtor } from './server'
import { ServerResponse as ServerResponseCtor } from './server-response'
import { STATUS_CODES as CODES } from './status-codes'

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

// The client half still runs on Node's core client until uvhttp's own lands
// (issue 3); these are Node's objects, re-exported unchanged.
export const request = http.request
export const get = http.get
export const ClientRequest = http.ClientRequest
export const Agent = http.Agent
export const globalAgent = http.globalAgent
export const setMaxIdleHTTPParsers = http.setMaxIdleHTTPParsers
