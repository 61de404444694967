// uvhttp's exports type-check as node:http's: every member node:http has
// and uvhttp implements is assignable to node:http's own type, and the
// members node:http has that uvhttp lacks are exactly the listed ones.
import * as nodeHttp from 'node:http'
import * as uvhttp from 'uvhttp'

type NodeHttp = typeof nodeHttp
type Uvhttp = typeof uvhttp
type Implemented = Extract<keyof Uvhttp, keyof NodeHttp>

export const asNodeHttp: Pick<NodeHttp, Implemented> = uvhttp

// Nothing of node:http (as @types/node describes it) is left out.
type NotImplemented = Exclude<keyof NodeHttp, keyof Uvhttp>
export const notImplemented: [NotImplemented] extends [never] ? true : NotImplemented = true
