// Per-environment state of the addon (no statics holding JS values): class
// constructors, the JS handlers native calls into, the shared read buffer and
// the cache of interned header-name strings.
#ifndef UVHTTP_ADDON_DATA_H_
#define UVHTTP_ADDON_DATA_H_

#include <napi.h>
#include <uv.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "constants.h"

namespace uvhttp {

// Header names seen on the wire, as JS strings created once (DESIGN.md #3).
// Open addressing on the exact bytes (case matters: rawHeaders keeps it);
// bounded, so hostile peers cannot grow it: when full, names are created anew.
class NameCache {
 public:
  explicit NameCache(size_t slots = 1024) : entries_(slots) {}
  ~NameCache();
  napi_value Get(napi_env env, const char* data, size_t len);

 private:
  struct Entry { std::string name; napi_ref ref = nullptr; };
  std::vector<Entry> entries_;
  size_t used_ = 0;
  napi_env env_ = nullptr;
};

// Owner of a libuv handle on the environment's loop (Connection, Listener).
class LoopHandle {
 public:
  // Closes the handle without calling into JS: the environment is ending.
  virtual void CloseForTeardown() = 0;

 protected:
  ~LoopHandle() = default;
};

struct AddonData {
  uv_loop_t* loop = nullptr;
  Napi::FunctionReference connection_ctor;
  Napi::FunctionReference on_connection;  // (listenerOwner, conn) -> connection owner
  Napi::FunctionReference on_batch;       // this = connection owner, (batch)
  NameCache names;
  // Reads are handled one at a time on the loop thread, so one buffer serves
  // every connection; a read that arrives while it is in use gets its own.
  std::unique_ptr<char[]> read_buffer{new char[kReadBufferSize]};
  bool read_buffer_busy = false;
  // Connection cores in existence (binding.liveConnections(), for tests): a
  // closed connection frees its core in the close callback, not at GC.
  size_t live_connections = 0;

  // Handles from uv_*_init to their close callback. When the environment ends
  // (a Worker stops, the main thread exits) an async cleanup hook closes them
  // and holds the teardown until their close callbacks ran: libuv must not
  // see the loop closed, nor the wrappers freed, with one still open.
  std::unordered_set<LoopHandle*> handles;
  bool tearing_down = false;
  napi_async_cleanup_hook_handle teardown = nullptr;
  void Track(LoopHandle* h) { handles.insert(h); }
  // From a close callback; the last one during teardown releases the hook.
  void Untrack(LoopHandle* h);
};

// Calls fn with recv inside the async context, draining the task queues once
// afterwards; an exception thrown by JS goes to 'uncaughtException' as it
// would from Node's own callbacks. Returns the result (empty on exception).
napi_value CallIntoJs(Napi::Env env, const Napi::FunctionReference& fn, napi_value recv,
                      std::initializer_list<napi_value> args, napi_async_context ctx);
napi_value CallIntoJs(Napi::Env env, const Napi::FunctionReference& fn, napi_value recv,
                      size_t argc, const napi_value* argv, napi_async_context ctx);

}  // namespace uvhttp

#endif  // UVHTTP_ADDON_DATA_H_
