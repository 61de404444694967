#include "standalone_parser.h"

namespace uvhttp {

Napi::Function Parser::Define(Napi::Env env) {
  return DefineClass(env, "Parser", {
    InstanceMethod<&Parser::Execute>("execute"),
    InstanceMethod<&Parser::Finish>("finish"),
    InstanceMethod<&Parser::SetLimits>("setLimits"),
    InstanceAccessor<&Parser::GetMessageAge>("messageAge"),
    InstanceAccessor<&Parser::GetHeadersComplete>("headersComplete"),
  });
}

Parser::Parser(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<Parser>(info),
      data_(info.Env().GetInstanceData<AddonData>()),
      batch_(&data_->names) {
  parser_.Init(HTTP_REQUEST, this);
  // As Connection::Start: headersTimeout also covers a socket that has sent
  // nothing yet (Node starts the clock when the parser is initialised).
  OnMessageBegin();
}

// execute(chunk, wantUpgrade): parses one chunk of the socket and returns the
// batch it produced, or undefined when it produced nothing. wantUpgrade says
// whether the server listens for 'upgrade' now (the engine's listener keeps
// the same flag up to date for its own connections).
Napi::Value Parser::Execute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // JS validates the argument (lib/server/js-connection.ts); here it is an invariant.
  if (state_ != State::kParsing || !info[0].IsTypedArray()) return env.Undefined();
  want_upgrade_ = info[1].ToBoolean().Value();
  Napi::TypedArray chunk = info[0].As<Napi::TypedArray>();
  const char* data = static_cast<const char*>(chunk.ArrayBuffer().Data()) + chunk.ByteOffset();
  size_t len = chunk.ByteLength();
  env_ = env;
  size_t consumed = 0;
  switch (parser_.Execute(data, len, &consumed)) {
    case HttpParser::Result::kOk:
      break;
    case HttpParser::Result::kUpgrade:
      // The rest of this chunk is the new protocol's: it becomes `head`.
      state_ = State::kDone;
      if (consumed < len) {
        batch_.PushBytes(env, kEvData, data + consumed, len - consumed);
      }
      break;
    case HttpParser::Result::kError:
      state_ = State::kDone;
      batch_.PushParseError(env, parser_.error(), parser_.error().pos, data, len);
      break;
  }
  return Napi::Value(env_, TakeBatch());
}

// finish(): the socket ended. Completes a close-delimited message or reports a
// truncated one, then EOF, as Connection::HandleEof does.
Napi::Value Parser::Finish(const Napi::CallbackInfo& info) {
  env_ = info.Env();
  if (state_ == State::kParsing && parser_.Finish() == HttpParser::Result::kError) {
    batch_.PushParseError(env_, parser_.error(), 0, nullptr, 0);
  }
  state_ = State::kDone;
  batch_.PushInt(env_, kEvEof);
  return Napi::Value(env_, TakeBatch());
}

// setLimits(maxHeaderSize, maxHeaderEntries, lenient): as Listener#setLimits.
void Parser::SetLimits(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) return;
  parser_.SetLimits(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()),
                    info[2].ToBoolean().Value());
  parser_.SetMaxHeaderEntries(info[1].IsNumber() ? static_cast<size_t>(info[1].As<Napi::Number>().Int64Value()) : 0);
}

Napi::Value Parser::GetMessageAge(const Napi::CallbackInfo& info) {
  if (message_started_ == 0) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), static_cast<double>(uv_now(data_->loop) - message_started_));
}

Napi::Value Parser::GetHeadersComplete(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), headers_complete_);
}

// ---- ParserSink: the same records as connection.cc's (native/batch.h) ----------

void Parser::OnMessageBegin() {
  message_started_ = uv_now(data_->loop);
  if (message_started_ == 0) message_started_ = 1;
  headers_complete_ = false;
}

void Parser::OnHead(const HeadInfo& head) {
  headers_complete_ = true;
  batch_.PushHead(env_, head.method, head);
}

void Parser::OnBody(const char* data, size_t len) {
  // Copied: the chunk belongs to the socket's producer, which may reuse it.
  batch_.PushBytes(env_, kEvBody, data, len);
}

void Parser::OnMessageEnd(const HeaderList* trailers) {
  message_started_ = 0;
  batch_.PushEnd(env_, trailers);
}

napi_value Parser::TakeBatch() {
  if (batch_.empty()) {
    napi_value undefined;
    napi_get_undefined(env_, &undefined);
    return undefined;
  }
  return batch_.TakeArray(env_);
}

}  // namespace uvhttp
