#include "connection.h"

#include <cstring>

#include "connection_wrap.h"

namespace uvhttp {

namespace {

// Appends a JS string to out, encoded as UTF-8 or latin1 (what Node uses for
// header text), without an intermediate copy.
void AppendJsString(napi_env env, napi_value str, bool utf8, std::string* out) {
  size_t len = 0;
  size_t old = out->size();
  if (utf8) {
    napi_get_value_string_utf8(env, str, nullptr, 0, &len);
    out->resize(old + len + 1);
    napi_get_value_string_utf8(env, str, &(*out)[old], len + 1, &len);
  } else {
    napi_get_value_string_latin1(env, str, nullptr, 0, &len);
    out->resize(old + len + 1);
    napi_get_value_string_latin1(env, str, &(*out)[old], len + 1, &len);
  }
  out->resize(old + len);
}

void FillAddress(Napi::Env env, Napi::Object out, const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  const char* family = nullptr;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, ip, sizeof ip);
    port = ntohs(a->sin_port);
    family = "IPv4";
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof ip);
    port = ntohs(a->sin6_port);
    family = "IPv6";
  } else {
    return;
  }
  out.Set("address", Napi::String::New(env, ip));
  out.Set("port", Napi::Number::New(env, port));
  out.Set("family", Napi::String::New(env, family));
}

}  // namespace

Connection::Connection(Napi::Env env, ConnectionWrap* wrap)
    : env_(env),
      wrap_(wrap),
      data_(env.GetInstanceData<AddonData>()),
      writes_(this, this, OnWriteDone),
      batch_(&data_->names) {
  std::memset(&handle_, 0, sizeof handle_);
  data_->live_connections++;
}

Connection::~Connection() { data_->live_connections--; }

int Connection::InitHandle(bool pipe) {
  int r = pipe ? uv_pipe_init(data_->loop, &handle_.pipe, 0)
               : uv_tcp_init(data_->loop, &handle_.tcp);
  if (r < 0) return r;
  initialized_ = true;
  handle_.tcp.data = this;
  data_->Track(this);  // deleted in OnClosed
  return 0;
}

int Connection::Accept(uv_stream_t* server, bool pipe) {
  int r = InitHandle(pipe);
  if (r < 0) return r;
  r = uv_accept(server, stream());
  if (r < 0) CloseHandle();
  return r;
}

int Connection::Open(uv_os_sock_t fd, bool pipe) {
  int r = InitHandle(pipe);
  if (r < 0) return r;
  r = pipe ? uv_pipe_open(&handle_.pipe, fd) : uv_tcp_open(&handle_.tcp, fd);
  if (r < 0) CloseHandle();  // libuv did not take fd: it is still the caller's
  return r;
}

int Connection::Connect(const struct sockaddr* addr, const struct sockaddr* local) {
  int r = InitHandle(false);
  if (r < 0) return r;
  if (local && (r = uv_tcp_bind(&handle_.tcp, local, 0)) < 0) {
    CloseHandle();
    return r;
  }
  connect_req_.data = this;
  r = uv_tcp_connect(&connect_req_, &handle_.tcp, addr, OnConnected);
  if (r < 0) CloseHandle();
  return r;
}

int Connection::ConnectPipe(const char* path) {
  int r = InitHandle(true);
  if (r < 0) return r;
  connect_req_.data = this;
  // libuv reports every failure of a pipe connect (ENOENT, ECONNREFUSED…)
  // through the callback, as Node's PipeWrap sees it.
  uv_pipe_connect(&connect_req_, &handle_.pipe, path, OnConnected);
  return 0;
}

void Connection::Start(Napi::Object owner, std::shared_ptr<ConnectionConfig> config, int mode) {
  owner_ = Napi::Persistent(owner);
  config_ = std::move(config);
  mode_ = mode;
  if (mode_ != kParserNone) {
    ApplyConfig();
  }
  started_ = true;
  last_activity_ = uv_now(data_->loop);
  // Node's headersTimeout also covers a connection that has sent nothing yet.
  if (mode_ == kParserRequest) OnMessageBegin();
}

