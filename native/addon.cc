// Module init: registers the classes and constants, nothing else.
#include <napi.h>

#include <cstring>
#include <string>

#include "addon_data.h"
#include "connection_wrap.h"
#include "listener.h"
#include "standalone_parser.h"

namespace uvhttp {

// ---- helpers shared by the classes -------------------------------------------

NameCache::~NameCache() {
  if (!env_) return;
  for (Entry& e : entries_) {
    if (e.ref) napi_delete_reference(env_, e.ref);
  }
}

napi_value NameCache::Get(napi_env env, const char* data, size_t len) {
  napi_value v;
  if (len == 0 || len > 64) {
    napi_create_string_latin1(env, data, len, &v);
    return v;
  }
  env_ = env;
  uint32_t h = 2166136261u;  // FNV-1a
  for (size_t i = 0; i < len; i++) h = (h ^ static_cast<uint8_t>(data[i])) * 16777619u;
  size_t mask = entries_.size() - 1;
  for (size_t i = h & mask, probes = 0; probes < 8; i = (i + 1) & mask, probes++) {
    Entry& e = entries_[i];
    if (!e.ref) {
      napi_create_string_latin1(env, data, len, &v);
      if (used_ < entries_.size() / 2) {
        e.name.assign(data, len);
        napi_create_reference(env, v, 1, &e.ref);
        used_++;
      }
      return v;
    }
    if (e.name.size() == len && std::memcmp(e.name.data(), data, len) == 0) {
      napi_get_reference_value(env, e.ref, &v);
      return v;
    }
  }
  napi_create_string_latin1(env, data, len, &v);
  return v;
}

void AddonData::Untrack(LoopHandle* h) {
  handles.erase(h);
  if (tearing_down && handles.empty() && teardown) {
    napi_async_cleanup_hook_handle done = teardown;
    teardown = nullptr;
    napi_remove_async_cleanup_hook(done);
  }
}

napi_value CallIntoJs(Napi::Env env, const Napi::FunctionReference& fn, napi_value recv,
                      std::initializer_list<napi_value> args, napi_async_context ctx) {
  return CallIntoJs(env, fn, recv, args.size(), args.begin(), ctx);
}

napi_value CallIntoJs(Napi::Env env, const Napi::FunctionReference& fn, napi_value recv,
                      size_t argc, const napi_value* argv, napi_async_context ctx) {
  napi_value result = nullptr;
  napi_status st = napi_make_callback(env, ctx, recv, fn.Value(), argc, argv, &result);
  if (st != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
    return nullptr;
  }
  return result;
}

namespace {

// setup({ onConnection, onBatch }): the JS side's entry points, once per env.
void Setup(const Napi::CallbackInfo& info) {
  AddonData* d = info.Env().GetInstanceData<AddonData>();
  Napi::Object h = info[0].As<Napi::Object>();
  d->on_connection = Napi::Persistent(h.Get("onConnection").As<Napi::Function>());
  d->on_batch = Napi::Persistent(h.Get("onBatch").As<Napi::Function>());
}

// connect(owner, kind, host, port, localAddress | null): a client connection.
// Resolution happened in JS (dns.lookup), so host is a literal address;
// kind 0 makes host the path of a Unix domain socket (port is ignored).
Napi::Value Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* d = env.GetInstanceData<AddonData>();
  Napi::Object owner = info[0].As<Napi::Object>();
  int kind = info[1].As<Napi::Number>().Int32Value();
  std::string host = info[2].As<Napi::String>().Utf8Value();
  if (kind == 0) {
    Napi::Object wrapper = d->connection_ctor.New({});
    Connection* conn = ConnectionWrap::Unwrap(wrapper)->core();
    conn->Start(owner, std::make_shared<ConnectionConfig>(env, "HTTPCLIENTREQUEST", owner), kParserResponse);
    int r = conn->ConnectPipe(host.c_str());
    if (r < 0) return Napi::Number::New(env, r);
    return wrapper;
  }
  int port = info[3].As<Napi::Number>().Int32Value();
  sockaddr_storage addr, local;
  bool has_local = info[4].IsString();
  int r = kind == 6 ? uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr))
                    : uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (r == 0 && has_local) {
    std::string l = info[4].As<Napi::String>().Utf8Value();
    r = kind == 6 ? uv_ip6_addr(l.c_str(), 0, reinterpret_cast<sockaddr_in6*>(&local))
                  : uv_ip4_addr(l.c_str(), 0, reinterpret_cast<sockaddr_in*>(&local));
  }
  if (r < 0) return Napi::Number::New(env, r);
  Napi::Object wrapper = d->connection_ctor.New({});
  Connection* conn = ConnectionWrap::Unwrap(wrapper)->core();
  conn->Start(owner, std::make_shared<ConnectionConfig>(env, "HTTPCLIENTREQUEST", owner), kParserResponse);
  r = conn->Connect(reinterpret_cast<sockaddr*>(&addr),
                    has_local ? reinterpret_cast<sockaddr*>(&local) : nullptr);
  if (r < 0) return Napi::Number::New(env, r);
  return wrapper;
}

