// Parser: the engine's HttpParser for a socket the application owns (a TLS
// socket, a net.Socket or any Duplex given to server.emit('connection'), or
// the socket a client request got from createConnection or another agent).
// There is no libuv handle here: JS feeds it the socket's chunks and gets back
// the very batch records a Connection delivers for its own sockets
// (native/constants.h EventKind, lib/engine/constants.ts Ev), so one decoder
// (lib/server/server-connection.ts) serves both, with the same limits, the same
// errors and the same upgrade rule (DESIGN.md "Where a socket leaves the
// engine").
#ifndef UVHTTP_STANDALONE_PARSER_H_
#define UVHTTP_STANDALONE_PARSER_H_

#include <napi.h>

#include <cstdint>

#include "addon_data.h"
#include "batch.h"
#include "http_parser.h"

namespace uvhttp {

class Parser : public Napi::ObjectWrap<Parser>, public ParserSink {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Parser(const Napi::CallbackInfo& info);

  // ParserSink
  bool WantUpgrade() override { return want_upgrade_; }
  void OnMessageBegin() override;
  void OnHead(const HeadInfo& head) override;
  void OnBody(const char* data, size_t len) override;
  void OnMessageEnd(const HeaderList* trailers) override;

 private:
  // JS methods (lib/engine/binding.ts NativeParser)
  Napi::Value Execute(const Napi::CallbackInfo& info);
  Napi::Value Finish(const Napi::CallbackInfo& info);
  void SetLimits(const Napi::CallbackInfo& info);
  void ExpectNoBody(const Napi::CallbackInfo& info);
  void ExpectUpgrade(const Napi::CallbackInfo& info);
  Napi::Value GetMessageAge(const Napi::CallbackInfo& info);
  Napi::Value GetHeadersComplete(const Napi::CallbackInfo& info);

  napi_value TakeBatch();

  // kParsing until the request stream leaves HTTP (upgrade, CONNECT), breaks
  // (a parse error) or ends (finish): then input is ignored, as the engine
  // never parses such a connection again.
  enum class State { kParsing, kDone };

  AddonData* data_;
  HttpParser parser_;
  State state_ = State::kParsing;
  bool want_upgrade_ = false;
  bool response_ = false;  // parses responses (a client's), not requests
  // Loop time (ms) when the message being parsed began; 0 between messages.
  uint64_t message_started_ = 0;
  bool headers_complete_ = false;
  // The batch being assembled by the current execute()/finish() call.
  napi_env env_ = nullptr;
  Batch batch_;
};

}  // namespace uvhttp

#endif  // UVHTTP_STANDALONE_PARSER_H_
