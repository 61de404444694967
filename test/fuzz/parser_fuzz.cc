// Fuzz driver for uvhttp::HttpParser (native/http_parser.h): no N-API, no
// sockets. The parser is a pure module (STYLE.md example 2), so it runs here on
// its own under ASan/UBSan (CMakeLists.txt, scripts/test-asan.sh).
//
// Plain driver (the default, built with g++):
//   parser_fuzz [--seconds S] [--iterations N] [--seed N] [--verbose]
//   1. a corpus of valid and invalid requests and responses built below, each
//      with its expected outcome, parsed whole, split at every byte boundary,
//      one byte per read, and at random cut points;
//   2. then, until S seconds or N random inputs (whichever comes first; 20000
//      inputs when neither is given): random mutations and concatenations of
//      the corpus under random parser options, each parsed whole and split at
//      random, the outcomes compared.
// libFuzzer (clang, -DUVHTTP_LIBFUZZER, target parser_libfuzzer): step 2's
// checks on the fuzzer's inputs.
//
// Invariants checked on every parse:
//   * no crash, no sanitizer report;
//   * events in order (begin, head, body*, end); header and trailer lists are
//     name/value pairs whose spans lie inside their buffer, in order; a body
//     slice points into the bytes just handed to Execute;
//   * every error has an HPE_ code and a position inside the read;
//   * the outcome (heads, bodies, trailers, upgrade offset, error) does not
//     depend on how the input is split into reads. Each read lives in its own
//     heap block, poisoned and freed once Execute returns, as the connection's
//     read buffer is reused: a parser that kept a pointer into it is caught;
//   * corpus entries give the expected heads, bodies, trailers and errors.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "constants.h"
#include "http_parser.h"

namespace {

using uvhttp::HeaderList;
using uvhttp::HeadInfo;
using uvhttp::HttpParser;

// ---- what a parse produced, independent of how the input was split ---------

struct Message {
  int code = -1;       // method (requests) or status (responses)
  std::string text;    // URL or reason phrase
  std::vector<std::string> headers;  // name, value, name, value…
  int major = -1, minor = -1, flags = -1;  // -1 in an expectation: not checked
  std::string body;
  bool ended = false;
  bool has_trailers = false;
  std::vector<std::string> trailers;

  auto Tie() const {
    return std::tie(code, text, headers, major, minor, flags, body, ended, has_trailers, trailers);
  }
};

enum class End { kOk, kUpgrade, kError };

struct Outcome {
  int begins = 0;
  std::vector<Message> messages;
  End end = End::kOk;
  size_t upgrade_at = 0;        // absolute offset of the first byte past the upgrade
  std::string error_code;
  std::string error_reason;
  bool from_finish = false;     // the error came from Finish() (peer closed)
};

struct Options {
  llhttp_type_t type = HTTP_REQUEST;
  bool lenient = false;
  bool want_upgrade = true;
  bool expect_no_body = false;  // the response answers a HEAD request
  bool finish = true;           // the peer closes after the input
  size_t max_header_size = uvhttp::kDefaultMaxHeaderSize;
};

std::string Escape(const std::string& s, size_t max = 600) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\\') out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else { char b[8]; std::snprintf(b, sizeof b, "\\x%02x", c); out += b; }
  }
  if (s.size() > max) out += "…(" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string Describe(const Outcome& o) {
  std::string s = "begins=" + std::to_string(o.begins);
  for (const Message& m : o.messages) {
    s += "\n    [" + std::to_string(m.code) + " '" + Escape(m.text, 80) + "' " +
         std::to_string(m.major) + "." + std::to_string(m.minor) + " flags=" + std::to_string(m.flags) + " headers=";
    for (const std::string& h : m.headers) s += "'" + Escape(h, 40) + "' ";
    s += "body='" + Escape(m.body, 120) + "'" + (m.ended ? " ended" : "");
    if (m.has_trailers) {
      s += " trailers=";
      for (const std::string& t : m.trailers) s += "'" + Escape(t, 40) + "' ";
    }
    s += "]";
  }
  if (o.end == End::kUpgrade) s += "\n    upgrade at " + std::to_string(o.upgrade_at);
  if (o.end == End::kError)
    s += "\n    error " + o.error_code + " (" + o.error_reason + ")" + (o.from_finish ? " at finish" : "");
  return s;
}

