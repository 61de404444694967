'use strict'
// F2: a Fastify hello world, `node fastify.js <module path>`: GET / answering
// {"hello":"world"} from a route returning an object (serialised by Fastify),
// beside a parameter route and a JSON-body route. Fastify makes its server
// through serverFactory with the module's createServer, the documented way to
// give it another http implementation.

const Fastify = require('fastify')
const { loadHttp, fail, ready } = require('./announce')

const http = loadHttp(process.argv[2] || 'http')
const app = Fastify({ serverFactory: (handler) => http.createServer(handler) })
app.get('/', async () => ({ hello: 'world' }))
app.get('/users/:id', async (req) => ({ id: req.params.id }))
app.post('/users', async (req, reply) => reply.code(201).send(req.body))

app.listen({ port: 0, host: '127.0.0.1' }).then(
  () => ready(app.server.address().port),
  (err) => fail(`fastify: ${err.message}`, 3))
