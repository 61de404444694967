// The reason phrases Node 20 sends by default (http.STATUS_CODES), so that a
// status line written by uvhttp reads byte for byte as Node's. The wording
// follows Node, not always the RFC: 413 is still "Payload Too Large" (RFC 9110
// renamed it "Content Too Large") and 418 is "I'm a Teapot".
//
// A plain object with an Object prototype, as Node's is; user code sometimes
// adds or rewrites entries, and writeHead() reads them at call time.

export const STATUS_CODES: { [code: number]: string | undefined, [code: string]: string | undefined } = {
  // 1xx Informational: RFC 9110 §15.2; 102 RFC 2518; 103 RFC 8297.
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',

  // 2xx Successful: RFC 9110 §15.3; 207 RFC 4918; 208 RFC 5842; 226 RFC 3229.
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',

  // 3xx Redirection: RFC 9110 §15.4 (306 is unused and absent, as in Node).
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',

  // 4xx Client Error: RFC 9110 §15.5; 418 RFC 2324; 422-424 RFC 4918;
  // 425 RFC 8470; 428, 429, 431 RFC 6585; 451 RFC 7725.
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',

  // 5xx Server Error: RFC 9110 §15.6; 506 RFC 2295; 507 RFC 4918;
  // 508 RFC 5842; 509 is a de facto code (cPanel/Apache), kept as Node does;
  // 510 RFC 2774; 511 RFC 6585.
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  509: 'Bandwidth Limit Exceeded',
  510: 'Not Extended',
  511: 'Network Authentication Required',
}
