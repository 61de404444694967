// The same imports from an ES module: default and named.
import http, { createServer, get, Agent, STATUS_CODES } from 'uvhttp'
import 'uvhttp/register'

const server: http.Server = createServer((req: http.IncomingMessage, res: http.ServerResponse) => res.end(STATUS_CODES[200]))
const agent: http.Agent = new Agent({ keepAlive: true })
export const started: Promise<http.ClientRequest> = new Promise((resolve) => {
  server.listen(0, () => resolve(get({ port: (server.address() as { port: number }).port, agent })))
})
