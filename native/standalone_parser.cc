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
    : Napi::ObjectWrap<Parser>(info), data_(info.Env().GetInstanceData<AddonData>()) {
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
  // JS validates the argument (lib/js-connection.ts); here it is an invariant.
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
        PushInt(kEvData);
        Push(Napi::Buffer<char>::Copy(env, data + consumed, len - consumed));
      }
      break;
    case HttpParser::Result::kError:
      state_ = State::kDone;
      PushParseError(data, len, parser_.error().pos);
      break;
  }
  return Napi::Value(env_, TakeBatch());
}

// finish(): the socket ended. Completes a close-delimited message or reports a
// truncated one, then EOF, as Connection::HandleEof does.
Napi::Value Parser::Finish(const Napi::CallbackInfo& info) {
  env_ = info.Env();
  if (state_ == State::kParsing && parser_.Finish() == HttpParser::Result::kError) {
    PushParseError(nullptr, 0, 0);
  }
  state_ = State::kDone;
  PushInt(kEvEof);
  return Napi::Value(env_, TakeBatch());
}

// setLimits(maxHeaderSize, maxHeadersCount, lenient): as Listener#setLimits
// (the header count is applied in JS, as for the engine's connections).
void Parser::SetLimits(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) return;
  parser_.SetLimits(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()),
                    info[2].ToBoolean().Value());
}

Napi::Value Parser::GetMessageAge(const Napi::CallbackInfo& info) {
  if (message_started_ == 0) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), static_cast<double>(uv_now(data_->loop) - message_started_));
}

Napi::Value Parser::GetHeadersComplete(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), headers_complete_);
}

// ---- ParserSink: the records of connection.cc, slot for slot ------------------

void Parser::OnMessageBegin() {
  message_started_ = uv_now(data_->loop);
  if (message_started_ == 0) message_started_ = 1;
  headers_complete_ = false;
}

void Parser::OnHead(const HeadInfo& head) {
  headers_complete_ = true;
  napi_value text;
  napi_create_string_latin1(env_, head.url_or_reason->data(), head.url_or_reason->size(), &text);
  PushInt(kEvHead);
  PushInt(head.method);
  Push(text);
  Push(HeaderArray(*head.headers));
  PushInt(head.major);
  PushInt(head.minor);
  PushInt(head.flags);
}

void Parser::OnBody(const char* data, size_t len) {
  // Copied: the chunk belongs to the socket's producer, which may reuse it.
  PushInt(kEvBody);
  Push(Napi::Buffer<char>::Copy(env_, data, len));
}

void Parser::OnMessageEnd(const HeaderList* trailers) {
  message_started_ = 0;
  PushInt(kEvEnd);
  if (trailers) {
    Push(HeaderArray(*trailers));
  } else {
    napi_value null;
    napi_get_null(env_, &null);
    Push(null);
  }
}

void Parser::PushParseError(const char* data, size_t len, size_t pos) {
  const ParseError& e = parser_.error();
  napi_value code, reason, raw;
  napi_create_string_utf8(env_, e.code, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env_, e.reason.data(), e.reason.size(), &reason);
  if (data) {
    raw = Napi::Buffer<char>::Copy(env_, data, len);
  } else {
    napi_get_undefined(env_, &raw);
  }
  PushInt(kEvParseError);
  Push(code);
  Push(reason);
  PushInt(static_cast<int32_t>(pos));
  Push(raw);
}

napi_value Parser::HeaderArray(const HeaderList& list) {
  size_t n = list.Count();
  napi_value arr;
  napi_create_array_with_length(env_, n, &arr);
  for (size_t i = 0; i < n; i++) {
    napi_value v;
    if (i % 2 == 0) {
      v = data_->names.Get(env_, list.Data(i), list.Length(i));
    } else {
      napi_create_string_latin1(env_, list.Data(i), list.Length(i), &v);
    }
    napi_set_element(env_, arr, static_cast<uint32_t>(i), v);
  }
  return arr;
}

void Parser::Push(napi_value v) {
  if (!batch_) napi_create_array(env_, &batch_);
  napi_set_element(env_, batch_, batch_len_++, v);
}

void Parser::PushInt(int32_t v) {
  napi_value n;
  napi_create_int32(env_, v, &n);
  Push(n);
}

napi_value Parser::TakeBatch() {
  napi_value batch = batch_;
  batch_ = nullptr;
  batch_len_ = 0;
  if (!batch) napi_get_undefined(env_, &batch);
  return batch;
}

}  // namespace uvhttp
