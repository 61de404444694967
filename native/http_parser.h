// A C++ wrapper over llhttp that knows nothing of sockets or N-API: bytes in,
// events out to a ParserSink. It copies URL, status text and header tokens out
// of the caller's buffer (which is reused after each read), enforces the
// header-size limit as Node does, and reports errors as {code, reason, pos}.
// Being pure, it is unit-tested and fuzzed on its own (test/fuzz).
#ifndef UVHTTP_HTTP_PARSER_H_
#define UVHTTP_HTTP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "llhttp.h"

namespace uvhttp {

// Header tokens of one head (or trailer block): names and values alternate.
struct HeaderList {
  std::string bytes;                                   // all tokens, back to back
  std::vector<std::pair<uint32_t, uint32_t>> spans;    // (offset, length) per token
  void Clear() { bytes.clear(); spans.clear(); }
  size_t Count() const { return spans.size(); }
  const char* Data(size_t i) const { return bytes.data() + spans[i].first; }
  size_t Length(size_t i) const { return spans[i].second; }
};

struct HeadInfo {
  int method;          // llhttp_method_t (requests)
  int status;          // status code (responses)
  const std::string* url_or_reason;
  const HeaderList* headers;
  int major;
  int minor;
  int flags;           // HeadFlag bits
};

struct ParseError {
  const char* code;    // "HPE_…"
  std::string reason;
  size_t pos;          // bytes of the current input consumed before the error
};

class ParserSink {
 public:
  virtual ~ParserSink() = default;
  // Whether a request with Connection: Upgrade leaves the parser (CONNECT always does).
  virtual bool WantUpgrade() = 0;
  // A new message starts (its first byte arrived); Node times headers and
  // requests from here.
  virtual void OnMessageBegin() {}
  virtual void OnHead(const HeadInfo& head) = 0;
  virtual void OnBody(const char* data, size_t len) = 0;
  // trailers is null when the message had none.
  virtual void OnMessageEnd(const HeaderList* trailers) = 0;
};

class HttpParser {
 public:
  enum class Result { kOk, kUpgrade, kError };

  HttpParser();
  void Init(llhttp_type_t type, ParserSink* sink);
  void SetLimits(size_t max_header_size, bool lenient);
  // Node's parser.maxHeaderPairs (0: no limit): name and value slots of one
  // header block (the head, or the trailers) counted apart. A request with
  // more fails with HPE_HEADER_OVERFLOW, as on the Node lines that fixed
  // CVE-2026-58044. A response keeps them (the client drops what is past the
  // count, as Node's does) unless one of those is Content-Length or
  // Transfer-Encoding: then its body would be framed by a header the
  // application never sees, and it fails the same way.
  void SetMaxHeaderEntries(size_t max_entries) { max_header_entries_ = max_entries; }

  // Parses data. On kUpgrade, bytes from *consumed on belong to the new
  // protocol; on kError, error() says what went wrong. After a request that
  // asked for an upgrade nobody took, the stream is no longer HTTP: whatever
  // follows that message is consumed unparsed (kOk), now and in later calls.
  Result Execute(const char* data, size_t len, size_t* consumed);
  // The peer closed: completes a close-delimited message or reports a
  // truncated one.
  Result Finish();
  const ParseError& error() const { return error_; }
  // Client side: tell the parser the request was HEAD (a response without body).
  // Interim 1xx answers before the final one leave the flag in place.
  void ExpectNoBody() { skip_body_ = true; }
  // Client side: the request was CONNECT, so whatever answers it ends the
  // HTTP part of the connection and the bytes after its head are the
  // tunnel's (Node treats any response to CONNECT this way).
  void ExpectUpgrade() { upgrade_next_ = true; }
  bool InMessage() const { return in_message_; }

 private:
  static int OnMessageBegin(llhttp_t* p);
  static int OnUrl(llhttp_t* p, const char* at, size_t len);
  static int OnStatus(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderField(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int OnHeadersComplete(llhttp_t* p);
  static int OnBody(llhttp_t* p, const char* at, size_t len);
  static int OnMessageComplete(llhttp_t* p);
  static int OnChunkExtension(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderFieldComplete(llhttp_t* p);
  static int OnHeaderValueComplete(llhttp_t* p);
  static int OnChunkHeader(llhttp_t* p);

  int TrackHeaderBytes(size_t len);
  int TrackHeaderField();
  bool FramingPastCount() const;
  int RequestFieldFlags() const;
  int Fail(const char* code, const char* reason);
  void AppendToken(const char* at, size_t len);
  Result ErrorFrom(llhttp_errno_t err, const char* data, size_t len);

  llhttp_t parser_;
  llhttp_settings_t settings_;
  ParserSink* sink_ = nullptr;
  std::string url_;          // URL (requests) or status text (responses)
  HeaderList headers_;
  bool token_open_ = false;     // the last header token may continue in the next read
  bool upgrade_taken_ = false;  // this message's upgrade leaves the parser
  // An upgrade nobody took ended HTTP on this stream: the client has switched
  // protocols, so the bytes after that message are not requests, and parsing
  // them would let a request past a front proxy that saw an upgraded
  // connection (request smuggling; README "Security notes").
  bool switched_away_ = false;
  bool in_message_ = false;
  bool skip_body_ = false;
  bool upgrade_next_ = false;
  size_t header_bytes_ = 0;
  size_t chunk_ext_bytes_ = 0;
  size_t max_header_size_;
  size_t max_header_entries_ = 0;
  const char* user_code_ = nullptr;  // set when a callback fails the parse
  std::string user_reason_;
  ParseError error_;
};

}  // namespace uvhttp

#endif  // UVHTTP_HTTP_PARSER_H_