void Connection::OnConnected(uv_connect_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  if (self->closing_) return;
  Napi::HandleScope scope(self->Env());
  self->in_batch_ = true;
  self->batch_.PushInt(self->Env(), kEvConnect);
  self->batch_.PushInt(self->Env(), status);
  self->Deliver();
  self->in_batch_ = false;
  if (status == 0) self->BeginReading();
  if (self->alive()) self->FlushWrites();
}

// ---- reading ---------------------------------------------------------------

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(h->data);
  AddonData* d = self->data_;
  if (!d->read_buffer_busy) {
    d->read_buffer_busy = true;
    *buf = uv_buf_init(d->read_buffer.get(), kReadBufferSize);
  } else {
    *buf = uv_buf_init(new char[kReadBufferSize], kReadBufferSize);
  }
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(s->data);
  AddonData* d = self->data_;
  if (nread > 0) {
    self->HandleRead(buf->base, static_cast<size_t>(nread));
  } else if (nread == UV_EOF) {
    self->HandleEof();
  } else if (nread < 0 && !self->closing_) {
    uv_read_stop(s);
    self->reading_ = false;
    Napi::HandleScope scope(self->Env());
    self->batch_.PushIoError(self->Env(), static_cast<int32_t>(nread), "read");
    self->Deliver();
  }
  if (buf->base == d->read_buffer.get()) {
    d->read_buffer_busy = false;
  } else {
    delete[] buf->base;
  }
}

void Connection::HandleRead(const char* data, size_t len) {
  if (closing_) return;
  Napi::HandleScope scope(Env());
  bytes_read_ += len;
  last_activity_ = uv_now(data_->loop);
  in_batch_ = true;
  if (mode_ > kParserNone) {
    Parse(data, len);
  } else if (mode_ == kParserNone) {
    batch_.PushBytes(Env(), kEvData, data, len);
  }
  Deliver();
  in_batch_ = false;
  if (!alive()) return;
  int r = FlushWrites();
  if (r < 0) {
    batch_.PushIoError(Env(), r, "write");
    Deliver();
  } else if (need_drain_ && writes_.empty()) {
    // Everything corked during the batch left at once: no uv_write callback
    // will announce it, so say it here.
    need_drain_ = false;
    EmitSimple(kEvDrain);
  }
}

void Connection::Parse(const char* data, size_t len) {
  read_data_ = data;
  read_len_ = len;
  size_t consumed = 0;
  switch (parser_.Execute(data, len, &consumed)) {
    case HttpParser::Result::kOk:
      break;
    case HttpParser::Result::kUpgrade:
      // From here on the bytes belong to the application (upgrade, CONNECT).
      mode_ = kParserNone;
      if (consumed < len) {
        batch_.PushBytes(Env(), kEvData, data + consumed, len - consumed);
      }
      break;
    case HttpParser::Result::kError: {
      const ParseError& e = parser_.error();
      batch_.PushParseError(Env(), e, e.pos, data, len);
      mode_ = -1;  // a broken stream is never parsed again; JS closes it
      break;
    }
  }
  read_data_ = nullptr;
}

void Connection::HandleEof() {
  if (closing_) return;
  eof_ = true;
  uv_read_stop(stream());
  reading_ = false;
  Napi::HandleScope scope(Env());
  in_batch_ = true;
  if (mode_ > kParserNone && parser_.Finish() == HttpParser::Result::kError) {
    batch_.PushParseError(Env(), parser_.error(), 0, nullptr, 0);
    mode_ = -1;
  }
  batch_.PushInt(Env(), kEvEof);
  Deliver();
  in_batch_ = false;
  if (!alive()) return;
  FlushWrites();
  if (shutdown_started_ && writes_.empty()) CloseHandle();
}

// ---- ParserSink: build the batch --------------------------------------------

void Connection::OnMessageBegin() {
  message_started_ = uv_now(data_->loop);
  if (message_started_ == 0) message_started_ = 1;
  headers_complete_ = false;
}

void Connection::OnHead(const HeadInfo& head) {
  headers_complete_ = true;
  batch_.PushHead(Env(), mode_ == kParserRequest ? head.method : head.status, head);
}

void Connection::OnBody(const char* data, size_t len) {
  batch_.PushBytes(Env(), kEvBody, data, len);
}

void Connection::OnMessageEnd(const HeaderList* trailers) {
  message_started_ = 0;
  batch_.PushEnd(Env(), trailers);
}

