// ConnectionWrap: the JS object ("Connection" in lib/engine/binding.ts) in
// front of a native Connection. The two die at different times: the
// Connection when libuv closes its handle, the wrapper when the garbage
// collector finds it. Until the close the wrapper forwards every call; after
// it, the counters keep their last values and every other call is a no-op or
// an error by design (STYLE.md example 7), never a touch of freed memory.
#ifndef UVHTTP_CONNECTION_WRAP_H_
#define UVHTTP_CONNECTION_WRAP_H_

#include <napi.h>

#include "connection.h"

namespace uvhttp {

class ConnectionWrap : public Napi::ObjectWrap<ConnectionWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit ConnectionWrap(const Napi::CallbackInfo& info);
  ~ConnectionWrap() override;

  // The live connection, or null once it closed.
  Connection* core() const { return core_; }
  // From the Connection's close callback, just before it is deleted.
  void OnCoreClosed(const Connection& core);

 private:
  // A method with no result: a no-op once closed.
  template <void (Connection::*M)(const Napi::CallbackInfo&)>
  void Forward(const Napi::CallbackInfo& info) {
    if (core_) (core_->*M)(info);
  }
  // A method answering a number: kClosed once closed.
  template <Napi::Value (Connection::*M)(const Napi::CallbackInfo&), int kClosed>
  Napi::Value ForwardOr(const Napi::CallbackInfo& info) {
    return core_ ? (core_->*M)(info) : Napi::Number::New(info.Env(), kClosed);
  }
  Napi::Value GetBytesRead(const Napi::CallbackInfo& info);
  Napi::Value GetBytesWritten(const Napi::CallbackInfo& info);
  Napi::Value GetHeadersComplete(const Napi::CallbackInfo& info);

  Connection* core_;
  // What the connection had counted when it closed.
  size_t bytes_read_ = 0;
  size_t bytes_written_ = 0;
  bool headers_complete_ = false;
};

}  // namespace uvhttp

#endif  // UVHTTP_CONNECTION_WRAP_H_
