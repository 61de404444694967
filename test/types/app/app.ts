// A small application written against node:http's types, importing uvhttp
// instead: a server with an 'upgrade' handler, a client request, and an
// upgrading client. Compiled (and, from the packed tarball, run) by the tests.
import http, { createServer, request, type IncomingMessage, type ServerResponse } from 'uvhttp'
import type { Duplex } from 'node:stream'

const server: http.Server = createServer((req: IncomingMessage, res: ServerResponse) => {
  res.setHeader('Content-Type', 'text/plain')
  res.end(`hello ${req.method} ${req.url}`)
})

server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n')
  if (head.length > 0) socket.write(head)
  socket.pipe(socket)
})

function get (port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req: http.ClientRequest = request({ port, path, agent: new http.Agent() }, (res: http.IncomingMessage) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve(`${res.statusCode} ${body}`))
    })
    req.on('error', reject)
    req.end()
  })
}

function upgrade (port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, headers: { Connection: 'Upgrade', Upgrade: 'echo' } })
    req.on('upgrade', (res: http.IncomingMessage, socket: Duplex) => {
      socket.once('data', (echoed: Buffer) => {
        socket.destroy()
        resolve(`${res.statusCode} ${echoed.toString()}`)
      })
      socket.write('ping')
    })
    req.on('error', reject)
    req.end()
  })
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address() as { port: number }
  try {
    console.log(await get(port, '/typed'))
    console.log(await upgrade(port))
  } finally {
    server.close()
    http.globalAgent.destroy()
  }
})
