#include "batch.h"


#include "addon_data.h"
#include "constants.h"

namespace uvhttp {

void Batch::PushInt(napi_env env, int32_t v) {
  napi_value n;
  napi_create_int32(env, v, &n);
  values_.push_back(n);
}

void Batch::PushHeaders(napi_env env, const HeaderList& list) {
  size_t n = list.Count();
  for (size_t i = 0; i < n; i++) {
    napi_value v;
    if (i % 2 == 0) {
      v = names_->Get(env, list.Data(i), list.Length(i));
    } else {
      napi_create_string_latin1(env, list.Data(i), list.Length(i), &v);
    }
    values_.push_back(v);
  }
}

void Batch::PushHead(napi_env env, int32_t method_or_status, const HeadInfo& head) {
  napi_value text;
  napi_create_string_latin1(env, head.url_or_reason->data(), head.url_or_reason->size(), &text);
  PushInt(env, kEvHead);
  PushInt(env, method_or_status);
  Push(text);
  PushInt(env, static_cast<int32_t>(head.headers->Count()));
  PushInt(env, head.major);
  PushInt(env, head.minor);
  PushInt(env, head.flags);
  PushHeaders(env, *head.headers);
}

void Batch::PushBytes(napi_env env, int32_t kind, const char* data, size_t len) {
  napi_value buf;
  void* copy = nullptr;
  napi_create_buffer_copy(env, len, data, &copy, &buf);
  PushInt(env, kind);
  Push(buf);
}

void Batch::PushEnd(napi_env env, const HeaderList* trailers) {
  PushInt(env, kEvEnd);
  if (trailers == nullptr) {
    PushInt(env, -1);
    return;
  }
  PushInt(env, static_cast<int32_t>(trailers->Count()));
  PushHeaders(env, *trailers);
}

void Batch::PushParseError(napi_env env, const ParseError& e, size_t bytes_parsed, const char* data, size_t len) {
  napi_value code, reason, raw;
  napi_create_string_utf8(env, e.code, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, e.reason.data(), e.reason.size(), &reason);
  if (data != nullptr) {
    void* copy = nullptr;
    napi_create_buffer_copy(env, len, data, &copy, &raw);
  } else {
    napi_get_undefined(env, &raw);
  }
  PushInt(env, kEvParseError);
  Push(code);
  Push(reason);
  PushInt(env, static_cast<int32_t>(bytes_parsed));
  Push(raw);
}

void Batch::PushIoError(napi_env env, int32_t err, const char* syscall) {
  napi_value name;
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &name);
  PushInt(env, kEvIoError);
  PushInt(env, err);
  Push(name);
}

napi_value Batch::TakeArray(napi_env env) {
  napi_value arr;
  napi_create_array_with_length(env, values_.size(), &arr);
  for (size_t i = 0; i < values_.size(); i++) napi_set_element(env, arr, static_cast<uint32_t>(i), values_[i]);
  values_.clear();
  return arr;
}

}  // namespace uvhttp