// ---- failure reporting --------------------------------------------------------

struct Context {
  std::string what;
  const std::string* input = nullptr;
  const std::vector<size_t>* cuts = nullptr;
  Options opt;
  uint64_t seed = 0;
  long iteration = -1;
} g_ctx;

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "parser_fuzz: FAILED: %s\n  case: %s\n", why.c_str(), g_ctx.what.c_str());
  const Options& o = g_ctx.opt;
  std::fprintf(stderr, "  options: %s lenient=%d want_upgrade=%d expect_no_body=%d finish=%d max_header_size=%zu\n",
               o.type == HTTP_REQUEST ? "request" : "response", o.lenient, o.want_upgrade,
               o.expect_no_body, o.finish, o.max_header_size);
  if (g_ctx.input) std::fprintf(stderr, "  input: \"%s\"\n", Escape(*g_ctx.input, 4000).c_str());
  if (g_ctx.cuts) {
    std::string c;
    for (size_t x : *g_ctx.cuts) c += std::to_string(x) + " ";
    std::fprintf(stderr, "  cuts: %s\n", c.c_str());
  }
  if (g_ctx.iteration >= 0)
    std::fprintf(stderr, "  reproduce: parser_fuzz --seed %llu --iterations %ld\n",
                 static_cast<unsigned long long>(g_ctx.seed), g_ctx.iteration + 1);
#ifdef UVHTTP_LIBFUZZER
  std::abort();
#else
  std::exit(1);
#endif
}

void Expect(bool ok, const char* why) {
  if (!ok) Fail(why);
}

// ---- the sink: records events and checks their order and memory --------------

class Recorder : public uvhttp::ParserSink {
 public:
  Recorder(Outcome* out, const Options& opt) : out_(out), opt_(opt) {}
  void SetRead(const char* data, size_t len) { read_ = data; read_len_ = len; }

  bool WantUpgrade() override { return opt_.want_upgrade; }

  void OnMessageBegin() override {
    Expect(state_ == kIdle, "OnMessageBegin inside a message");
    state_ = kBegun;
    out_->begins++;
  }

  void OnHead(const HeadInfo& h) override {
    Expect(state_ == kBegun, "OnHead without OnMessageBegin");
    Expect(h.url_or_reason != nullptr && h.headers != nullptr, "HeadInfo with a null pointer");
    Expect((h.flags & ~(uvhttp::kHeadKeepAlive | uvhttp::kHeadUpgrade | uvhttp::kHeadChunked |
                        uvhttp::kHeadHasLength)) == 0, "unknown head flag");
    Message m;
    m.code = opt_.type == HTTP_REQUEST ? h.method : h.status;
    if (opt_.type == HTTP_RESPONSE) Expect(m.code >= 0 && m.code <= 999, "status outside 0..999");
    else Expect(m.code >= 0 && llhttp_method_name(static_cast<llhttp_method_t>(m.code)) != nullptr, "bad method");
    m.text = *h.url_or_reason;
    m.headers = Tokens(*h.headers);
    m.major = h.major;
    m.minor = h.minor;
    m.flags = h.flags;
    out_->messages.push_back(std::move(m));
    state_ = kHead;
  }

  void OnBody(const char* data, size_t len) override {
    Expect(state_ == kHead, "OnBody outside a message body");
    Expect(data != nullptr && len > 0, "empty body slice");
    Expect(read_ != nullptr && data >= read_ && len <= read_len_ &&
           static_cast<size_t>(data - read_) <= read_len_ - len,
           "body slice outside the bytes handed to Execute");
    out_->messages.back().body.append(data, len);
  }

  void OnMessageEnd(const HeaderList* trailers) override {
    Expect(state_ == kHead, "OnMessageEnd without a head");
    Message& m = out_->messages.back();
    m.ended = true;
    if (trailers) {
      Expect(trailers->Count() > 0, "empty trailer list instead of null");
      m.has_trailers = true;
      m.trailers = Tokens(*trailers);
    }
    state_ = kIdle;
  }

