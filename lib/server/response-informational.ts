// The 1xx heads of uvhttp's ServerResponse (RFC 9110 §15.2): 100 Continue,
// 102 Processing, 103 Early Hints and, where the running Node line has it,
// writeInformation. They leave in order with the rest of the response.
import * as http from 'http'
import { ERR_HTTP_HEADERS_SENT, ERR_HTTP_INVALID_STATUS_CODE, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_CHAR, ERR_OUT_OF_RANGE } from '../common/errors'
import { checkInvalidHeaderChar, validateHeaderName } from '../common/headers'
import { validateValue } from './outgoing-headers'

/** Node's own reason phrases, the object its writeHead reads (and users edit: uvhttp/register leaves http.STATUS_CODES Node's). */
const STATUS_CODES: Record<string, string | undefined> = http.STATUS_CODES

type ServerResponse = any
type Callback = (err?: Error | null) => void

/**
 * Puts the 1xx methods on uvhttp's ServerResponse prototype. `writeRaw`
 * hands bytes outside the message framing to the response's connection;
 * `writeInformationOfNode` is Node's own method where the line has one
 * (Node 24+), whose behaviour ours then follows.
 */
export function installInformational (proto: any, writeRaw: (res: ServerResponse, data: string, cb?: Callback) => boolean,
  writeInformationOfNode: Function | undefined): void {
  proto.writeContinue = function writeContinue (this: ServerResponse, cb?: Callback) {
    if (writeInformationOfNode !== undefined) this.writeInformation(100, null, cb)
    else writeRaw(this, 'HTTP/1.1 100 Continue\r\n\r\n', cb)
    this._sent100 = true
  }

  proto.writeProcessing = function writeProcessing (this: ServerResponse, cb?: Callback) {
    if (writeInformationOfNode !== undefined) this.writeInformation(102, null, cb)
    else writeRaw(this, 'HTTP/1.1 102 Processing\r\n\r\n', cb)
  }

  proto.writeEarlyHints = function writeEarlyHints (this: ServerResponse, hints: any, cb?: Callback) {
    if (hints === null || typeof hints !== 'object' || Array.isArray(hints)) throw ERR_INVALID_ARG_TYPE('hints', 'Object', hints)
    if (hints.link === null || hints.link === undefined) return
    const link = linkHeaderValue(hints.link)
    if (link.length === 0) return
    if (writeInformationOfNode !== undefined) {
      if (checkInvalidHeaderChar(link)) throw ERR_INVALID_CHAR('header content', 'Link')
      const headers: Record<string, any> = { __proto__: null as any, Link: link }
      for (const key of Object.keys(hints)) if (key !== 'link') headers[key] = hints[key]
      this.writeInformation(103, headers, cb)
      return
    }
    let head = 'HTTP/1.1 103 Early Hints\r\nLink: ' + link + '\r\n'
    for (const key of Object.keys(hints)) {
      if (key !== 'link') head += key + ': ' + hints[key] + '\r\n'
    }
    writeRaw(this, head + '\r\n', cb)
  }

  if (writeInformationOfNode !== undefined) {
    // Node 24: any 1xx but 101, with headers, validated as the final head's.
    proto.writeInformation = function writeInformation (this: ServerResponse, statusCode: number, headers: any, cb?: Callback) {
      if (this._header) throw ERR_HTTP_HEADERS_SENT('write')
      // Node's validateInteger(statusCode, 'statusCode', 100, 199).
      if (typeof statusCode !== 'number') throw ERR_INVALID_ARG_TYPE('statusCode', 'number', statusCode)
      if (!Number.isInteger(statusCode)) throw ERR_OUT_OF_RANGE('statusCode', 'an integer', statusCode)
      if (statusCode < 100 || statusCode > 199) throw ERR_OUT_OF_RANGE('statusCode', '>= 100 && <= 199', statusCode)
      if (statusCode === 101) throw ERR_HTTP_INVALID_STATUS_CODE(statusCode)
      let head = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] || 'unknown'}\r\n`
      const field = (name: any, value: any): string => {
        validateHeaderName(name)
        validateValue(this, name, value)
        return `${name}: ${value}\r\n`
      }
      if (headers !== undefined && headers !== null) {
        if (Array.isArray(headers)) {
          if (headers.length && Array.isArray(headers[0])) {
            for (let i = 0; i < headers.length; i++) head += field(headers[i][0], headers[i][1])
          } else {
            if (headers.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE('headers', headers)
            for (let i = 0; i < headers.length; i += 2) head += field(headers[i], headers[i + 1])
          }
        } else {
          if (typeof headers !== 'object') throw ERR_INVALID_ARG_TYPE('headers', 'Object', headers)
          for (const key of Object.keys(headers)) head += field(key, headers[key])
        }
      }
      return writeRaw(this, head + '\r\n', cb)
    }
  }
}

/** Node's validateLinkHeaderValue: a string, or an array of strings joined with ', '. */
function linkHeaderValue (hints: unknown): string {
  if (typeof hints === 'string') {
    validateLink(hints)
    return hints
  }
  if (Array.isArray(hints)) {
    for (const hint of hints) validateLink(hint)
    return hints.join(', ')
  }
  throw ERR_INVALID_ARG_VALUE('hints', hints, 'must be an array or string of format "</styles.css>; rel=preload; as=style"')
}

const LINK_VALUE = /^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/

function validateLink (hint: unknown): void {
  if (hint === undefined || !LINK_VALUE.test(hint as string)) {
    throw ERR_INVALID_ARG_VALUE('hints', hint, 'must be an array or string of format "</styles.css>; rel=preload; as=style"')
  }
}