// activeHandles(): the libuv type of each handle that keeps the loop alive
// (active and referenced), Node's and the engine's alike. Node's own
// process.getActiveResourcesInfo() cannot see the engine's sockets; the test
// suite names them from here when a run does not exit (test/helpers/open-handles.js).
Napi::Value ActiveHandles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<const char*> types;
  uv_walk(env.GetInstanceData<AddonData>()->loop, [](uv_handle_t* h, void* arg) {
    if (uv_is_active(h) && uv_has_ref(h) && !uv_is_closing(h)) {
      static_cast<std::vector<const char*>*>(arg)->push_back(uv_handle_type_name(h->type));
    }
  }, &types);
  Napi::Array out = Napi::Array::New(env, types.size());
  for (size_t i = 0; i < types.size(); i++) out.Set(static_cast<uint32_t>(i), types[i]);
  return out;
}

// liveConnections(): connection cores not yet freed (tests check that a
// closed connection's native state goes at close, not at GC).
Napi::Value LiveConnections(const Napi::CallbackInfo& info) {
  AddonData* d = info.Env().GetInstanceData<AddonData>();
  return Napi::Number::New(info.Env(), static_cast<double>(d->live_connections));
}

// The environment is ending: close every handle still open (their close
// callbacks call Untrack); Node runs the loop until the hook is removed.
void OnTeardown(napi_async_cleanup_hook_handle hook, void* arg) {
  auto* d = static_cast<AddonData*>(arg);
  d->tearing_down = true;
  if (d->handles.empty()) {
    napi_remove_async_cleanup_hook(hook);
    return;
  }
  d->teardown = hook;
  std::vector<LoopHandle*> open(d->handles.begin(), d->handles.end());
  for (LoopHandle* h : open) h->CloseForTeardown();
}

Napi::Array Methods(Napi::Env env) {
  Napi::Array names = Napi::Array::New(env);
#define UVHTTP_METHOD(num, name, string) names.Set(static_cast<uint32_t>(num), #string);
  HTTP_METHOD_MAP(UVHTTP_METHOD)
#undef UVHTTP_METHOD
  return names;
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define UVHTTP_CONST(name) c.Set(#name, Napi::Number::New(env, name));
  UVHTTP_CONST(kEvHead) UVHTTP_CONST(kEvBody) UVHTTP_CONST(kEvEnd) UVHTTP_CONST(kEvParseError)
  UVHTTP_CONST(kEvEof) UVHTTP_CONST(kEvDrain) UVHTTP_CONST(kEvIoError) UVHTTP_CONST(kEvData)
  UVHTTP_CONST(kEvClose) UVHTTP_CONST(kEvConnect)
  UVHTTP_CONST(kHeadKeepAlive) UVHTTP_CONST(kHeadUpgrade) UVHTTP_CONST(kHeadChunked)
  UVHTTP_CONST(kHeadHasLength) UVHTTP_CONST(kHeadHasHost) UVHTTP_CONST(kHeadHasExpect)
  UVHTTP_CONST(kWriteUtf8) UVHTTP_CONST(kWriteEnd) UVHTTP_CONST(kWriteMore)
  UVHTTP_CONST(kWriteHold)
  UVHTTP_CONST(kParserNone) UVHTTP_CONST(kParserRequest) UVHTTP_CONST(kParserResponse)
  UVHTTP_CONST(kDefaultMaxHeaderSize)
#undef UVHTTP_CONST
  return c;
}

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  napi_get_uv_event_loop(env, &data->loop);
  env.SetInstanceData(data);  // deleted with the environment
  napi_add_async_cleanup_hook(env, OnTeardown, data, nullptr);

  Napi::Function connection = ConnectionWrap::Define(env);
  data->connection_ctor = Napi::Persistent(connection);
  exports.Set("Connection", connection);
  exports.Set("Listener", Listener::Define(env));
  exports.Set("Parser", Parser::Define(env));
  exports.Set("setup", Napi::Function::New<Setup>(env, "setup"));
  exports.Set("connect", Napi::Function::New<Connect>(env, "connect"));
  exports.Set("activeHandles", Napi::Function::New<ActiveHandles>(env, "activeHandles"));
  exports.Set("liveConnections", Napi::Function::New<LiveConnections>(env, "liveConnections"));
  exports.Set("METHODS", Methods(env));
  exports.Set("constants", Constants(env));
  Napi::Object versions = Napi::Object::New(env);
  versions.Set("llhttp", std::to_string(LLHTTP_VERSION_MAJOR) + "." +
                         std::to_string(LLHTTP_VERSION_MINOR) + "." +
                         std::to_string(LLHTTP_VERSION_PATCH));
  exports.Set("versions", versions);
  return exports;
}

}  // namespace
}  // namespace uvhttp

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  return uvhttp::InitAddon(env, exports);
}
NODE_API_MODULE(NODE_GYP_MODULE_NAME, Init)
