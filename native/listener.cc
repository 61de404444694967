#include "listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "connection_wrap.h"

namespace uvhttp {

Napi::Function Listener::Define(Napi::Env env) {
  return DefineClass(env, "Listener", {
    InstanceMethod<&Listener::Listen>("listen"),
    InstanceMethod<&Listener::Open>("open"),
    InstanceMethod<&Listener::Adopt>("adopt"),
    InstanceMethod<&Listener::Chmod>("chmod"),
    InstanceMethod<&Listener::SockName>("sockName"),
    InstanceAccessor<&Listener::GetFd>("fd"),
    InstanceAccessor<&Listener::GetPipe>("pipe"),
    InstanceMethod<&Listener::SetUpgrade>("setUpgrade"),
    InstanceMethod<&Listener::SetLimits>("setLimits"),
    InstanceMethod<&Listener::Close>("close"),
    InstanceMethod<&Listener::SetRef>("setRef"),
  });
}

Listener::Listener(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<Listener>(info),
      data_(info.Env().GetInstanceData<AddonData>()),
      config_(std::make_shared<ConnectionConfig>(info.Env(), "HTTPINCOMINGMESSAGE", info.This().As<Napi::Object>())) {
  std::memset(&handle_, 0, sizeof handle_);
  owner_ = Napi::Persistent(info[0].As<Napi::Object>());
}

int Listener::InitHandle(bool pipe, unsigned family) {
  if (initialized_) return UV_EINVAL;
  is_pipe_ = pipe;
  int r = pipe ? uv_pipe_init(data_->loop, &handle_.pipe, 0)
               : uv_tcp_init_ex(data_->loop, &handle_.tcp, family);
  if (r < 0) return r;
  initialized_ = true;
  handle_.tcp.data = this;
  Ref();  // released in OnClosed
  data_->Track(this);
  return 0;
}

// SO_REUSEPORT: several sockets (processes) bound to one port, the kernel
// spreading new connections over them. libuv has a bind flag for it only
// from 1.49 (Node 22.12); setting it ourselves works with every Node line.
static int SetReusePort(uv_tcp_t* tcp) {
#ifdef SO_REUSEPORT
  uv_os_fd_t fd;
  int r = uv_fileno(reinterpret_cast<uv_handle_t*>(tcp), &fd);
  if (r < 0) return r;
  int on = 1;
  return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0 ? 0 : -errno;
#else
  return UV_ENOTSUP;
#endif
}

// listen(kind, hostOrPath, port, backlog, flags): kind 4 or 6 for TCP, 0 for a
// pipe path; flags 1 = IPv6 only, 2 = SO_REUSEPORT. Returns 0 or a negative
// libuv error, which JS turns into Node's error ('listen EADDRINUSE: …').
Napi::Value Listener::Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int kind = info[0].As<Napi::Number>().Int32Value();
  std::string where = info[1].As<Napi::String>().Utf8Value();
  int port = info[2].As<Napi::Number>().Int32Value();
  int backlog = info[3].As<Napi::Number>().Int32Value();
  int flags = info[4].As<Napi::Number>().Int32Value();
  bool reuse_port = kind != 0 && (flags & 2);
  int r = InitHandle(kind == 0, reuse_port ? (kind == 6 ? AF_INET6 : AF_INET) : AF_UNSPEC);
  if (r == 0 && reuse_port) r = SetReusePort(&handle_.tcp);
  if (r < 0) return Napi::Number::New(env, r);
  if (kind == 0) {
    r = uv_pipe_bind(&handle_.pipe, where.c_str());
  } else {
    sockaddr_storage ss;
    r = kind == 6 ? uv_ip6_addr(where.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
                  : uv_ip4_addr(where.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
    if (r == 0) {
      r = uv_tcp_bind(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss),
                      (kind == 6 && (flags & 1)) ? UV_TCP_IPV6ONLY : 0);
    }
  }
  if (r == 0) r = uv_listen(reinterpret_cast<uv_stream_t*>(&handle_), backlog, OnConnection);
  return Napi::Number::New(env, r);
}

// open(fd, backlog): listen on a socket bound elsewhere (listen({fd})).
Napi::Value Listener::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int backlog = info[1].As<Napi::Number>().Int32Value();
  uv_handle_type type = uv_guess_handle(fd);
  if (type != UV_TCP && type != UV_NAMED_PIPE) return Napi::Number::New(env, UV_EINVAL);
  // Our own copy of the descriptor: the handle it came from (another server
  // in this process, listen(handle)) may still own the original.
  fd = dup(fd);
  if (fd < 0) return Napi::Number::New(env, -errno);
  int r = InitHandle(type == UV_NAMED_PIPE);
  if (r == 0) r = is_pipe_ ? uv_pipe_open(&handle_.pipe, fd) : uv_tcp_open(&handle_.tcp, fd);
  if (r == 0) r = uv_listen(reinterpret_cast<uv_stream_t*>(&handle_), backlog, OnConnection);
  return Napi::Number::New(env, r);
}

// adopt(fd): serves a connection accepted elsewhere (cluster's round-robin
// primary hands each worker accepted sockets) as one of this listener's, on
// a copy of the descriptor: the caller closes its own. Returns 0 or a
// negative errno.
Napi::Value Listener::Adopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  uv_handle_type type = uv_guess_handle(fd);
  if (type != UV_TCP && type != UV_NAMED_PIPE) return Napi::Number::New(env, UV_EINVAL);
  int own = dup(fd);
  if (own < 0) return Napi::Number::New(env, -errno);
  Napi::Object wrapper = data_->connection_ctor.New({});
  Connection* conn = ConnectionWrap::Unwrap(wrapper)->core();
  int r = conn->Open(own, type == UV_NAMED_PIPE);
  if (r < 0) {
    close(own);
    return Napi::Number::New(env, r);
  }
  Serve(wrapper, conn);
  return Napi::Number::New(env, 0);
}

