#include "harness.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace fuzz {

Context g_ctx;

Options OptionsFromByte(uint8_t b, llhttp_type_t type) {
  static const size_t kLimits[] = {uvhttp::kDefaultMaxHeaderSize, 64, 1024, 80 * 1024};
  Options o;
  o.type = type;
  o.lenient = b & 1;
  o.want_upgrade = b & 2;
  o.expect_no_body = type == HTTP_RESPONSE && (b & 4);
  o.finish = !(b & 8);
  o.max_header_size = kLimits[(b >> 4) & 3];
  // No limit, Node's default (1000 fields), one field, three fields.
  static const size_t kEntries[] = {0, 2000, 2, 6};
  o.max_header_entries = kEntries[(b >> 6) & 3];
  return o;
}

std::string Escape(const std::string& s, size_t max) {
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

void Fail(const std::string& why) {
  std::fprintf(stderr, "fuzz: FAILED: %s\n  case: %s\n", why.c_str(), g_ctx.what.c_str());
  const Options& o = g_ctx.opt;
  std::fprintf(stderr, "  options: %s lenient=%d want_upgrade=%d expect_no_body=%d finish=%d max_header_size=%zu"
               " max_header_entries=%zu\n",
               o.type == HTTP_REQUEST ? "request" : "response", o.lenient, o.want_upgrade,
               o.expect_no_body, o.finish, o.max_header_size, o.max_header_entries);
  if (g_ctx.input) std::fprintf(stderr, "  input: \"%s\"\n", Escape(*g_ctx.input, 4000).c_str());
  if (g_ctx.cuts) {
    std::string c;
    for (size_t x : *g_ctx.cuts) c += std::to_string(x) + " ";
    std::fprintf(stderr, "  cuts: %s\n", c.c_str());
  }
  std::abort();
}

// ---- Recorder ---------------------------------------------------------------------

void Recorder::OnMessageBegin() {
  Expect(state_ == kIdle, "OnMessageBegin inside a message");
  state_ = kBegun;
  out_->begins++;
}

void Recorder::OnHead(const HeadInfo& h) {
  Expect(state_ == kBegun, "OnHead without OnMessageBegin");
  Expect(h.url_or_reason != nullptr && h.headers != nullptr, "HeadInfo with a null pointer");
  Expect((h.flags & ~(uvhttp::kHeadKeepAlive | uvhttp::kHeadUpgrade | uvhttp::kHeadChunked |
                      uvhttp::kHeadHasLength | uvhttp::kHeadHasHost | uvhttp::kHeadHasExpect)) == 0,
         "unknown head flag");
  // kHeadHasHost / kHeadHasExpect: a request has a field of that name (any case); a response never.
  bool host = false, expect = false;
  for (size_t i = 0; opt_.type == HTTP_REQUEST && i < h.headers->Count(); i += 2) {
    std::string name(h.headers->Data(i), h.headers->Length(i));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    host = host || name == "host";
    expect = expect || name == "expect";
  }
  Expect(((h.flags & uvhttp::kHeadHasHost) != 0) == host, "kHeadHasHost disagrees with the header names");
  Expect(((h.flags & uvhttp::kHeadHasExpect) != 0) == expect, "kHeadHasExpect disagrees with the header names");
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

void Recorder::OnBody(const char* data, size_t len) {
  Expect(state_ == kHead, "OnBody outside a message body");
  Expect(data != nullptr && len > 0, "empty body slice");
  Expect(read_ != nullptr && data >= read_ && len <= read_len_ &&
         static_cast<size_t>(data - read_) <= read_len_ - len,
         "body slice outside the bytes handed to Execute");
  out_->messages.back().body.append(data, len);
}

void Recorder::OnMessageEnd(const HeaderList* trailers) {
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

std::vector<std::string> Recorder::Tokens(const HeaderList& list) {
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

void CheckError(const uvhttp::ParseError& e, size_t read_len) {
  Expect(e.code != nullptr && std::strncmp(e.code, "HPE_", 4) == 0, "error without an HPE_ code");
  Expect(std::strcmp(e.code, "HPE_OK") != 0, "error with code HPE_OK");
  Expect(e.pos <= read_len, "error position past the read");
}

namespace {

// A Recorder that also runs the client's after_message hook.
class HookedRecorder : public Recorder {
 public:
  HookedRecorder(Outcome* out, const Options& opt, HttpParser* parser, const Hooks& hooks)
      : Recorder(out, opt), outcome_(out), parser_(parser), hooks_(hooks) {}
  void OnMessageEnd(const HeaderList* trailers) override {
    Recorder::OnMessageEnd(trailers);
    if (hooks_.after_message) hooks_.after_message(*parser_, outcome_->messages.back());
  }

 private:
  Outcome* outcome_;
  HttpParser* parser_;
  const Hooks& hooks_;
};

}  // namespace

void ForEachRead(const std::string& input, const std::vector<size_t>& cuts,
                 const std::function<bool(const char* read, size_t n, size_t start)>& fn) {
  size_t start = 0;
  for (size_t i = 0; i <= cuts.size(); i++) {
    size_t end = i < cuts.size() ? cuts[i] : input.size();
    if (end <= start) continue;
    size_t n = end - start;
    std::unique_ptr<char[]> read(new char[n]);
    std::memcpy(read.get(), input.data() + start, n);
    bool more = fn(read.get(), n, start);
    std::memset(read.get(), 0xA5, n);
    if (!more) return;
    start = end;
  }
}

Outcome Parse(const std::string& input, const std::vector<size_t>& cuts, const Options& opt,
              HttpParser* reused, const Hooks& hooks) {
  Outcome out;
  HttpParser fresh;
  HttpParser& parser = reused ? *reused : fresh;
  HookedRecorder sink(&out, opt, &parser, hooks);
  parser.Init(opt.type, &sink);
  parser.SetLimits(opt.max_header_size, opt.lenient);
  parser.SetMaxHeaderEntries(opt.max_header_entries);
  if (opt.expect_no_body) parser.ExpectNoBody();
  if (hooks.before) hooks.before(parser);
  bool parsing = true;
  ForEachRead(input, cuts, [&](const char* read, size_t n, size_t start) {
    sink.SetRead(read, n);
    size_t consumed = 0;
    HttpParser::Result r = parser.Execute(read, n, &consumed);
    sink.SetRead(nullptr, 0);
    if (r == HttpParser::Result::kUpgrade) {
      Expect(consumed <= n, "upgrade offset past the read");
      out.end = End::kUpgrade;
      out.upgrade_at = start + consumed;
    } else if (r == HttpParser::Result::kError) {
      CheckError(parser.error(), n);
      out.end = End::kError;
      out.error_code = parser.error().code;
      out.error_reason = parser.error().reason;
    }
    return parsing = r == HttpParser::Result::kOk;
  });
  if (!parsing) return out;
  if (opt.finish && parser.Finish() == HttpParser::Result::kError) {
    CheckError(parser.error(), 0);
    out.end = End::kError;
    out.error_code = parser.error().code;
    out.error_reason = parser.error().reason;
    out.from_finish = true;
  }
  return out;
}

// One split-dependence is legitimate: a size limit counts header (or chunk
// extension) bytes as llhttp hands them over, and a read boundary hands over
// the part of a token that a later llhttp error would otherwise swallow.
// Node's parser does the same.
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

std::vector<size_t> CutsFromBytes(const uint8_t* bytes, size_t n, size_t len) {
  std::vector<size_t> cuts;
  for (size_t i = 0; i < n; i++) {
    size_t at = len * (bytes[2 * i] | bytes[2 * i + 1] << 8) / 65536;
    if (at > 0 && at < len) cuts.push_back(at);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

}  // namespace fuzz
