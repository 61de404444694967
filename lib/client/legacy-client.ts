// http.createClient(port, host): the pre-0.10 client API the seed document
// still lists, long deprecated in favour of http.request() and gone from
// Node's own module. Kept for old code: a Client is an EventEmitter that
// makes requests over its own agent (one socket, as it was) and re-emits
// their errors and the socket's 'end'.
import { EventEmitter } from 'events'
import { deprecate } from 'util'
import { Agent } from './agent'
import { ClientRequest } from './client-request'

export interface Client extends EventEmitter {
  host: string
  port: number
  agent: InstanceType<typeof Agent>
  request (method: string, path?: any, headers?: any): InstanceType<typeof ClientRequest>
}

export const Client = function Client (this: Client, port?: number, host?: string) {
  if (!(this instanceof Client)) return new (Client as any)(port, host)
  EventEmitter.call(this)
  this.host = host || 'localhost'
  this.port = port || 80
  this.agent = new Agent({ maxSockets: 1 } as any)
} as unknown as { new (port?: number, host?: string): Client, (port?: number, host?: string): Client, prototype: Client }

Object.setPrototypeOf(Client.prototype, EventEmitter.prototype)
Object.setPrototypeOf(Client, EventEmitter)

/** client.request([method,] path [, headers]) */
Client.prototype.request = function request (this: Client, method: string, path?: any, headers?: any) {
  if (typeof method === 'string' && method[0] === '/') {
    headers = path
    path = method
    method = 'GET'
  }
  const req = new ClientRequest({ host: this.host, port: this.port, method, path, headers, agent: this.agent })
  req.on('error', (err: Error) => this.emit('error', err))
  req.on('socket', (socket: any) => socket.on('end', () => this.emit('end')))
  return req
}

export const createClient = deprecate(function createClient (port?: number, host?: string): Client {
  return new Client(port, host)
}, 'http.createClient is deprecated. Use http.request instead.', 'UVHTTP_DEP_CREATE_CLIENT')
