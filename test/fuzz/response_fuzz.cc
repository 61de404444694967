// Fuzz target (b): the response parser in client mode.
//
// Input: byte 0 the options (harness.h OptionsFromByte), bytes 1-2 where the
// input is cut into two reads (0: one read), byte 3 the methods of the first
// four requests on the connection (two bits each: GET, HEAD, CONNECT, GET;
// later ones are GETs), then the bytes a server sends.
//
// As uvhttp's client does (lib/client), each request sets up the parser for
// its answer before that answer's bytes are parsed: HEAD calls ExpectNoBody,
// CONNECT ExpectUpgrade. Here that happens as early as it ever could, inside
// the callback that ends the previous final response. Checked:
//   * the answer to HEAD has no body, whatever its framing headers say, and
//     interim 1xx answers before it leave the expectation in place;
//   * whatever answers CONNECT (even a 1xx) ends HTTP on the connection: no
//     body, no message after it, the rest of the bytes are the tunnel's;
//   * 1xx, 204 and 304 answers have no body;
//   * the same events whether the bytes come in one read or two.
#include <cstdint>
#include <string>
#include <vector>

#include "expectations.h"
#include "harness.h"

namespace {

using fuzz::End;
using fuzz::Expect;
using fuzz::Message;
using fuzz::Outcome;

enum Method { kGet, kHead, kConnect };

bool Interim(int status) { return status >= 100 && status < 200 && status != 101; }

// The client's side of the connection: which request each answer is for.
class Client {
 public:
  explicit Client(uint8_t script) : script_(script) {}

  Method MethodOf(size_t request) const {
    if (request >= 4) return kGet;
    switch ((script_ >> (2 * request)) & 3) {
      case 1: return kHead;
      case 2: return kConnect;
      default: return kGet;
    }
  }
  // The parser before the first answer, or after the final answer to the
  // previous request: set up for this one.
  static void Prepare(uvhttp::HttpParser& parser, Method m) {
    if (m == kHead) parser.ExpectNoBody();
    if (m == kConnect) parser.ExpectUpgrade();
  }

  Outcome Run(const std::string& input, const std::vector<size_t>& cuts, const fuzz::Options& opt) {
    size_t request = 0;
    fuzz::Hooks hooks;
    hooks.before = [&](uvhttp::HttpParser& p) { Prepare(p, MethodOf(0)); };
    hooks.after_message = [&](uvhttp::HttpParser& p, const Message& m) {
      if (Interim(m.code) && MethodOf(request) != kConnect) return;
      Prepare(p, MethodOf(++request));
    };
    return fuzz::Parse(input, cuts, opt, nullptr, hooks);
  }

 private:
  uint8_t script_;
};

void CheckAnswers(const Client& client, const Outcome& o) {
  size_t request = 0;
  for (size_t i = 0; i < o.messages.size(); i++) {
    const Message& m = o.messages[i];
    Method method = client.MethodOf(request);
    bool last = i + 1 == o.messages.size();
    if (m.code == 204 || m.code == 304 || Interim(m.code)) Expect(m.body.empty(), "a body on a 1xx, 204 or 304 answer");
    if (method == kConnect) {
      Expect(last, "a message after the answer to CONNECT");
      Expect(m.body.empty() && m.ended, "the answer to CONNECT did not end at its head");
      Expect(o.end == End::kUpgrade, "HTTP goes on after the answer to CONNECT");
      Expect(m.flags & uvhttp::kHeadUpgrade, "the answer to CONNECT lacks the upgrade flag");
      return;
    }
    if (method == kHead && !Interim(m.code)) {
      Expect(m.body.empty() && m.ended, "the answer to HEAD did not end at its head");
    }
    if (!Interim(m.code)) request++;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::CheckExpectations();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  fuzz::Options opt = fuzz::OptionsFromByte(data[0], HTTP_RESPONSE);
  opt.expect_no_body = false;  // the request script says
  const std::string input(reinterpret_cast<const char*>(data) + 4, size - 4);
  const std::vector<size_t> none, cuts = fuzz::CutsFromBytes(data + 1, 1, input.size());
  Client client(data[3]);
  fuzz::g_ctx.what = "response, requests " + std::to_string(data[3]);
  fuzz::g_ctx.input = &input;
  fuzz::g_ctx.opt = opt;
  fuzz::g_ctx.cuts = &none;
  Outcome whole = client.Run(input, none, opt);
  CheckAnswers(client, whole);
  if (cuts.empty()) return 0;
  fuzz::g_ctx.cuts = &cuts;
  Outcome split = client.Run(input, cuts, opt);
  if (!fuzz::SameOutcome(whole, split))
    fuzz::Fail("the outcome depends on the split\n  whole: " + fuzz::Describe(whole) +
               "\n  split: " + fuzz::Describe(split));
  return 0;
}
