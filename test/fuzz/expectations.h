// The parser's expected behaviour on hand-written requests and responses
// (valid and invalid), each with the messages, upgrade offset or error it
// must produce. The fuzz targets check them once at start-up, whole and
// split at every byte boundary: a fuzzing session on a parser that already
// breaks them would only rediscover that.
#ifndef UVHTTP_TEST_FUZZ_EXPECTATIONS_H_
#define UVHTTP_TEST_FUZZ_EXPECTATIONS_H_

#include <string>
#include <vector>

#include "harness.h"

namespace fuzz {

struct Case {
  std::string name;
  Options opt;
  std::string input;
  std::vector<Message> want;   // the messages, in order
  End end = End::kOk;
  size_t upgrade_at = 0;
  std::string error_code;      // when end == kError
};

const std::vector<Case>& Expectations();

// Every case whole, split once at every byte boundary (a stride for large
// ones) and one byte per read, each against its expectation.
void CheckExpectations();

}  // namespace fuzz

#endif  // UVHTTP_TEST_FUZZ_EXPECTATIONS_H_
