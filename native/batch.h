// Batch: the event records one read (or one execute() of a standalone
// Parser) produces, in the layout of native/constants.h EventKind, collected
// as handles and handed to JS in one call (DESIGN.md #1). Building a JS array
// slot by slot through N-API costs ~10x more than the values themselves, so
// the records travel as the call's arguments, and header lists are spread
// into the batch for JS to slice out.
//
// The layout is written once, over a Values policy that makes each slot:
// NapiValues (batch.cc) makes JS values; the fuzzer (test/fuzz/request_fuzz.cc)
// makes plain C++ slots it decodes as lib/engine/constants.ts does, so the
// record building is exercised without Node.
//
// The N-API handles live in the caller's HandleScope: a batch must be
// delivered (or taken) before that scope closes.
#ifndef UVHTTP_BATCH_H_
#define UVHTTP_BATCH_H_

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "constants.h"
#include "http_parser.h"

namespace uvhttp {

class NameCache;

// The slots of a batch as JS values.
struct NapiValues {
  using Env = napi_env;
  using Value = napi_value;
  using Names = NameCache;
  static napi_value Int(napi_env env, int32_t v);
  // Header names, interned (DESIGN.md #3).
  static napi_value Name(napi_env env, NameCache* names, const char* data, size_t len);
  static napi_value Latin1(napi_env env, const char* data, size_t len);
  static napi_value Utf8(napi_env env, const char* data, size_t len);
  // A Buffer holding a copy of the bytes (the read buffer is reused).
  static napi_value Bytes(napi_env env, const char* data, size_t len);
  static napi_value Undefined(napi_env env);
  static napi_value Array(napi_env env, const napi_value* values, size_t n);
};

template <class Values>
class BasicBatch {
 public:
  using Env = typename Values::Env;
  using Value = typename Values::Value;

  explicit BasicBatch(typename Values::Names* names) : names_(names) {}

  bool empty() const { return values_.empty(); }
  size_t size() const { return values_.size(); }
  const Value* values() const { return values_.data(); }
  void Clear() { values_.clear(); }

  void Push(Value v) { values_.push_back(v); }
  void PushInt(Env env, int32_t v) { values_.push_back(Values::Int(env, v)); }
  // [HEAD, method|status, url|reason, n, major, minor, flags, ...n raw header strings]
  void PushHead(Env env, int32_t method_or_status, const HeadInfo& head);
  // [BODY, Buffer] / [DATA, Buffer]: the bytes are copied (the read buffer is reused).
  void PushBytes(Env env, int32_t kind, const char* data, size_t len);
  // [END, n, ...n raw trailer strings]; n = -1 when the message had no trailers.
  void PushEnd(Env env, const HeaderList* trailers);
  // [PARSE_ERROR, code, reason, bytesParsed, rawPacket | undefined]
  void PushParseError(Env env, const ParseError& e, size_t bytes_parsed, const char* data, size_t len);
  // [IO_ERROR, errno, syscall]
  void PushIoError(Env env, int32_t err, const char* syscall);

  // The batch as one JS array (for execute() results and oversized batches), emptied.
  Value TakeArray(Env env);

 private:
  void PushHeaders(Env env, const HeaderList& list);

  typename Values::Names* names_;
  std::vector<Value> values_;
};

using Batch = BasicBatch<NapiValues>;
// Instantiated once, in batch.cc.
extern template class BasicBatch<NapiValues>;

// ---- the layout ----------------------------------------------------------------

template <class Values>
void BasicBatch<Values>::PushHeaders(Env env, const HeaderList& list) {
  size_t n = list.Count();
  for (size_t i = 0; i < n; i++) {
    values_.push_back(i % 2 == 0 ? Values::Name(env, names_, list.Data(i), list.Length(i))
                                 : Values::Latin1(env, list.Data(i), list.Length(i)));
  }
}

template <class Values>
void BasicBatch<Values>::PushHead(Env env, int32_t method_or_status, const HeadInfo& head) {
  Value text = Values::Latin1(env, head.url_or_reason->data(), head.url_or_reason->size());
  PushInt(env, kEvHead);
  PushInt(env, method_or_status);
  Push(text);
  PushInt(env, static_cast<int32_t>(head.headers->Count()));
  PushInt(env, head.major);
  PushInt(env, head.minor);
  PushInt(env, head.flags);
  PushHeaders(env, *head.headers);
}

template <class Values>
void BasicBatch<Values>::PushBytes(Env env, int32_t kind, const char* data, size_t len) {
  Value buf = Values::Bytes(env, data, len);
  PushInt(env, kind);
  Push(buf);
}

template <class Values>
void BasicBatch<Values>::PushEnd(Env env, const HeaderList* trailers) {
  PushInt(env, kEvEnd);
  if (trailers == nullptr) {
    PushInt(env, -1);
    return;
  }
  PushInt(env, static_cast<int32_t>(trailers->Count()));
  PushHeaders(env, *trailers);
}

template <class Values>
void BasicBatch<Values>::PushParseError(Env env, const ParseError& e, size_t bytes_parsed, const char* data,
                                        size_t len) {
  Value code = Values::Utf8(env, e.code, std::char_traits<char>::length(e.code));
  Value reason = Values::Utf8(env, e.reason.data(), e.reason.size());
  Value raw = data != nullptr ? Values::Bytes(env, data, len) : Values::Undefined(env);
  PushInt(env, kEvParseError);
  Push(code);
  Push(reason);
  PushInt(env, static_cast<int32_t>(bytes_parsed));
  Push(raw);
}

template <class Values>
void BasicBatch<Values>::PushIoError(Env env, int32_t err, const char* syscall) {
  Value name = Values::Utf8(env, syscall, std::char_traits<char>::length(syscall));
  PushInt(env, kEvIoError);
  PushInt(env, err);
  Push(name);
}

template <class Values>
typename BasicBatch<Values>::Value BasicBatch<Values>::TakeArray(Env env) {
  Value arr = Values::Array(env, values_.data(), values_.size());
  values_.clear();
  return arr;
}

}  // namespace uvhttp

#endif  // UVHTTP_BATCH_H_
