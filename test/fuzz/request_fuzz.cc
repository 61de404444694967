// Fuzz target (a): the request parser and the batch records built from it.
//
// Input: byte 0 the options (harness.h OptionsFromByte), bytes 1-2 where the
// input is cut into two reads (0: one read), then the bytes a client sends.
//
// Each read is parsed as Connection::Parse (and the standalone Parser's
// execute()) does: the parser's events become HEAD/BODY/END records through
// the real uvhttp::BasicBatch layout (native/batch.h) over plain C++ slots,
// then DATA for the bytes after an upgrade or CONNECT head, or PARSE_ERROR;
// the peer's EOF adds a truncation error and EOF. The records are decoded as
// lib/engine/constants.ts recordEnd() and the server's batch reader read them
// (slot kinds, counts, grammar), and must say exactly what the parser said:
// the same heads, header lists, bodies, trailers, upgrade bytes and error,
// with bytesParsed inside the read and rawPacket the read itself.
#include <cstdint>
#include <string>
#include <vector>

#include "batch.h"
#include "expectations.h"
#include "harness.h"

namespace {

using fuzz::End;
using fuzz::Expect;
using fuzz::Message;
using fuzz::Outcome;

// A batch slot as the fuzzer sees it: what N-API would have created.
struct Slot {
  enum Kind { kInt, kName, kLatin1, kUtf8, kBytes, kUndefined } kind;
  int32_t i = 0;
  std::string s;
};

struct SlotValues {
  using Env = void*;
  using Value = Slot;
  using Names = void;
  static Slot Int(void*, int32_t v) { return {Slot::kInt, v, {}}; }
  static Slot Name(void*, void*, const char* p, size_t n) { return {Slot::kName, 0, std::string(p, n)}; }
  static Slot Latin1(void*, const char* p, size_t n) { return {Slot::kLatin1, 0, std::string(p, n)}; }
  static Slot Utf8(void*, const char* p, size_t n) { return {Slot::kUtf8, 0, std::string(p, n)}; }
  static Slot Bytes(void*, const char* p, size_t n) { return {Slot::kBytes, 0, std::string(p, n)}; }
  static Slot Undefined(void*) { return {Slot::kUndefined, 0, {}}; }
};

using SlotBatch = uvhttp::BasicBatch<SlotValues>;

// The parser's events, recorded by the harness and written into the batch
// as Connection's ParserSink methods write them.
class BatchSink : public fuzz::Recorder {
 public:
  BatchSink(Outcome* out, const fuzz::Options& opt, SlotBatch* batch) : Recorder(out, opt), batch_(batch) {}
  void OnHead(const uvhttp::HeadInfo& head) override {
    Recorder::OnHead(head);
    batch_->PushHead(nullptr, head.method, head);
  }
  void OnBody(const char* data, size_t len) override {
    Recorder::OnBody(data, len);
    batch_->PushBytes(nullptr, uvhttp::kEvBody, data, len);
  }
  void OnMessageEnd(const uvhttp::HeaderList* trailers) override {
    Recorder::OnMessageEnd(trailers);
    batch_->PushEnd(nullptr, trailers);
  }

