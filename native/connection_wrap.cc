#include "connection_wrap.h"

namespace uvhttp {

Napi::Function ConnectionWrap::Define(Napi::Env env) {
  using C = Connection;
  using W = ConnectionWrap;
  return DefineClass(env, "Connection", {
    InstanceMethod<&W::ForwardOr<&C::Write, UV_EPIPE>>("write"),
    InstanceMethod<&W::ForwardOr<&C::Flush, 0>>("flush"),
    InstanceMethod<&W::Forward<&C::Pause>>("pause"),
    InstanceMethod<&W::Forward<&C::Resume>>("resume"),
    InstanceMethod<&W::Forward<&C::Shutdown>>("shutdown"),
    InstanceMethod<&W::Forward<&C::Close>>("close"),
    InstanceMethod<&W::ForwardOr<&C::Reset, UV_EBADF>>("reset"),
    InstanceMethod<&W::Forward<&C::SetParser>>("setParser"),
    InstanceMethod<&W::Forward<&C::SetLimits>>("setLimits"),
    InstanceMethod<&W::Forward<&C::ExpectNoBody>>("expectNoBody"),
    InstanceMethod<&W::Forward<&C::ExpectUpgrade>>("expectUpgrade"),
    InstanceMethod<&W::ForwardOr<&C::SetNoDelay, 0>>("setNoDelay"),
    InstanceMethod<&W::ForwardOr<&C::SetKeepAlive, 0>>("setKeepAlive"),
    InstanceMethod<&W::ForwardOr<&C::PeerName, UV_EBADF>>("peerName"),
    InstanceMethod<&W::ForwardOr<&C::SockName, UV_EBADF>>("sockName"),
    InstanceAccessor<&W::ForwardOr<&C::GetWriteQueueSize, 0>>("writeQueueSize"),
    InstanceAccessor<&W::GetBytesRead>("bytesRead"),
    InstanceAccessor<&W::GetBytesWritten>("bytesWritten"),
    InstanceAccessor<&W::ForwardOr<&C::GetFd, -1>>("fd"),
    InstanceAccessor<&W::ForwardOr<&C::GetMessageAge, -1>>("messageAge"),
    InstanceAccessor<&W::ForwardOr<&C::GetIdleAge, -1>>("idleAge"),
    InstanceAccessor<&W::GetHeadersComplete>("headersComplete"),
    InstanceMethod<&W::Forward<&C::SetRef>>("setRef"),
    InstanceMethod<&W::Forward<&C::AdoptAsyncContext>>("adoptAsyncContext"),
  });
}

ConnectionWrap::ConnectionWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<ConnectionWrap>(info), core_(new Connection(info.Env(), this)) {}

// Collected while the connection lives (JS dropped an open connection, or the
// environment is ending): the connection goes on until its close callback.
// One that never got a handle has no close callback to wait for.
ConnectionWrap::~ConnectionWrap() {
  if (!core_) return;
  if (core_->initialized()) {
    core_->DetachWrap();
  } else {
    delete core_;
  }
}

void ConnectionWrap::OnCoreClosed(const Connection& core) {
  bytes_read_ = core.bytes_read();
  bytes_written_ = core.bytes_written();
  headers_complete_ = core.headers_complete();
  core_ = nullptr;
}

Napi::Value ConnectionWrap::GetBytesRead(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(core_ ? core_->bytes_read() : bytes_read_));
}

Napi::Value ConnectionWrap::GetBytesWritten(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(core_ ? core_->bytes_written() : bytes_written_));
}

Napi::Value ConnectionWrap::GetHeadersComplete(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), core_ ? core_->headers_complete() : headers_complete_);
}

}  // namespace uvhttp