void Connection::EmitSimple(int kind) {
  Napi::HandleScope scope(Env());
  batch_.PushInt(Env(), kind);
  Deliver();
}

void Connection::Deliver() {
  if (batch_.empty()) return;
  if (owner_.IsEmpty()) {
    batch_.Clear();
    return;
  }
  napi_env env = Env();
  napi_async_context context = context_ ? *context_ : config_->async_context;
  // The records are the call's arguments; a batch too long for a call's
  // arguments (a flood of tiny pipelined requests) goes as one array. The
  // batch is emptied after the call: what JS calls on the connection meanwhile
  // (write, pause, close…) adds no records; those come from libuv callbacks.
  if (batch_.size() <= kMaxBatchArgs) {
    CallIntoJs(env, data_->on_batch, owner_.Value(), batch_.size(), batch_.values(), context);
    batch_.Clear();
  } else {
    napi_value array = batch_.TakeArray(env);
    CallIntoJs(env, data_->on_batch, owner_.Value(), 1, &array, context);
  }
}

// ---- writing ---------------------------------------------------------------

Napi::Value Connection::Write(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  if (!alive() || want_shutdown_) return Napi::Number::New(env, UV_EPIPE);
  last_activity_ = uv_now(data_->loop);
  int flags = info[3].As<Napi::Number>().Int32Value();
  bool held = (flags & kWriteHold) != 0;
  // A write that is not held commits what was (Node's uncork writes it all).
  if (held) writes_.Hold(); else writes_.Commit();
  std::string& cork = writes_.cork();
  if (info[0].IsString()) AppendJsString(env, info[0], false, &cork);
  napi_value body = info[1];
  int r = 0;
  if (info[1].IsString()) {
    AppendJsString(env, body, flags & kWriteUtf8, &cork);
  } else if (info[1].IsTypedArray()) {
    Napi::TypedArray ta = info[1].As<Napi::TypedArray>();
    const char* p = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    size_t len = ta.ByteLength();
    if (len >= kDirectWriteMin && !held) {
      r = FlushWrites(p, len);  // large bodies skip the cork buffer
    } else {
      cork.append(p, len);
    }
  }
  if (info[2].IsString()) AppendJsString(env, info[2], false, &cork);
  if (flags & kWriteEnd) want_shutdown_ = close_after_shutdown_ = true;
  bool hold = held || (in_batch_ ? cork.size() < kCorkLimit : (flags & kWriteMore) != 0);
  if (r == 0 && !hold) r = FlushWrites();
  if (r < 0) return Napi::Number::New(env, r);
  if (want_shutdown_ && !in_batch_ && writes_.empty()) StartShutdown();
  // Corked bytes leave when the batch returns; only what the kernel refused
  // counts against the highWaterMark (and earns a DRAIN event).
  size_t queued = writes_.queued();
  if (queued) need_drain_ = true;
  return Napi::Number::New(env, static_cast<double>(queued));
}

// flush(): commits what was held (WriteFlag HOLD, the socket was corked);
// it leaves now, or when the batch being delivered returns. Returns what
// write() returns: the bytes the kernel refused (queued), or a negative
// libuv error.
Napi::Value Connection::Flush(const Napi::CallbackInfo& info) {
  writes_.Commit();
  int r = alive() && !in_batch_ ? FlushWrites() : 0;
  return Napi::Number::New(info.Env(), r < 0 ? r : static_cast<double>(writes_.queued()));
}

int Connection::FlushWrites(const char* extra, size_t extra_len) {
  if (closing_ || !initialized_) {
    writes_.ClearCork();
    return UV_EPIPE;
  }
  bool had_queue = writes_.queued() > 0;
  int r = writes_.Flush(extra, extra_len);
  // Bytes the kernel refused now wait in uv_write: say when they are gone.
  if (r == 0 && !had_queue && writes_.queued() > 0) need_drain_ = true;
  if (r == 0 && want_shutdown_ && !in_batch_ && writes_.empty()) StartShutdown();
  return r;
}

void Connection::OnWriteDone(void* owner, int status, bool drained) {
  auto* self = static_cast<Connection*>(owner);
  if (self->closing_) return;
  self->last_activity_ = uv_now(self->data_->loop);
  if (status < 0) {
    Napi::HandleScope scope(self->Env());
    self->batch_.PushIoError(self->Env(), status, "write");
    self->Deliver();
    return;
  }
  if (!drained) return;
  if (self->want_shutdown_) self->StartShutdown();
  if (self->need_drain_ && !self->closing_) {
    self->need_drain_ = false;
    self->EmitSimple(kEvDrain);
  }
}