 private:
  SlotBatch* batch_;
};

// Reads the batches as the server's batch reader does and rebuilds the outcome.
class Decoder {
 public:
  // One read's batch; read is that read's bytes, at input offset start.
  void Batch(const std::vector<Slot>& b, const std::string& read, size_t start) {
    for (size_t i = 0; i < b.size();) {
      Expect(!eof_, "a record after EOF");
      Int(b, i, "record kind");
      int kind = b[i].i;
      // At EOF a truncated message's error is followed by the EOF record.
      Expect(out_.end == End::kOk || (kind == uvhttp::kEvEof && read.empty()), "a record after the parser let go");
      Expect(!upgraded_ || kind == uvhttp::kEvData, "a record other than DATA after an upgrade head");
      switch (kind) {
        case uvhttp::kEvHead: {
          Expect(!open_, "HEAD inside a message");
          Expect(i + 7 <= b.size(), "HEAD runs past the batch");
          for (size_t k : {1, 3, 4, 5, 6}) Int(b, i + k, "HEAD slot");
          Expect(b[i + 2].kind == Slot::kLatin1, "HEAD text is not a latin1 string");
          int n = b[i + 3].i;
          Expect(n >= 0 && n % 2 == 0 && i + 7 + static_cast<size_t>(n) <= b.size(), "HEAD header count");
          Message m;
          m.code = b[i + 1].i;
          m.text = b[i + 2].s;
          m.major = b[i + 4].i;
          m.minor = b[i + 5].i;
          m.flags = b[i + 6].i;
          m.headers = Strings(b, i + 7, n);
          out_.messages.push_back(std::move(m));
          out_.begins++;
          open_ = true;
          i += 7 + n;
          break;
        }
        case uvhttp::kEvBody:
          Expect(open_, "BODY outside a message");
          Expect(i + 2 <= b.size() && b[i + 1].kind == Slot::kBytes && !b[i + 1].s.empty(), "BODY slot");
          out_.messages.back().body += b[i + 1].s;
          i += 2;
          break;
        case uvhttp::kEvEnd: {
          Expect(open_, "END outside a message");
          Expect(i + 2 <= b.size(), "END runs past the batch");
          Int(b, i + 1, "END count");
          int n = b[i + 1].i;
          Expect(n == -1 || (n > 0 && n % 2 == 0 && i + 2 + static_cast<size_t>(n) <= b.size()), "END count");
          Message& m = out_.messages.back();
          m.ended = true;
          if (n > 0) {
            m.has_trailers = true;
            m.trailers = Strings(b, i + 2, n);
          }
          open_ = false;
          // The HTTP part of the connection ends with this message.
          upgraded_ = m.flags & uvhttp::kHeadUpgrade;
          i += 2 + (n > 0 ? n : 0);
          break;
        }
        case uvhttp::kEvData:
          Expect(upgraded_, "DATA without an upgrade head");
          Expect(i + 2 == b.size() && b[i + 1].kind == Slot::kBytes, "DATA is not the batch's last record");
          data_ = b[i + 1].s;
          Expect(!data_.empty() && read.size() >= data_.size() &&
                 read.compare(read.size() - data_.size(), std::string::npos, data_) == 0,
                 "DATA is not the end of the read");
          i += 2;
          break;
        case uvhttp::kEvParseError: {
          Expect(i + 5 == b.size() || (read.empty() && i + 6 == b.size()), "PARSE_ERROR is not the batch's last record");
          Expect(b[i + 1].kind == Slot::kUtf8 && b[i + 2].kind == Slot::kUtf8, "PARSE_ERROR code or reason slot");
          Int(b, i + 3, "PARSE_ERROR bytesParsed");
          Expect(b[i + 3].i >= 0 && static_cast<size_t>(b[i + 3].i) <= read.size(), "bytesParsed outside the read");
          Expect(b[i + 4].kind == (read.empty() ? Slot::kUndefined : Slot::kBytes) && b[i + 4].s == read,
                 "rawPacket is not the read");
          out_.end = End::kError;
          out_.error_code = b[i + 1].s;
          out_.error_reason = b[i + 2].s;
          out_.from_finish = read.empty();
          i += 5;
          break;
        }
        case uvhttp::kEvEof:
          eof_ = true;
          i += 1;
          break;
        default:
          fuzz::Fail("unknown record kind " + std::to_string(kind));
      }
    }
    if (upgraded_ && out_.end == End::kOk) {
      out_.end = End::kUpgrade;
      out_.upgrade_at = start + read.size() - data_.size();
    }
  }

  const Outcome& outcome() const { return out_; }
  bool eof() const { return eof_; }

