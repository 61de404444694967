// Agent: Node's own http.Agent, with connections from the engine. Pooling
// (getName keys, sockets / freeSockets / requests, maxSockets,
// maxTotalSockets, maxFreeSockets, scheduling, the keep-alive timeout, the
// 'free' and 'agentRemove' handling) stays exactly Node's, because real
// applications and agents built on it (agentkeepalive, proxy agents) read and
// override those fields (COMPAT.md #11); only createConnection changes.
import * as http from 'http'
import { connect } from './client-connection'

// Taken now: uvhttp/register later puts this module's Agent on http.Agent.
const NodeAgent = http.Agent

/**
 * `{ __proto__: null, ...source }` as Node builds it, but with fast
 * properties: V8 makes a null-prototype literal a dictionary, and copying a
 * dictionary is a runtime call that walks its keys one by one. The agent
 * spreads this object again for every request (Agent#addRequest), so the
 * difference is paid twice per request. Same own properties, same order, same
 * (null) prototype.
 */
export function nullPrototypeCopy (source: object): any {
  return Object.setPrototypeOf({ ...source }, null)
}

export interface Agent extends http.Agent {
  [key: string | symbol]: any
}

/** new Agent(options); callable as `Agent.call(this, options)` by ES5-style subclasses. */
export const Agent = function Agent (this: Agent, options?: http.AgentOptions) {
  if (!(this instanceof Agent)) return new (Agent as any)(options)
  ;(NodeAgent as any).call(this, options)
  // Node's addRequest spreads these options into every request's; a copy
  // with fast properties (same keys, same order) makes that spread cheap.
  this.options = nullPrototypeCopy(this.options)
  // Node's constructor reads its own Agent.defaultMaxSockets; honour ours.
  if (!(options as any)?.maxSockets) this.maxSockets = (Agent as any).defaultMaxSockets
} as unknown as {
  new (options?: http.AgentOptions): Agent
  (options?: http.AgentOptions): Agent
  prototype: Agent
  defaultMaxSockets: number
}

Object.setPrototypeOf(Agent.prototype, NodeAgent.prototype)
Object.setPrototypeOf(Agent, NodeAgent)
Agent.defaultMaxSockets = Infinity

/**
 * net.createConnection for the engine: the socket is returned at once (the
 * agent's callback is kept as a 'connect' listener, as net does), errors
 * arrive as its 'error' event.
 */
;(Agent.prototype as any).createConnection = function createConnection (options: any, cb?: () => void) {
  return connect(options, cb)
}

/** Node 20's global agent: keep-alive, LIFO, free sockets closed after 5 s. */
export const globalAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 } as http.AgentOptions)
