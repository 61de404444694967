// Connection: one socket the engine owns (accepted by a Listener or connected
// as a client). It runs the read loop, feeds llhttp through HttpParser, turns
// everything one read produced into one batch for JS (DESIGN.md #1), and
// writes through a WriteQueue. JS holds it through a ConnectionWrap
// (connection_wrap.h); the Connection itself is deleted in libuv's close
// callback, so a closed socket's parser, queue and buffers go at once rather
// than when the garbage collector finds the wrapper (issue 12.4).
#ifndef UVHTTP_CONNECTION_H_
#define UVHTTP_CONNECTION_H_

#include <napi.h>
#include <uv.h>

#include <memory>

#include "addon_data.h"
#include "batch.h"
#include "http_parser.h"
#include "write_queue.h"

namespace uvhttp {

// Settings a Listener shares with the connections it accepted (they may
// outlive it), plus the async context their callbacks run in.
//
// The resource of every async context is an object held strongly anyway: a
// listener's own wrapper (referenced while its handle is open), a
// connection's JS owner (owner_) or an object that owner keeps (the client
// connection behind a connect attempt). Node-API holds a resource only
// weakly, and on Node 20 and 22, where AsyncLocalStorage keeps its stores on
// the resource, a collected resource took the stores with it (callbacks
// then saw getStore() === undefined).
struct ConnectionConfig {
  ConnectionConfig(Napi::Env env, const char* type, Napi::Object resource)
      : async_context(env, type, resource) {}
  Napi::AsyncContext async_context;
  bool want_upgrade = false;
  size_t max_header_size = kDefaultMaxHeaderSize;
  size_t max_header_entries = 0;  // Node's parser.maxHeaderPairs; 0: no limit
  bool lenient = false;
};

class ConnectionWrap;

class Connection : public ParserSink, public LoopHandle, public WriteTransport {
 public:
  Connection(Napi::Env env, ConnectionWrap* wrap);
  ~Connection() override;
  Napi::Env Env() const { return Napi::Env(env_); }
  // The wrapper was collected first: nothing to tell it at close.
  void DetachWrap() { wrap_ = nullptr; }
  // Whether a uv handle exists (then the close callback deletes this).
  bool initialized() const { return initialized_; }
  size_t bytes_read() const { return bytes_read_; }
  size_t bytes_written() const { return writes_.bytes_written(); }
  bool headers_complete() const { return headers_complete_; }

  // Accepts a pending connection of server into a new handle (TCP or pipe).
  int Accept(uv_stream_t* server, bool pipe);
  // Takes over fd, a connected socket accepted elsewhere (by cluster's
  // primary). On failure the caller still owns fd.
  int Open(uv_os_sock_t fd, bool pipe);
  // Opens a client TCP connection; the outcome arrives as a CONNECT event.
  int Connect(const struct sockaddr* addr, const struct sockaddr* local);
  // Opens a client connection to a Unix domain socket (or Windows named
  // pipe); the outcome, errors included, arrives as a CONNECT event.
  int ConnectPipe(const char* path);
  // Binds the JS owner (receiver of onBatch) and starts reading.
  void Start(Napi::Object owner, std::shared_ptr<ConnectionConfig> config, int mode);
  // Starts the read loop unless JS paused or closed the connection meanwhile.
  void BeginReading();
  void Destroy() { CloseHandle(); }
  void CloseForTeardown() override { CloseHandle(); }

  // ParserSink
  bool WantUpgrade() override { return config_->want_upgrade; }
  void OnMessageBegin() override;
  void OnHead(const HeadInfo& head) override;
  void OnBody(const char* data, size_t len) override;
  void OnMessageEnd(const HeaderList* trailers) override;

  // WriteTransport: the socket's side of writes_.
  int TryWrite(const uv_buf_t* bufs, unsigned nbufs) override { return uv_try_write(stream(), bufs, nbufs); }
  int StartWrite(uv_write_t* req, const uv_buf_t* buf) override {
    return uv_write(req, stream(), buf, 1, WriteQueue::OnWritten);
  }

  // JS methods (lib/engine/binding.ts NativeConnection), reached through
  // ConnectionWrap while this object lives.
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  void Pause(const Napi::CallbackInfo& info);
  void Resume(const Napi::CallbackInfo& info);
  void Shutdown(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  void SetParser(const Napi::CallbackInfo& info);
  void SetLimits(const Napi::CallbackInfo& info);
  void ExpectNoBody(const Napi::CallbackInfo& info);
  void ExpectUpgrade(const Napi::CallbackInfo& info);
  Napi::Value SetNoDelay(const Napi::CallbackInfo& info);
  Napi::Value SetKeepAlive(const Napi::CallbackInfo& info);
  Napi::Value PeerName(const Napi::CallbackInfo& info);
  Napi::Value SockName(const Napi::CallbackInfo& info);
  Napi::Value GetWriteQueueSize(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetMessageAge(const Napi::CallbackInfo& info);
  Napi::Value GetIdleAge(const Napi::CallbackInfo& info);
  void SetRef(const Napi::CallbackInfo& info);
  void AdoptAsyncContext(const Napi::CallbackInfo& info);

 private:
  // libuv callbacks
  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnClosed(uv_handle_t* h);
  static void OnShutdownDone(uv_shutdown_t* req, int status);
  static void OnConnected(uv_connect_t* req, int status);
  static void OnWriteDone(void* self, int status, bool drained);

  // Creates the libuv handle (TCP or pipe); the connection lives until it closes.
  int InitHandle(bool pipe);
  void HandleRead(const char* data, size_t len);
  void HandleEof();
  void Parse(const char* data, size_t len);
  void StartShutdown();
  void ApplyConfig();
  // reset: close with a TCP RST (SO_LINGER 0) instead of a FIN; returns
  // what uv_tcp_close_reset said (the handle closes either way).
  int CloseHandle(bool reset = false);
  int FlushWrites(const char* extra = nullptr, size_t extra_len = 0);

  // Records are appended to batch_ and sent in one call (Deliver).
  void EmitSimple(int kind);
  void Deliver();

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }
  bool alive() const { return started_ && !closing_; }

  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_;
  uv_shutdown_t shutdown_req_;
  uv_connect_t connect_req_;
  napi_env env_;
  ConnectionWrap* wrap_;  // null once the wrapper is collected
  AddonData* data_;
  std::shared_ptr<ConnectionConfig> config_;
  // The context of this connection's callbacks when it has one of its own
  // (AdoptAsyncContext); config_'s otherwise.
  std::unique_ptr<Napi::AsyncContext> context_;
  Napi::ObjectReference owner_;
  HttpParser parser_;
  WriteQueue writes_;
  int mode_ = 0;
  bool initialized_ = false;    // the uv handle exists
  bool started_ = false;
  bool reading_ = false;
  bool paused_ = false;
  bool closing_ = false;
  bool in_batch_ = false;
  bool want_shutdown_ = false;
  bool shutdown_started_ = false;
  bool close_after_shutdown_ = false;
  bool need_drain_ = false;
  bool eof_ = false;
  size_t bytes_read_ = 0;
  // Loop time (ms) when the message being parsed began; 0 between messages.
  uint64_t message_started_ = 0;
  // Loop time (ms) of the last read or write.
  uint64_t last_activity_ = 0;
  bool headers_complete_ = false;
  // The batch being assembled (valid inside the HandleScope of one callback).
  Batch batch_;
  const char* read_data_ = nullptr;  // the current read, for rawPacket
  size_t read_len_ = 0;
};

}  // namespace uvhttp

#endif  // UVHTTP_CONNECTION_H_
