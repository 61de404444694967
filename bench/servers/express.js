'use strict'
// F1: an Express hello world, `node express.js <module path>`: a router with
// a few routes, GET / answering {"hello":"world"} through res.json() (what the
// load asks for), a parameter route and a JSON-body route beside it so the
// router has something to choose from. Express is given to the module's
// createServer(app), as an application does with Node's http (for uvhttp,
// `uvhttp.createServer(app)`, the way issue 10 supports for now).

const express = require('express')
const { loadHttp, listen } = require('./announce')

const http = loadHttp(process.argv[2] || 'http')
const app = express()
app.get('/', (req, res) => res.json({ hello: 'world' }))
app.get('/users/:id', (req, res) => res.json({ id: req.params.id }))
app.post('/users', express.json(), (req, res) => res.status(201).json(req.body))

listen(http.createServer(app))
