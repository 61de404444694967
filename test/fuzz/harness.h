// What the parser fuzz targets share (test/fuzz/*_fuzz.cc): a ParserSink that
// records what uvhttp::HttpParser reports and checks the order and memory of
// its events, a Parse() that feeds an input in reads the way a connection does
// (each read in its own heap block, scrubbed and freed once Execute returns,
// as the connection's read buffer is reused), and the comparison of two
// outcomes. No N-API, no sockets: the parser is a pure module (STYLE.md
// example 2).
#ifndef UVHTTP_TEST_FUZZ_HARNESS_H_
#define UVHTTP_TEST_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "constants.h"
#include "http_parser.h"

namespace fuzz {

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
  size_t max_header_entries = 0;  // Node's parser.maxHeaderPairs (0: no limit)
};

// Options from one input byte: lenient, want_upgrade, expect_no_body
// (responses), finish, one of four header-size limits and one of four
// header-count limits.
Options OptionsFromByte(uint8_t b, llhttp_type_t type);

std::string Escape(const std::string& s, size_t max = 600);
std::string Describe(const Outcome& o);

// ---- failure reporting ----------------------------------------------------------

// What is being checked, printed with a failure.
struct Context {
  std::string what;
  const std::string* input = nullptr;
  const std::vector<size_t>* cuts = nullptr;
  Options opt;
};
extern Context g_ctx;

// Prints the failure with g_ctx and aborts (libFuzzer then saves the input).
[[noreturn]] void Fail(const std::string& why);
inline void Expect(bool ok, const char* why) {
  if (!ok) Fail(why);
}

// ---- the sink ---------------------------------------------------------------------

// Records events into an Outcome and checks their order and memory.
class Recorder : public uvhttp::ParserSink {
 public:
  Recorder(Outcome* out, const Options& opt) : out_(out), opt_(opt) {}
  // The bytes of the current read (body slices must point into them).
  void SetRead(const char* data, size_t len) {
    read_ = data;
    read_len_ = len;
  }

  bool WantUpgrade() override { return opt_.want_upgrade; }
  void OnMessageBegin() override;
  void OnHead(const HeadInfo& h) override;
  void OnBody(const char* data, size_t len) override;
  void OnMessageEnd(const HeaderList* trailers) override;

 private:
  // Name/value pairs whose (offset, length) spans lie inside list.bytes, in order.
  static std::vector<std::string> Tokens(const HeaderList& list);

  enum { kIdle, kBegun, kHead } state_ = kIdle;
  Outcome* out_;
  const Options& opt_;
  const char* read_ = nullptr;
  size_t read_len_ = 0;
};

void CheckError(const uvhttp::ParseError& e, size_t read_len);

// What a client does to the parser around the messages (ExpectNoBody,
// ExpectUpgrade for the request each answer is for).
struct Hooks {
  // After Init, before the first byte.
  std::function<void(HttpParser& parser)> before;
  // Inside the parser's callback that ends message m: as early as a client
  // could set up the next request's answer.
  std::function<void(HttpParser& parser, const Message& m)> after_message;
};

// Calls fn(read, n, start) for each read of input cut at cuts (sorted
// offsets; start is the read's offset in input), each read in its own heap
// block, scrubbed and freed when fn returns, as the connection reuses its
// read buffer: whoever kept a pointer into it is caught. Stops when fn
// returns false.
void ForEachRead(const std::string& input, const std::vector<size_t>& cuts,
                 const std::function<bool(const char* read, size_t n, size_t start)>& fn);

// Parses input cut into reads at cuts (sorted offsets). parser, when given, is
// reused through Init as Connection::SetParser does; otherwise a fresh one.
Outcome Parse(const std::string& input, const std::vector<size_t>& cuts, const Options& opt,
              HttpParser* reused = nullptr, const Hooks& hooks = {});

// Whether two parses of the same bytes agree (see the definition for the one
// legitimate difference).
bool SameOutcome(const Outcome& a, const Outcome& b);

// Whether got matches an expectation (fields of want left at -1 are not checked).
bool Matches(const Message& got, const Message& want);

// n cut points into a length-len input from 2n fuzz bytes: each pair picks a
// position in proportion, sorted, duplicates and the ends dropped.
std::vector<size_t> CutsFromBytes(const uint8_t* bytes, size_t n, size_t len);

}  // namespace fuzz

#endif  // UVHTTP_TEST_FUZZ_HARNESS_H_