void Connection::StartShutdown() {
  if (shutdown_started_ || closing_) return;
  shutdown_started_ = true;
  shutdown_req_.data = this;
  if (uv_shutdown(&shutdown_req_, stream(), OnShutdownDone) < 0) CloseHandle();
}

void Connection::OnShutdownDone(uv_shutdown_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  // Node's destroySoon(): once our side is finished, the socket is destroyed
  // (END writes); a plain half-close waits for the peer's EOF instead.
  if (self->close_after_shutdown_ || self->eof_ || status < 0) self->CloseHandle();
}

void Connection::Shutdown(const Napi::CallbackInfo&) {
  if (!alive()) return;
  want_shutdown_ = true;
  if (!in_batch_ && writes_.empty()) StartShutdown();
}

// ---- lifecycle ---------------------------------------------------------------

void Connection::Close(const Napi::CallbackInfo&) { CloseHandle(); }

// reset(): socket.resetAndDestroy(). Returns 0, UV_ENOTSUP for a pipe (left
// open: Node throws ERR_INVALID_HANDLE_TYPE for it), or the error of
// uv_tcp_close_reset (EINVAL once a shutdown started), the connection then
// closing normally.
Napi::Value Connection::Reset(const Napi::CallbackInfo& info) {
  if (!initialized_ || closing_) return Napi::Number::New(info.Env(), 0);
  if (handle_.tcp.type != UV_TCP) return Napi::Number::New(info.Env(), UV_ENOTSUP);
  return Napi::Number::New(info.Env(), CloseHandle(true));
}

int Connection::CloseHandle(bool reset) {
  if (closing_ || !initialized_) return 0;
  // What JS wrote before closing leaves now, as it would have without the
  // cork (Node writes a canned 400 and destroys the socket right after);
  // what a corked socket held never leaves, as Node's corked writes do not.
  writes_.DropHeld();
  if (!writes_.cork().empty() && writes_.size() == writes_.cork().size()) writes_.Flush();
  closing_ = true;
  writes_.ClearCork();
  if (reading_) uv_read_stop(stream());
  reading_ = false;
  int r = reset ? uv_tcp_close_reset(&handle_.tcp, OnClosed) : 0;
  if (!reset || r < 0) uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClosed);
  return r;
}

void Connection::OnClosed(uv_handle_t* h) {
  auto* self = static_cast<Connection*>(h->data);
  if (!self->owner_.IsEmpty()) {
    // No JS runs once the environment is ending.
    if (!self->data_->tearing_down) {
      Napi::HandleScope scope(self->Env());
      self->batch_.PushInt(self->Env(), kEvClose);
      self->Deliver();
    }
    self->owner_.Reset();
  }
  self->data_->Untrack(self);
  // libuv has run every request's callback by now: nothing refers to this
  // any more. The wrapper keeps the counters and answers later calls itself.
  if (self->wrap_) self->wrap_->OnCoreClosed(*self);
  delete self;
}

void Connection::Pause(const Napi::CallbackInfo&) {
  paused_ = true;
  if (reading_) uv_read_stop(stream());
  reading_ = false;
}

void Connection::Resume(const Napi::CallbackInfo&) {
  paused_ = false;
  BeginReading();
}

void Connection::BeginReading() {
  if (alive() && !paused_ && !eof_ && !reading_ && mode_ >= kParserNone) {
    reading_ = uv_read_start(stream(), OnAlloc, OnRead) == 0;
  }
}

// adoptAsyncContext(resource): from now on this connection's callbacks run
// in the async context of the caller, created here: what Node's
// per-connection (server) and per-request (client) HTTP parser resources are
// (Node names both HTTPINCOMINGMESSAGE). The resource is the connection's JS
// owner or an object it keeps (ConnectionConfig says why). The previous
// context, if any, ends.
void Connection::AdoptAsyncContext(const Napi::CallbackInfo& info) {
  if (closing_) return;
  context_ = std::make_unique<Napi::AsyncContext>(info.Env(), "HTTPINCOMINGMESSAGE", info[0].As<Napi::Object>());
}

