#include "expectations.h"

#include <cstdio>

namespace fuzz {

namespace {

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

std::vector<Case> Build() {
  constexpr int KA = uvhttp::kHeadKeepAlive, UP = uvhttp::kHeadUpgrade;
  constexpr int CH = uvhttp::kHeadChunked, LEN = uvhttp::kHeadHasLength;
  constexpr int HOST = uvhttp::kHeadHasHost, EXP = uvhttp::kHeadHasExpect;
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
  ok("simple GET", req, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", {Msg(HTTP_GET, "/", {"Host", "a"}, "", KA | HOST)});
  ok("Host and Expect fields, any case", req,
     "POST / HTTP/1.1\r\nhOST: a\r\nEXPECT: 100-continue\r\nexpect: x\r\nContent-Length: 0\r\n\r\n",
     {Msg(HTTP_POST, "/", {"hOST", "a", "EXPECT", "100-continue", "expect", "x", "Content-Length", "0"}, "",
          KA | LEN | HOST | EXP)});
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
            {Msg(HTTP_CONNECT, "example.com:443", {"Host", "example.com:443"}, "", KA | UP | HOST)});
  }
  {
    Options small = req;
    small.max_header_size = 64;
    bad("maxHeaderSize 64", small, "GET / HTTP/1.1\r\nX-Long: " + std::string(60, 'v') + "\r\n\r\n",
        "HPE_HEADER_OVERFLOW");
  }
  {
    // maxHeadersCount 2 (CVE-2026-58044): the third field of a request, or
    // of its trailers (counted apart), is refused as soon as it begins.
    Options two = req;
    two.max_header_entries = 4;
    ok("as many header fields as maxHeadersCount", two, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n",
       {Msg(HTTP_GET, "/", {"Host", "a", "X", "1"}, "", KA | HOST)});
    bad("one header field more than maxHeadersCount", two,
        "POST / HTTP/1.1\r\nHost: a\r\nX: 1\r\nContent-Length: 2\r\n\r\nhi", "HPE_HEADER_OVERFLOW");
    bad("one trailer field more than maxHeadersCount", two,
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
        "HPE_HEADER_OVERFLOW", {Unended(Msg(HTTP_POST, "/", {"Transfer-Encoding", "chunked"}, "a"))});
    // A response keeps every field (the client drops those past the count)
    // unless one past it frames the body.
    Options one = res;
    one.max_header_entries = 2;
    ok("response fields past maxHeadersCount, none framing", one,
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nA: 1\r\nB: 2\r\n\r\nok",
       {Msg(200, "OK", {"Content-Length", "2", "A", "1", "B", "2"}, "ok", KA | LEN)});
    bad("response Content-Length past maxHeadersCount", one,
        "HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 2\r\n\r\nok", "HPE_HEADER_OVERFLOW");
    bad("response Transfer-Encoding past maxHeadersCount", one,
        "HTTP/1.1 200 OK\r\nA: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
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
  ok("a 1xx answer ends at its head, whatever framing it carries", res,
     "HTTP/1.1 163 Custom\r\nContent-Length: 5\r\n\r\nHTTP/1.1 199 X\r\nTransfer-Encoding: chunked\r\n\r\n"
     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
     {Msg(163, "Custom", {"Content-Length", "5"}), Msg(199, "X", {"Transfer-Encoding", "chunked"}),
      Msg(200, "OK", {"Content-Length", "2"}, "hi")});
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

}  // namespace

const std::vector<Case>& Expectations() {
  static const std::vector<Case> cases = Build();
  return cases;
}

void CheckExpectations() {
  HttpParser reused;
  for (const Case& k : Expectations()) {
    g_ctx.what = "expectation: " + k.name;
    g_ctx.input = &k.input;
    g_ctx.opt = k.opt;
    std::vector<size_t> cuts;
    g_ctx.cuts = &cuts;
    auto run = [&](HttpParser* p) { CheckCase(k, Parse(k.input, cuts, k.opt, p)); };
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
  }
  g_ctx = Context();
}

}  // namespace fuzz
