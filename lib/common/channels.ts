// The diagnostics channels Node's http publishes on (lib/_http_server.js,
// lib/_http_client.js), which APM and tracing agents subscribe to. uvhttp publishes
// each one at the moment Node does, with Node's message: the same object
// (`{ request, response, socket, server }` or the subset Node sends).
// Every publish is behind `hasSubscribers`, as Node's: nothing is built when
// nobody listens.
//
// dc.channel(name) returns the one channel of that name, the very object
// Node's http holds, so a subscriber sees Node's and uvhttp's messages alike.
import * as dc from 'diagnostics_channel'
import * as http from 'http'

/** A request's head was parsed and its response made, before 'request' (parserOnIncoming). */
export const serverRequestStart = dc.channel('http.server.request.start')
/** The response finished, before the connection moves on (resOnFinish). */
export const serverResponseFinish = dc.channel('http.server.response.finish')
/** The request was ended by the application (ClientRequest#_finish). */
export const clientRequestStart = dc.channel('http.client.request.start')
/** The response's head was parsed, before 'response' (parserOnIncomingClient). */
export const clientResponseFinish = dc.channel('http.client.response.finish')
/** Just before the request emits 'error' (emitErrorEvent). */
export const clientRequestError = dc.channel('http.client.request.error')

/**
 * Whether `act` makes `channel` publish, found without a subscriber ever
 * seeing it (uvhttp's probes of Node's classes are no requests): meanwhile
 * the channel claims subscribers and its publish only takes note (own
 * properties shadowing the channel's prototype; the channel's real
 * subscribers, if any, stay where they are).
 */
export function publishesOn (channel: dc.Channel, act: () => void): boolean {
  if (Object.hasOwn(channel, 'hasSubscribers') || Object.hasOwn(channel, 'publish')) {
    throw new Error(`uvhttp: this Node.js (${process.version}) has diagnostics channels of another shape`)
  }
  let published = false
  Object.defineProperty(channel, 'hasSubscribers', { configurable: true, get: () => true })
  Object.defineProperty(channel, 'publish', { configurable: true, value: () => { published = true } })
  try {
    act()
  } finally {
    delete (channel as any).hasSubscribers
    delete (channel as any).publish
  }
  return published
}

/**
 * The request was constructed (end of ClientRequest's constructor), on the
 * lines whose http has this channel (22 and later); null on the others.
 * Found by making a Node ClientRequest that goes nowhere (an agent that
 * takes it and does nothing).
 */
export const clientRequestCreated: dc.Channel | null = nodePublishes('http.client.request.created',
  () => new http.ClientRequest({ agent: { addRequest () {} } } as any))

function nodePublishes (name: string, act: () => void): dc.Channel | null {
  const channel = dc.channel(name)
  return publishesOn(channel, act) ? channel : null
}

/**
 * The response was constructed (end of ServerResponse's constructor), on
 * the lines whose http has this channel (22 and later); null on the others.
 */
export const serverResponseCreated: dc.Channel | null = nodePublishes('http.server.response.created',
  () => new http.ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as any))

/**
 * A Node ServerResponse for a load-time probe of the running line's
 * behaviour: made without announcing it to subscribers.
 */
export function probeServerResponse (): any {
  let res: any
  publishesOn(dc.channel('http.server.response.created'), () => {
    res = new http.ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as any)
  })
  return res
}