 private:
  static void Int(const std::vector<Slot>& b, size_t i, const char* what) {
    Expect(i < b.size() && b[i].kind == Slot::kInt, what);
  }
  // n strings: names (interned) and values alternate, as rawHeaders.
  static std::vector<std::string> Strings(const std::vector<Slot>& b, size_t at, int n) {
    std::vector<std::string> out;
    for (int k = 0; k < n; k++) {
      Expect(b[at + k].kind == (k % 2 ? Slot::kLatin1 : Slot::kName), "header slot kind");
      out.push_back(b[at + k].s);
    }
    return out;
  }

  Outcome out_;
  std::string data_;
  bool open_ = false;
  bool upgraded_ = false;
  bool eof_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::CheckExpectations();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const fuzz::Options opt = fuzz::OptionsFromByte(data[0], HTTP_REQUEST);
  const std::string input(reinterpret_cast<const char*>(data) + 3, size - 3);
  const std::vector<size_t> cuts = fuzz::CutsFromBytes(data + 1, 1, input.size());
  fuzz::g_ctx.what = "request + batch";
  fuzz::g_ctx.input = &input;
  fuzz::g_ctx.cuts = &cuts;
  fuzz::g_ctx.opt = opt;

  Outcome said;  // what the parser reported
  SlotBatch batch(nullptr);
  BatchSink sink(&said, opt, &batch);
  uvhttp::HttpParser parser;
  parser.Init(HTTP_REQUEST, &sink);
  parser.SetLimits(opt.max_header_size, opt.lenient);
  parser.SetMaxHeaderEntries(opt.max_header_entries);
  Decoder decoded;
  bool parsing = true;
  size_t end = 0;  // of the last read
  fuzz::ForEachRead(input, cuts, [&](const char* read, size_t n, size_t start) {
    sink.SetRead(read, n);
    size_t consumed = 0;
    switch (parser.Execute(read, n, &consumed)) {
      case uvhttp::HttpParser::Result::kOk:
        break;
      case uvhttp::HttpParser::Result::kUpgrade:
        Expect(consumed <= n, "upgrade offset past the read");
        said.end = End::kUpgrade;
        said.upgrade_at = start + consumed;
        if (consumed < n) batch.PushBytes(nullptr, uvhttp::kEvData, read + consumed, n - consumed);
        parsing = false;
        break;
      case uvhttp::HttpParser::Result::kError:
        fuzz::CheckError(parser.error(), n);
        said.end = End::kError;
        said.error_code = parser.error().code;
        said.error_reason = parser.error().reason;
        batch.PushParseError(nullptr, parser.error(), parser.error().pos, read, n);
        parsing = false;
        break;
    }
    sink.SetRead(nullptr, 0);
    decoded.Batch(std::vector<Slot>(batch.values(), batch.values() + batch.size()), std::string(read, n), start);
    batch.Clear();
    end = start + n;
    return parsing;
  });
  if (parsing && opt.finish) {
    if (parser.Finish() == uvhttp::HttpParser::Result::kError) {
      fuzz::CheckError(parser.error(), 0);
      said.end = End::kError;
      said.error_code = parser.error().code;
      said.error_reason = parser.error().reason;
      said.from_finish = true;
      batch.PushParseError(nullptr, parser.error(), 0, nullptr, 0);
    }
    batch.PushInt(nullptr, uvhttp::kEvEof);
    decoded.Batch(std::vector<Slot>(batch.values(), batch.values() + batch.size()), std::string(), end);
    Expect(decoded.eof(), "no EOF record after the peer closed");
  }
  // The batch carries what the parser said, except what has no record: a
  // message that began but never reached its head.
  Outcome want = said;
  want.begins = static_cast<int>(want.messages.size());
  if (!fuzz::SameOutcome(want, decoded.outcome()) ||
      (want.end == End::kError && want.error_code != decoded.outcome().error_code))
    fuzz::Fail("the batch disagrees with the parser\n  parser: " + fuzz::Describe(want) +
               "\n  batch:  " + fuzz::Describe(decoded.outcome()));
  return 0;
}