 private:
  // Name/value pairs whose (offset, length) spans lie inside list.bytes, in order.
  static std::vector<std::string> Tokens(const HeaderList& list) {
    Expect(list.Count() % 2 == 0, "header list with an odd number of tokens");
    std::vector<std::string> out;
    size_t prev_end = 0;
    for (size_t i = 0; i < list.Count(); i++) {
      size_t off = list.spans[i].first, len = list.spans[i].second;
      Expect(off <= list.bytes.size() && len <= list.bytes.size() - off, "header span outside its buffer");
      Expect(off >= prev_end, "header spans overlap");
      prev_end = off + len;
      out.emplace_back(list.Data(i), list.Length(i));
    }
    return out;
  }

  enum { kIdle, kBegun, kHead } state_ = kIdle;
  Outcome* out_;
  const Options& opt_;
  const char* read_ = nullptr;
  size_t read_len_ = 0;
};

void CheckError(const uvhttp::ParseError& e, size_t read_len) {
  Expect(e.code != nullptr && std::strncmp(e.code, "HPE_", 4) == 0, "error without an HPE_ code");
  Expect(std::strcmp(e.code, "HPE_OK") != 0, "error with code HPE_OK");
  Expect(e.pos <= read_len, "error position past the read");
}

// Parses input cut into reads at cuts (sorted offsets). parser, when given, is
// reused through Init as Connection::SetParser does; otherwise a fresh one.
Outcome Parse(const std::string& input, const std::vector<size_t>& cuts, const Options& opt,
              HttpParser* reused = nullptr) {
  Outcome out;
  Recorder sink(&out, opt);
  HttpParser fresh;
  HttpParser& parser = reused ? *reused : fresh;
  parser.Init(opt.type, &sink);
  parser.SetLimits(opt.max_header_size, opt.lenient);
  if (opt.expect_no_body) parser.ExpectNoBody();
  size_t start = 0;
  for (size_t i = 0; i <= cuts.size(); i++) {
    size_t end = i < cuts.size() ? cuts[i] : input.size();
    if (end <= start) continue;
    size_t n = end - start;
    std::unique_ptr<char[]> read(new char[n]);
    std::memcpy(read.get(), input.data() + start, n);
    sink.SetRead(read.get(), n);
    size_t consumed = 0;
    HttpParser::Result r = parser.Execute(read.get(), n, &consumed);
    std::memset(read.get(), 0xA5, n);  // the connection reuses its read buffer
    sink.SetRead(nullptr, 0);
    if (r == HttpParser::Result::kUpgrade) {
      Expect(consumed <= n, "upgrade offset past the read");
      out.end = End::kUpgrade;
      out.upgrade_at = start + consumed;
      return out;
    }
    if (r == HttpParser::Result::kError) {
      CheckError(parser.error(), n);
      out.end = End::kError;
      out.error_code = parser.error().code;
      out.error_reason = parser.error().reason;
      return out;
    }
    start = end;
  }
  if (opt.finish && parser.Finish() == HttpParser::Result::kError) {
    CheckError(parser.error(), 0);
    out.end = End::kError;
    out.error_code = parser.error().code;
    out.error_reason = parser.error().reason;
    out.from_finish = true;
  }
  return out;
}

// Whether two parses of the same bytes agree. One split-dependence is
// legitimate: a size limit counts header (or chunk extension) bytes as llhttp
// hands them over, and a read boundary hands over the part of a token that a
// later llhttp error would otherwise swallow. Node's parser does the same.
bool SameOutcome(const Outcome& a, const Outcome& b) {
  if (a.begins != b.begins || a.messages.size() != b.messages.size() || a.end != b.end) return false;
  for (size_t i = 0; i < a.messages.size(); i++)
    if (a.messages[i].Tie() != b.messages[i].Tie()) return false;
  if (a.end == End::kUpgrade) return a.upgrade_at == b.upgrade_at;
  if (a.end == End::kError && a.error_code != b.error_code) {
    auto limit = [](const std::string& c) {
      return c == "HPE_HEADER_OVERFLOW" || c == "HPE_CHUNK_EXTENSIONS_OVERFLOW";
    };
    return limit(a.error_code) || limit(b.error_code);
  }
  return a.end != End::kError || (a.error_reason == b.error_reason && a.from_finish == b.from_finish);
}

