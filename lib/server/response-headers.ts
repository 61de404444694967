// The header methods of uvhttp's ServerResponse: Node's setHeader …
// removeHeader and addTrailers, over the header store Node keeps under its
// kOutHeaders symbol (lib/server/outgoing-headers.ts), with Node's
// validation and error codes.
import { ERR_HTTP_HEADERS_SENT, ERR_INVALID_ARG_TYPE, ERR_INVALID_CHAR } from '../common/errors'
import { validateHeaderName } from '../common/headers'
import { kOutHeaders, kUniqueHeaders } from '../common/node-internals'
import { createOutHeaders, lowerName, OutHeaders, refusedValue, validatedKey, validateNameArgument } from './outgoing-headers'

type ServerResponse = any

/** Puts the header methods on uvhttp's ServerResponse prototype. */
export function installHeaderMethods (proto: any): void {
  proto.setHeader = function setHeader (this: ServerResponse, name: string, value: any) {
    if (this._header) throw ERR_HTTP_HEADERS_SENT('set')
    const key = validatedKey(this, name, value)
    let headers: OutHeaders | null = this[kOutHeaders]
    if (headers === null) this[kOutHeaders] = headers = createOutHeaders()
    headers[key] = [name, value]
    return this
  }

  proto.setHeaders = function setHeaders (this: ServerResponse, headers: any) {
    if (this._header) throw ERR_HTTP_HEADERS_SENT('set')
    if (!headers || Array.isArray(headers) || typeof headers.keys !== 'function' || typeof headers.get !== 'function') {
      throw ERR_INVALID_ARG_TYPE('headers', ['Headers', 'Map'], headers)
    }
    // A Headers object joins Set-Cookie values when read with get(): they
    // are gathered while iterating and set together, as Node does.
    let cookies: any[] | null = null
    for (const { 0: key, 1: value } of headers) {
      if (key === 'set-cookie') {
        cookies ??= []
        if (Array.isArray(value)) cookies.push(...value)
        else cookies.push(value)
        continue
      }
      this.setHeader(key, value)
    }
    if (cookies !== null) this.setHeader('set-cookie', cookies)
    return this
  }

  proto.appendHeader = function appendHeader (this: ServerResponse, name: string, value: any) {
    if (this._header) throw ERR_HTTP_HEADERS_SENT('append')
    const key = validatedKey(this, name, value)
    const headers: OutHeaders | null = this[kOutHeaders]
    if (headers === null || !headers[key]) return this.setHeader(name, value)
    const entry = headers[key]
    if (!Array.isArray(entry[1])) entry[1] = [entry[1]]
    const values = entry[1]
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) values.push(value[i])
    } else {
      values.push(value)
    }
    return this
  }

  proto.getHeader = function getHeader (this: ServerResponse, name: string) {
    validateNameArgument(name)
    const headers: OutHeaders | null = this[kOutHeaders]
    if (headers === null) return undefined
    const entry = headers[lowerName(name)]
    return entry && entry[1]
  }

  proto.getHeaderNames = function getHeaderNames (this: ServerResponse) {
    const headers: OutHeaders | null = this[kOutHeaders]
    return headers !== null ? Object.keys(headers) : []
  }

  proto.getRawHeaderNames = function getRawHeaderNames (this: ServerResponse) {
    const headers: OutHeaders | null = this[kOutHeaders]
    if (headers === null) return []
    const names = []
    for (const key in headers) names.push(headers[key][0])
    return names
  }

  proto.getHeaders = function getHeaders (this: ServerResponse) {
    const headers: OutHeaders | null = this[kOutHeaders]
    const copy = Object.create(null)
    if (headers !== null) {
      for (const key in headers) copy[key] = headers[key][1]
    }
    return copy
  }

  proto.hasHeader = function hasHeader (this: ServerResponse, name: string) {
    validateNameArgument(name)
    const headers: OutHeaders | null = this[kOutHeaders]
    return headers !== null && !!headers[lowerName(name)]
  }

  proto.removeHeader = function removeHeader (this: ServerResponse, name: string) {
    validateNameArgument(name)
    if (this._header) throw ERR_HTTP_HEADERS_SENT('remove')
    const key = lowerName(name)
    switch (key) {
      case 'connection': this._removedConnection = true; break
      case 'content-length': this._removedContLen = true; break
      case 'transfer-encoding': this._removedTE = true; break
      case 'date': this.sendDate = false; break
    }
    const headers: OutHeaders | null = this[kOutHeaders]
    if (headers !== null) delete headers[key]
  }

  proto._renderHeaders = function _renderHeaders (this: ServerResponse) {
    if (this._header) throw ERR_HTTP_HEADERS_SENT('render')
    const headers: OutHeaders | null = this[kOutHeaders]
    const out: Record<string, any> = {}
    if (headers !== null) {
      for (const key in headers) out[headers[key][0]] = headers[key][1]
    }
    return out
  }


  proto.addTrailers = function addTrailers (this: ServerResponse, headers: any) {
    this._trailer = ''
    const keys = Object.keys(headers)
    const isArray = Array.isArray(headers)
    const unique: Set<string> | null = this[kUniqueHeaders]
    for (let i = 0, l = keys.length; i < l; i++) {
      let field, value
      const key = keys[i]
      if (isArray) {
        field = headers[key as any][0]
        value = headers[key as any][1]
      } else {
        field = key
        value = headers[key]
      }
      validateHeaderName(field, 'Trailer name')
      const isArrayValue = Array.isArray(value)
      if (isArrayValue && value.length > 1 && (!unique || !unique.has(field.toLowerCase()))) {
        for (let j = 0, n = value.length; j < n; j++) {
          if (refusedValue(this, value[j])) throw ERR_INVALID_CHAR('trailer content', field)
          this._trailer += field + ': ' + value[j] + '\r\n'
        }
      } else {
        if (isArrayValue) value = value.join('; ')
        if (refusedValue(this, value)) throw ERR_INVALID_CHAR('trailer content', field)
        this._trailer += field + ': ' + value + '\r\n'
      }
    }
  }
}