void Connection::SetParser(const Napi::CallbackInfo& info) {
  mode_ = info[0].As<Napi::Number>().Int32Value();
  if (mode_ != kParserNone && config_) ApplyConfig();
}

// The parser for mode_ with the listener's (or the client's) limits.
void Connection::ApplyConfig() {
  parser_.Init(mode_ == kParserRequest ? HTTP_REQUEST : HTTP_RESPONSE, this);
  parser_.SetLimits(config_->max_header_size, config_->lenient);
  parser_.SetMaxHeaderEntries(config_->max_header_entries);
}

// setLimits(maxHeaderSize, maxHeaderEntries, lenient): this connection's own
// limits, as Listener#setLimits.
void Connection::SetLimits(const Napi::CallbackInfo& info) {
  parser_.SetLimits(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()),
                    info[2].ToBoolean().Value());
  if (info[1].IsNumber()) parser_.SetMaxHeaderEntries(static_cast<size_t>(info[1].As<Napi::Number>().Int64Value()));
}

void Connection::ExpectNoBody(const Napi::CallbackInfo&) { parser_.ExpectNoBody(); }

void Connection::ExpectUpgrade(const Napi::CallbackInfo&) { parser_.ExpectUpgrade(); }

Napi::Value Connection::SetNoDelay(const Napi::CallbackInfo& info) {
  if (!alive() || handle_.tcp.type != UV_TCP) return Napi::Number::New(info.Env(), 0);
  return Napi::Number::New(info.Env(), uv_tcp_nodelay(&handle_.tcp, info[0].ToBoolean()));
}

Napi::Value Connection::SetKeepAlive(const Napi::CallbackInfo& info) {
  if (!alive() || handle_.tcp.type != UV_TCP) return Napi::Number::New(info.Env(), 0);
  unsigned delay = info[1].As<Napi::Number>().Uint32Value();
  return Napi::Number::New(info.Env(), uv_tcp_keepalive(&handle_.tcp, info[0].ToBoolean(), delay));
}

Napi::Value Connection::PeerName(const Napi::CallbackInfo& info) {
  if (!initialized_ || closing_ || handle_.tcp.type != UV_TCP) return Napi::Number::New(info.Env(), UV_EBADF);
  sockaddr_storage ss;
  int len = sizeof ss;
  int r = uv_tcp_getpeername(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r == 0) FillAddress(info.Env(), info[0].As<Napi::Object>(), ss);
  return Napi::Number::New(info.Env(), r);
}

Napi::Value Connection::SockName(const Napi::CallbackInfo& info) {
  if (!initialized_ || closing_ || handle_.tcp.type != UV_TCP) return Napi::Number::New(info.Env(), UV_EBADF);
  sockaddr_storage ss;
  int len = sizeof ss;
  int r = uv_tcp_getsockname(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r == 0) FillAddress(info.Env(), info[0].As<Napi::Object>(), ss);
  return Napi::Number::New(info.Env(), r);
}

Napi::Value Connection::GetWriteQueueSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(writes_.size()));
}

// Milliseconds since the message being parsed began, or -1 between messages
// (the server's headersTimeout/requestTimeout sweep reads it).
Napi::Value Connection::GetMessageAge(const Napi::CallbackInfo& info) {
  if (message_started_ == 0) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), static_cast<double>(uv_now(data_->loop) - message_started_));
}

// Milliseconds since the last read or write activity (the server's
// keep-alive sweep reads it instead of a timer per connection).
Napi::Value Connection::GetIdleAge(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(uv_now(data_->loop) - last_activity_));
}

// setRef(false) lets the process exit while this connection is open.
void Connection::SetRef(const Napi::CallbackInfo& info) {
  if (!initialized_ || closing_) return;
  auto* h = reinterpret_cast<uv_handle_t*>(&handle_);
  if (info[0].ToBoolean()) uv_ref(h); else uv_unref(h);
}

Napi::Value Connection::GetFd(const Napi::CallbackInfo& info) {
  uv_os_fd_t fd = -1;
  if (initialized_ && !closing_) uv_fileno(reinterpret_cast<uv_handle_t*>(&handle_), &fd);
  return Napi::Number::New(info.Env(), fd);
}

}  // namespace uvhttp