bool Matches(const Message& got, const Message& want) {
  return got.code == want.code && got.text == want.text && got.headers == want.headers &&
         (want.major < 0 || got.major == want.major) && (want.minor < 0 || got.minor == want.minor) &&
         (want.flags < 0 || got.flags == want.flags) && got.body == want.body &&
         got.ended == want.ended && got.has_trailers == want.has_trailers && got.trailers == want.trailers;
}

// ---- the corpus -------------------------------------------------------------

struct Case {
  std::string name;
  Options opt;
  std::string input;
  std::vector<Message> want;   // the messages, in order
  End end = End::kOk;
  size_t upgrade_at = 0;
  std::string error_code;      // when end == kError
};

Message Msg(int code, std::string text, std::vector<std::string> headers, std::string body = "",
            int flags = -1) {
  Message m;
  m.code = code;
  m.text = std::move(text);
  m.headers = std::move(headers);
  m.body = std::move(body);
  m.flags = flags;
  m.ended = true;
  return m;
}

Message WithTrailers(Message m, std::vector<std::string> trailers) {
  m.has_trailers = true;
  m.trailers = std::move(trailers);
  return m;
}

Message Unended(Message m) {
  m.ended = false;
  return m;
}

std::string Binary(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

std::string Hex(size_t n) {
  char b[32];
  std::snprintf(b, sizeof b, "%zx", n);
  return b;
}

std::vector<Case> Corpus() {
  constexpr int KA = uvhttp::kHeadKeepAlive, UP = uvhttp::kHeadUpgrade;
  constexpr int CH = uvhttp::kHeadChunked, LEN = uvhttp::kHeadHasLength;
  Options req, res;
  res.type = HTTP_RESPONSE;
  std::vector<Case> c;
  auto ok = [&](std::string name, const Options& o, std::string in, std::vector<Message> want) {
    Case k{std::move(name), o, std::move(in), std::move(want)};
    c.push_back(std::move(k));
  };
  auto bad = [&](std::string name, const Options& o, std::string in, std::string code,
                 std::vector<Message> before = {}) {
    Case k{std::move(name), o, std::move(in), std::move(before), End::kError, 0, std::move(code)};
    c.push_back(std::move(k));
  };
  auto upgrade = [&](std::string name, const Options& o, std::string head, std::string rest,
                     std::vector<Message> want) {
    Case k{std::move(name), o, head + rest, std::move(want), End::kUpgrade, head.size()};
    c.push_back(std::move(k));
  };
  const std::string bin = Binary(1500);

  // Requests.
  ok("simple GET", req, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", {Msg(HTTP_GET, "/", {"Host", "a"}, "", KA)});
  ok("header values: empty, OWS, obs-text", req,
     "GET /p?q=1#f HTTP/1.1\r\nX-Empty:\r\nX-Ows: \t v a \t\r\nX-Latin: caf\xe9\r\nhost:h\r\n\r\n",
     {Msg(HTTP_GET, "/p?q=1#f", {"X-Empty", "", "X-Ows", "v a", "X-Latin", "caf\xe9", "host", "h"})});
  ok("content-length body", req, "POST /u HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world",
     {Msg(HTTP_POST, "/u", {"Content-Length", "11"}, "hello world", KA | LEN)});
  ok("content-length binary body", req,
     "PUT /b HTTP/1.1\r\nContent-Length: 1500\r\n\r\n" + bin,
     {Msg(HTTP_PUT, "/b", {"Content-Length", "1500"}, bin, KA | LEN)});
  ok("chunked with extensions and trailers", req,
     "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1;q=\"x\"\r\nhello\r\n6\r\n world\r\n"
     "0\r\nX-Trailer: t\r\nX-Two: 2 \r\n\r\n",
     {WithTrailers(Msg(HTTP_POST, "/c", {"Transfer-Encoding", "chunked"}, "hello world", KA | CH | LEN),
                   {"X-Trailer", "t", "X-Two", "2"})});
  ok("chunked binary body", req,
     "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + Hex(1000) + "\r\n" + bin.substr(0, 1000) +
         "\r\n" + Hex(500) + "\r\n" + bin.substr(1000) + "\r\n0\r\n\r\n",
     {Msg(HTTP_POST, "/c", {"Transfer-Encoding", "chunked"}, bin, KA | CH | LEN)});
  ok("pipelined GET, POST, chunked POST", req,
     "GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
     "POST /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n",
     {Msg(HTTP_GET, "/1", {}), Msg(HTTP_POST, "/2", {"Content-Length", "3"}, "abc"),
      Msg(HTTP_POST, "/3", {"Transfer-Encoding", "chunked"}, "xy")});
  ok("HTTP/1.0 keep-alive and close", req,
     "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n",
     {Msg(HTTP_GET, "/a", {"Connection", "keep-alive"}, "", KA), Msg(HTTP_GET, "/b", {}, "", 0)});
  ok("Content-Length: 0", req, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
     {Msg(HTTP_POST, "/", {"Content-Length", "0"}, "", KA | LEN)});
  ok("long URL and many headers", req,
     "GET /" + std::string(8000, 'u') + " HTTP/1.1\r\n" + [] {
       std::string h;
       for (int i = 0; i < 50; i++) h += "X-H" + std::to_string(i) + ": v" + std::to_string(i) + "\r\n";
       return h;
     }() + "\r\n",
     {[] {
       std::vector<std::string> h;
       for (int i = 0; i < 50; i++) { h.push_back("X-H" + std::to_string(i)); h.push_back("v" + std::to_string(i)); }
       return Msg(HTTP_GET, "/" + std::string(8000, 'u'), h);
     }()});
  upgrade("websocket upgrade taken", req,
          "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", "\x81\x05hello GET",
          {Msg(HTTP_GET, "/ws", {"Connection", "Upgrade", "Upgrade", "websocket"}, "", KA | UP)});
  {
    Options no = req;
    no.want_upgrade = false;
    // The client has switched protocols: what follows is not HTTP (issue 9.1).
    ok("upgrade nobody takes: the stream's last request, nothing after it parsed", no,
       "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /next HTTP/1.1\r\n\r\n",
       {Msg(HTTP_GET, "/ws", {"Connection", "Upgrade", "Upgrade", "websocket"})});
    ok("upgrade nobody takes, with a body: the body, then nothing", no,
       "POST /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello"
       "GET /next HTTP/1.1\r\n\r\n",
       {Msg(HTTP_POST, "/ws", {"Connection", "Upgrade", "Upgrade", "websocket", "Content-Length", "5"}, "hello",
            LEN)});
    upgrade("CONNECT leaves the parser even unwanted", no,
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "\x16\x03\x01 tls",
            {Msg(HTTP_CONNECT, "example.com:443", {"Host", "example.com:443"}, "", KA | UP)});
  }
  {
    Options small = req;
    small.max_header_size = 64;
    bad("maxHeaderSize 64", small, "GET / HTTP/1.1\r\nX-Long: " + std::string(60, 'v') + "\r\n\r\n",
        "HPE_HEADER_OVERFLOW");
  }
  bad("header overflow at 16 KiB", req, "GET / HTTP/1.1\r\nX-Big: " + std::string(17000, 'b') + "\r\n\r\n",
      "HPE_HEADER_OVERFLOW");
  bad("chunk extensions overflow", req,
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;x=" + std::string(17000, 'e') + "\r\na\r\n0\r\n\r\n",
      "HPE_CHUNK_EXTENSIONS_OVERFLOW",
      {Unended(Msg(HTTP_POST, "/", {"Transfer-Encoding", "chunked"}))});
  bad("space in a header name", req, "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", "HPE_INVALID_HEADER_TOKEN");
  bad("unknown method", req, "XYZZY / HTTP/1.1\r\n\r\n", "HPE_INVALID_METHOD");
  bad("bad version", req, "GET / HTTP/9.9\r\n\r\n", "HPE_INVALID_VERSION");
  bad("Content-Length with chunked", req,
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "HPE_INVALID_TRANSFER_ENCODING");
  bad("duplicate Content-Length", req, "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "HPE_UNEXPECTED_CONTENT_LENGTH");
  bad("non-numeric Content-Length", req, "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "HPE_INVALID_CONTENT_LENGTH");
  bad("bad chunk size", req, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HPE_INVALID_CHUNK_SIZE", {Unended(Msg(HTTP_POST, "/", {"Transfer-Encoding", "chunked"}))});
  bad("LF in a header value", req, "GET / HTTP/1.1\r\nX: a\nb\r\n\r\n", "HPE_CR_EXPECTED");
  bad("truncated body, then EOF", req, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
      "HPE_INVALID_EOF_STATE", {Unended(Msg(HTTP_POST, "/", {"Content-Length", "10"}, "abc"))});

  // Responses.
  ok("200 with Content-Length", res, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
     {Msg(200, "OK", {"Content-Length", "5"}, "hello", KA | LEN)});
  ok("chunked response with trailers", res,
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nEtag: x\r\n\r\n",
     {WithTrailers(Msg(200, "OK", {"Transfer-Encoding", "chunked"}, "abc", KA | CH | LEN), {"Etag", "x"})});
  ok("204 and 304 carry no body", res,
     "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
     {Msg(204, "No Content", {}), Msg(304, "Not Modified", {"Content-Length", "10"}),
      Msg(200, "OK", {"Content-Length", "2"}, "hi")});
  ok("close-delimited body ends at EOF", res, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + bin,
     {Msg(200, "OK", {"Connection", "close"}, bin, 0)});
  ok("HTTP/1.0 response without length", res, "HTTP/1.0 200 Fine\r\n\r\nold school",
     {Msg(200, "Fine", {}, "old school", 0)});
  ok("100 Continue then 200", res,
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
     {Msg(100, "Continue", {}), Msg(200, "OK", {"Content-Length", "1"}, "x")});
  ok("empty reason phrase", res, "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
     {Msg(404, "", {"Content-Length", "0"})});
  {
    Options head = res;
    head.expect_no_body = true;
    ok("response to HEAD has no body", head,
       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
       {Msg(200, "OK", {"Content-Length", "100"}), Msg(200, "OK", {"Content-Length", "2"}, "hi")});
  }
  upgrade("101 Switching Protocols", res,
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", "\x81\x00",
          {Msg(101, "Switching Protocols", {"Connection", "Upgrade", "Upgrade", "websocket"})});
  bad("status not a number", res, "HTTP/1.1 2x0 OK\r\n\r\n", "HPE_INVALID_STATUS");
  bad("truncated response, then EOF", res, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
      "HPE_INVALID_EOF_STATE", {Unended(Msg(200, "OK", {"Content-Length", "5"}, "hel"))});
  return c;
}

void CheckCase(const Case& k, const Outcome& got) {
  bool ok = got.end == k.end && got.messages.size() == k.want.size();
  for (size_t i = 0; ok && i < k.want.size(); i++) ok = Matches(got.messages[i], k.want[i]);
  if (ok && k.end == End::kUpgrade) ok = got.upgrade_at == k.upgrade_at;
  if (ok && k.end == End::kError) ok = got.error_code == k.error_code;
  if (!ok) {
    Outcome want;
    want.messages = k.want;
    want.end = k.end;
    want.upgrade_at = k.upgrade_at;
    want.error_code = k.error_code;
    Fail("unexpected outcome\n  got:  " + Describe(got) + "\n  want: " + Describe(want));
  }
}

// ---- random inputs ----------------------------------------------------------

using Rng = std::mt19937_64;

size_t Below(Rng& rng, size_t n) { return n ? static_cast<size_t>(rng() % n) : 0; }

std::vector<size_t> RandomCuts(Rng& rng, size_t len) {
  std::vector<size_t> cuts;
  if (len < 2) return cuts;
  if (Below(rng, 4) == 0) {  // many small reads
    for (size_t at = 1 + Below(rng, 16); at < len; at += 1 + Below(rng, 16)) cuts.push_back(at);
    return cuts;
  }
  size_t k = 1 + Below(rng, 8);
  for (size_t i = 0; i < k; i++) cuts.push_back(1 + Below(rng, len - 1));
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

const char* const kTokens[] = {
    "\r\n", "\r\n\r\n", ":", " ", "\t", ";", "=", "\"", ",", "0", "1", "f", "\n",
    "Content-Length: 5\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
    "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n", "5\r\nhello\r\n", "1;a=b\r\nx\r\n",
    "Connection: upgrade\r\nUpgrade: x\r\n", "Connection: close\r\n", "Connection: keep-alive\r\n",
    "HTTP/1.1", "HTTP/1.0", "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 101 S\r\n",
    "CONNECT a:1 HTTP/1.1\r\n", "Expect: 100-continue\r\n", "ffffffffffffffff", "99999999999999999999",
    "\x00", "\x7f", "\xff",
};

[[maybe_unused]] std::string Mutate(Rng& rng, std::string s, const std::vector<Case>& corpus) {
  int n = 1 + static_cast<int>(Below(rng, 6));
  // Half the edits land past the first line, so more inputs get as far as the
  // headers and bodies instead of failing on the method or status line.
  size_t line = s.find('\n');
  line = line == std::string::npos ? 0 : line + 1;
  for (int i = 0; i < n; i++) {
    size_t at = Below(rng, 2) && line < s.size() ? line + Below(rng, s.size() - line + 1) : Below(rng, s.size() + 1);
    switch (Below(rng, 9)) {
      case 0: if (at < s.size()) s[at] = static_cast<char>(s[at] ^ (1 << Below(rng, 8))); break;
      case 1: if (at < s.size()) s[at] = static_cast<char>(rng()); break;
      case 2: {
        const char* t = kTokens[Below(rng, sizeof kTokens / sizeof kTokens[0])];
        s.insert(at, t, std::max<size_t>(std::strlen(t), 1));
        break;
      }
      case 3: s.erase(at, 1 + Below(rng, 16)); break;
      case 4: if (at < s.size()) s.insert(at, s.substr(at, 1 + Below(rng, 64))); break;
      case 5: s.resize(at); break;
      case 6: s.insert(at, Below(rng, 8) ? 1 + Below(rng, 64) : 1 + Below(rng, 20000), "xa0 \t"[Below(rng, 5)]); break;
      case 7: s.insert(at, corpus[Below(rng, corpus.size())].input); break;
      default: s += corpus[Below(rng, corpus.size())].input; break;
    }
    if (s.size() > 200000) s.resize(200000);
  }
  return s;
}

Options RandomOptions(Rng& rng, llhttp_type_t type) {
  static const size_t kLimits[] = {uvhttp::kDefaultMaxHeaderSize, 64, 1024, 80 * 1024};
  Options o;
  o.type = type;
  o.lenient = Below(rng, 5) == 0;
  o.want_upgrade = Below(rng, 2) == 0;
  o.expect_no_body = type == HTTP_RESPONSE && Below(rng, 5) == 0;
  o.finish = Below(rng, 4) != 0;
  o.max_header_size = kLimits[Below(rng, 6) < 3 ? 0 : 1 + Below(rng, 3)];
  return o;
}

struct Stats {
  long parses = 0, random_inputs = 0;
  std::map<std::string, long> outcomes;
  void Count(const Outcome& o) {
    parses++;
    outcomes[o.end == End::kOk ? "ok" : o.end == End::kUpgrade ? "upgrade" : o.error_code]++;
  }
};

// Parses input whole with a fresh parser and split with the reused one; both
// must pass the sink's checks and agree.
void Differential(Rng& rng, const std::string& input, const Options& opt, HttpParser* reused, Stats* st) {
  std::vector<size_t> none, cuts = RandomCuts(rng, input.size());
  g_ctx.input = &input;
  g_ctx.opt = opt;
  g_ctx.cuts = &none;
  Outcome whole = Parse(input, none, opt);
  g_ctx.cuts = &cuts;
  Outcome split = Parse(input, cuts, opt, reused);
  st->Count(whole);
  st->Count(split);
  if (!SameOutcome(whole, split))
    Fail("the outcome depends on the split\n  whole: " + Describe(whole) + "\n  split: " + Describe(split));
}

// Every corpus case whole, at every byte boundary (a stride for large ones),
// one byte per read and at random cuts; each against its expectation.
void RunCorpus(Rng& rng, const std::vector<Case>& corpus, Stats* st) {
  HttpParser reused;
  for (const Case& k : corpus) {
    g_ctx.what = "corpus: " + k.name;
    g_ctx.input = &k.input;
    g_ctx.opt = k.opt;
    std::vector<size_t> cuts;
    g_ctx.cuts = &cuts;
    auto run = [&](HttpParser* p) {
      Outcome o = Parse(k.input, cuts, k.opt, p);
      st->Count(o);
      CheckCase(k, o);
    };
    run(nullptr);
    size_t len = k.input.size();
    size_t stride = len <= 4096 ? 1 : len / 1024;
    for (size_t at = 1; at < len; at += stride) {
      cuts.assign(1, at);
      run(&reused);
    }
    cuts.clear();
    for (size_t at = 1; at < len && len <= 4096; at++) cuts.push_back(at);
    run(&reused);
    for (int i = 0; i < 50; i++) {
      cuts = RandomCuts(rng, len);
      run(&reused);
    }
  }
}

}  // namespace

#ifdef UVHTTP_LIBFUZZER

// The corpus and its expectations first, once: a fuzzing session on a parser
// that already breaks them would only rediscover that.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Rng rng(1);
  Stats stats;
  RunCorpus(rng, Corpus(), &stats);
  return 0;
}

// Byte 0 picks the options, bytes 1..8 seed the split; the rest is the input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  static HttpParser reused;
  static Stats stats;
  uint64_t seed = 0;
  std::memcpy(&seed, data + 1, 8);
  Rng rng(seed ^ data[0]);
  Options opt = RandomOptions(rng, (data[0] & 1) ? HTTP_RESPONSE : HTTP_REQUEST);
  std::string input(reinterpret_cast<const char*>(data) + 9, size - 9);
  g_ctx.what = "libFuzzer input";
  Differential(rng, input, opt, &reused, &stats);
  return 0;
}

#else

int main(int argc, char** argv) {
  double seconds = 0;
  long iterations = 0;
  bool verbose = false;
  uint64_t seed = std::random_device{}();
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--seconds" && v) { seconds = std::atof(v); i++; }
    else if (a == "--iterations" && v) { iterations = std::atol(v); i++; }
    else if (a == "--seed" && v) { seed = std::strtoull(v, nullptr, 10); i++; }
    else if (a == "--verbose" || a == "-v") verbose = true;
    else {
      std::fprintf(stderr, "usage: parser_fuzz [--seconds S] [--iterations N] [--seed N] [--verbose]\n");
      return 2;
    }
  }
  if (seconds <= 0 && iterations <= 0) iterations = 20000;
  g_ctx.seed = seed;
  std::string budget;
  if (seconds > 0) budget += " " + std::to_string(static_cast<long>(seconds)) + " s";
  if (iterations > 0) budget += " " + std::to_string(iterations) + " inputs";
  std::printf("parser_fuzz: seed %llu, budget%s\n", static_cast<unsigned long long>(seed), budget.c_str());
  std::fflush(stdout);

  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  Rng rng(seed);
  Stats st;
  const std::vector<Case> corpus = Corpus();
  RunCorpus(rng, corpus, &st);
  long corpus_parses = st.parses;
  double corpus_time = elapsed();

  HttpParser reused;
  for (long it = 0; (iterations <= 0 || it < iterations) && (seconds <= 0 || elapsed() < seconds); it++) {
    g_ctx.iteration = it;
    st.random_inputs++;
    const Case& base = corpus[Below(rng, corpus.size())];
    llhttp_type_t type = Below(rng, 8) ? base.opt.type : (base.opt.type == HTTP_REQUEST ? HTTP_RESPONSE : HTTP_REQUEST);
    std::string input;
    if (Below(rng, 20) == 0) {  // plain garbage
      input.resize(Below(rng, 256));
      for (char& ch : input) ch = static_cast<char>(rng());
    } else {
      input = Mutate(rng, base.input, corpus);
    }
    g_ctx.what = "random input " + std::to_string(it) + " from '" + base.name + "'";
    Differential(rng, input, RandomOptions(rng, type), &reused, &st);
    if (verbose && it % 10000 == 0) std::printf("  %ld inputs, %.1f s\n", it, elapsed());
  }

  std::printf("parser_fuzz: %zu corpus cases (%ld parses, %.1f s), %ld random inputs (%ld parses), %.1f s in all\n",
              corpus.size(), corpus_parses, corpus_time, st.random_inputs, st.parses - corpus_parses, elapsed());
  std::string mix;
  for (const auto& [what, n] : st.outcomes) mix += " " + what + "=" + std::to_string(n);
  std::printf("parser_fuzz: outcomes:%s\n", mix.c_str());
  std::printf("parser_fuzz: OK, no invariant broken\n");
  return 0;
}

#endif  // UVHTTP_LIBFUZZER
