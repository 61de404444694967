// Fuzz target (c): split invariance. A socket hands the parser its bytes in
// whatever reads the kernel made: one input must give the same events fed
// whole, in two pieces, in three, and (bit 7 of byte 0, inputs up to 4 KiB)
// one byte per read.
//
// Input: byte 0 the options (harness.h OptionsFromByte; bit 6: a response
// stream instead of requests), bytes 1-2 the cut into two pieces, bytes 3-6
// the two cuts into three, then the bytes. The split parses reuse one parser
// through Init, as Connection::SetParser does, so state a previous input left
// behind shows up too.
#include <cstdint>
#include <string>
#include <vector>

#include "expectations.h"
#include "harness.h"

namespace {

void Compare(const fuzz::Outcome& whole, const std::string& input, const std::vector<size_t>& cuts,
             const fuzz::Options& opt, uvhttp::HttpParser* reused) {
  fuzz::g_ctx.cuts = &cuts;
  fuzz::Outcome split = fuzz::Parse(input, cuts, opt, reused);
  if (!fuzz::SameOutcome(whole, split))
    fuzz::Fail("the outcome depends on the split\n  whole: " + fuzz::Describe(whole) +
               "\n  split: " + fuzz::Describe(split));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::CheckExpectations();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 7) return 0;
  static uvhttp::HttpParser reused;
  const fuzz::Options opt = fuzz::OptionsFromByte(data[0], (data[0] & 64) ? HTTP_RESPONSE : HTTP_REQUEST);
  const std::string input(reinterpret_cast<const char*>(data) + 7, size - 7);
  const std::vector<size_t> none;
  fuzz::g_ctx.what = "split invariance";
  fuzz::g_ctx.input = &input;
  fuzz::g_ctx.opt = opt;
  fuzz::g_ctx.cuts = &none;
  const fuzz::Outcome whole = fuzz::Parse(input, none, opt);
  Compare(whole, input, fuzz::CutsFromBytes(data + 1, 1, input.size()), opt, &reused);
  Compare(whole, input, fuzz::CutsFromBytes(data + 3, 2, input.size()), opt, &reused);
  if ((data[0] & 128) && input.size() <= 4096) {
    std::vector<size_t> bytewise;
    for (size_t at = 1; at < input.size(); at++) bytewise.push_back(at);
    Compare(whole, input, bytewise, opt, &reused);
  }
  return 0;
}
