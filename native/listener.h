// Listener: a listening TCP or pipe handle on Node's loop. Each accepted
// socket becomes a Connection whose JS owner comes from the per-environment
// onConnection handler, called in the listener's async context.
#ifndef UVHTTP_LISTENER_H_
#define UVHTTP_LISTENER_H_

#include <napi.h>
#include <uv.h>

#include <memory>

#include "connection.h"

namespace uvhttp {

class Listener : public Napi::ObjectWrap<Listener>, public LoopHandle {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Listener(const Napi::CallbackInfo& info);
  void CloseForTeardown() override { CloseHandle(); }

 private:
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value Adopt(const Napi::CallbackInfo& info);
  Napi::Value Chmod(const Napi::CallbackInfo& info);
  Napi::Value SockName(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetPipe(const Napi::CallbackInfo& info);
  void SetUpgrade(const Napi::CallbackInfo& info);
  void SetLimits(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  void SetRef(const Napi::CallbackInfo& info);

  static void OnConnection(uv_stream_t* server, int status);
  static void OnClosed(uv_handle_t* h);
  // family: AF_INET/AF_INET6 create the TCP socket at once (to set options
  // before bind), AF_UNSPEC when it comes later (bind, open).
  int InitHandle(bool pipe, unsigned family = AF_UNSPEC);
  // Hands a new connection to JS (onConnection) and starts reading it.
  void Serve(Napi::Object wrapper, Connection* conn);
  void CloseHandle();

  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_;
  AddonData* data_;
  Napi::ObjectReference owner_;
  std::shared_ptr<ConnectionConfig> config_;
  bool is_pipe_ = false;
  bool initialized_ = false;
  bool closing_ = false;
};

}  // namespace uvhttp

#endif  // UVHTTP_LISTENER_H_
