// Constants that cross the native/JS boundary. Mirrored in lib/engine/constants.ts;
// test/native/constants.test.js compares the two through binding.constants.
#ifndef UVHTTP_CONSTANTS_H_
#define UVHTTP_CONSTANTS_H_

namespace uvhttp {

// Kinds of the records in a batch; each record is a fixed number of slots.
enum EventKind {
  kEvHead = 1,        // [kind, method|status, url|reason, n, major, minor, flags, ...n raw header strings]
  kEvBody = 2,        // [kind, Buffer]
  kEvEnd = 3,         // [kind, n, ...n raw trailer strings]; n = -1: no trailers
  kEvParseError = 4,  // [kind, code, reason, bytesParsed, rawPacket]
  kEvEof = 5,         // [kind]
  kEvDrain = 6,       // [kind]
  kEvIoError = 7,     // [kind, errno, syscall]
  kEvData = 8,        // [kind, Buffer]
  kEvClose = 9,       // [kind]
  kEvConnect = 10,    // [kind, errno]
};

enum HeadFlag {
  kHeadKeepAlive = 1,
  kHeadUpgrade = 2,
  kHeadChunked = 4,
  kHeadHasLength = 8,
  // A request's head has a Host field / an Expect field (its JS side then
  // needs to look no further for RFC 9112's Host rule or for 100-continue).
  kHeadHasHost = 16,
  kHeadHasExpect = 32,
};

enum WriteFlag {
  kWriteUtf8 = 1,
  kWriteEnd = 2,
  // More writes follow at once: keep this one corked (socket _writev).
  kWriteMore = 4,
  // The socket is corked (Node's OutgoingMessage#write corks it for the rest
  // of the tick): hold these bytes, bodies of any size, until flush() or a
  // write without this flag commits them; closing first drops them.
  kWriteHold = 8,
};

enum ParserMode {
  kParserNone = 0,
  kParserRequest = 1,
  kParserResponse = 2,
};

// Bodies at least this large are written from the caller's Buffer without
// first being copied into the cork buffer.
constexpr size_t kDirectWriteMin = 16 * 1024;
// A batch corks at most this much before writing anyway, so a handler that
// writes a lot in one go still meets backpressure.
constexpr size_t kCorkLimit = 64 * 1024;
// A batch longer than this reaches JS as one array rather than as the
// call's arguments (which live on the stack).
constexpr size_t kMaxBatchArgs = 1024;
// One read buffer per environment: reads are handled one at a time.
constexpr size_t kReadBufferSize = 64 * 1024;
// Node's default --max-http-header-size.
constexpr size_t kDefaultMaxHeaderSize = 16 * 1024;
// Node's limit on the bytes of chunk extensions (HPE_CHUNK_EXTENSIONS_OVERFLOW).
constexpr size_t kMaxChunkExtensionsSize = 16 * 1024;

}  // namespace uvhttp

#endif  // UVHTTP_CONSTANTS_H_