// chmod(mode): who may connect to a pipe (listen({ readableAll, writableAll })).
Napi::Value Listener::Chmod(const Napi::CallbackInfo& info) {
  if (!initialized_ || closing_ || !is_pipe_) return Napi::Number::New(info.Env(), UV_EBADF);
  return Napi::Number::New(info.Env(), uv_pipe_chmod(&handle_.pipe, info[0].As<Napi::Number>().Int32Value()));
}

Napi::Value Listener::SockName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = info[0].As<Napi::Object>();
  if (!initialized_ || closing_) return Napi::Number::New(env, UV_EBADF);
  if (is_pipe_) {
    char path[1024];
    size_t len = sizeof path;
    int r = uv_pipe_getsockname(&handle_.pipe, path, &len);
    if (r == 0) out.Set("path", Napi::String::New(env, path, len));
    return Napi::Number::New(env, r);
  }
  sockaddr_storage ss;
  int len = sizeof ss;
  int r = uv_tcp_getsockname(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r != 0) return Napi::Number::New(env, r);
  char ip[INET6_ADDRSTRLEN] = {0};
  int port;
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof ip);
    port = ntohs(a->sin6_port);
    out.Set("family", "IPv6");
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    uv_ip4_name(a, ip, sizeof ip);
    port = ntohs(a->sin_port);
    out.Set("family", "IPv4");
  }
  out.Set("address", Napi::String::New(env, ip));
  out.Set("port", Napi::Number::New(env, port));
  return Napi::Number::New(env, 0);
}

// The listening socket's descriptor (server._handle.fd), or -1.
Napi::Value Listener::GetFd(const Napi::CallbackInfo& info) {
  uv_os_fd_t fd = -1;
  if (initialized_ && !closing_) uv_fileno(reinterpret_cast<uv_handle_t*>(&handle_), &fd);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value Listener::GetPipe(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), is_pipe_);
}

void Listener::SetUpgrade(const Napi::CallbackInfo& info) {
  config_->want_upgrade = info[0].ToBoolean().Value();
}

// setLimits(maxHeaderSize, maxHeaderEntries, lenient) for the connections it
// accepts from now on (maxHeaderEntries: Node's parser.maxHeaderPairs, 0 for
// no limit).
void Listener::SetLimits(const Napi::CallbackInfo& info) {
  config_->max_header_size = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
  config_->max_header_entries = info[1].IsNumber() ? static_cast<size_t>(info[1].As<Napi::Number>().Int64Value()) : 0;
  config_->lenient = info[2].ToBoolean().Value();
}

void Listener::SetRef(const Napi::CallbackInfo& info) {
  if (!initialized_ || closing_) return;
  auto* h = reinterpret_cast<uv_handle_t*>(&handle_);
  if (info[0].ToBoolean()) uv_ref(h); else uv_unref(h);
}

void Listener::Close(const Napi::CallbackInfo&) { CloseHandle(); }

void Listener::CloseHandle() {
  if (!initialized_ || closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClosed);
}

void Listener::OnClosed(uv_handle_t* h) {
  auto* self = static_cast<Listener*>(h->data);
  self->data_->Untrack(self);
  self->Unref();
}

void Listener::OnConnection(uv_stream_t* server, int status) {
  auto* self = static_cast<Listener*>(server->data);
  if (status < 0 || self->closing_) return;  // e.g. EMFILE: libuv retries later
  Napi::Env env = self->Env();
  Napi::HandleScope scope(env);
  Napi::Object wrapper = self->data_->connection_ctor.New({});
  Connection* conn = ConnectionWrap::Unwrap(wrapper)->core();
  if (conn->Accept(server, self->is_pipe_) < 0) return;
  self->Serve(wrapper, conn);
}

void Listener::Serve(Napi::Object wrapper, Connection* conn) {
  Napi::Env env = Env();
  napi_value owner = CallIntoJs(env, data_->on_connection, owner_.Value(),
                                {owner_.Value(), wrapper}, config_->async_context);
  if (!owner || !Napi::Value(env, owner).IsObject()) {
    // The application threw or refused: the socket must not leak.
    conn->Destroy();
    return;
  }
  conn->Start(Napi::Object(env, owner), config_, kParserRequest);
  conn->BeginReading();
}

}  // namespace uvhttp
