// Batch: the event records one read (or one execute() of a standalone
// Parser) produces, in the layout of native/constants.h EventKind, collected
// as handles and handed to JS in one call (DESIGN.md #1). Building a JS array
// slot by slot through N-API costs ~10x more than the values themselves, so
// the records travel as the call's arguments, and header lists are spread
// into the batch for JS to slice out.
//
// The handles live in the caller's HandleScope: a batch must be delivered
// (or taken) before that scope closes.
#ifndef UVHTTP_BATCH_H_
#define UVHTTP_BATCH_H_

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "http_parser.h"

namespace uvhttp {

class NameCache;

class Batch {
 public:
  explicit Batch(NameCache* names) : names_(names) {}

  bool empty() const { return values_.empty(); }
  size_t size() const { return values_.size(); }
  const napi_value* values() const { return values_.data(); }
  void Clear() { values_.clear(); }

  void Push(napi_value v) { values_.push_back(v); }
  void PushInt(napi_env env, int32_t v);
  // [HEAD, method|status, url|reason, n, major, minor, flags, ...n raw header strings]
  void PushHead(napi_env env, int32_t method_or_status, const HeadInfo& head);
  // [BODY, Buffer] / [DATA, Buffer]: the bytes are copied (the read buffer is reused).
  void PushBytes(napi_env env, int32_t kind, const char* data, size_t len);
  // [END, n, ...n raw trailer strings]; n = -1 when the message had no trailers.
  void PushEnd(napi_env env, const HeaderList* trailers);
  // [PARSE_ERROR, code, reason, bytesParsed, rawPacket | undefined]
  void PushParseError(napi_env env, const ParseError& e, size_t bytes_parsed, const char* data, size_t len);
  // [IO_ERROR, errno, syscall]
  void PushIoError(napi_env env, int32_t err, const char* syscall);

  // The batch as one JS array (for execute() results and oversized batches), emptied.
  napi_value TakeArray(napi_env env);

 private:
  void PushHeaders(napi_env env, const HeaderList& list);

  NameCache* names_;
  std::vector<napi_value> values_;
};

}  // namespace uvhttp

#endif  // UVHTTP_BATCH_H_
