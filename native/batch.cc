#include "batch.h"

#include "addon_data.h"

namespace uvhttp {

napi_value NapiValues::Int(napi_env env, int32_t v) {
  napi_value n;
  napi_create_int32(env, v, &n);
  return n;
}

napi_value NapiValues::Name(napi_env env, NameCache* names, const char* data, size_t len) {
  return names->Get(env, data, len);
}

napi_value NapiValues::Latin1(napi_env env, const char* data, size_t len) {
  napi_value v;
  napi_create_string_latin1(env, data, len, &v);
  return v;
}

napi_value NapiValues::Utf8(napi_env env, const char* data, size_t len) {
  napi_value v;
  napi_create_string_utf8(env, data, len, &v);
  return v;
}

napi_value NapiValues::Bytes(napi_env env, const char* data, size_t len) {
  napi_value buf;
  void* copy = nullptr;
  napi_create_buffer_copy(env, len, data, &copy, &buf);
  return buf;
}

napi_value NapiValues::Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value NapiValues::Array(napi_env env, const napi_value* values, size_t n) {
  napi_value arr;
  napi_create_array_with_length(env, n, &arr);
  for (size_t i = 0; i < n; i++) napi_set_element(env, arr, static_cast<uint32_t>(i), values[i]);
  return arr;
}

template class BasicBatch<NapiValues>;

}  // namespace uvhttp
