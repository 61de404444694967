#include "http_parser.h"

#include "constants.h"

namespace uvhttp {

namespace {
HttpParser* Self(llhttp_t* p) { return static_cast<HttpParser*>(p->data); }
}  // namespace

HttpParser::HttpParser() : max_header_size_(kDefaultMaxHeaderSize) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = OnMessageBegin;
  settings_.on_url = OnUrl;
  settings_.on_status = OnStatus;
  settings_.on_header_field = OnHeaderField;
  settings_.on_header_value = OnHeaderValue;
  settings_.on_headers_complete = OnHeadersComplete;
  settings_.on_body = OnBody;
  settings_.on_message_complete = OnMessageComplete;
  settings_.on_header_field_complete = OnHeaderFieldComplete;
  settings_.on_header_value_complete = OnHeaderValueComplete;
  settings_.on_chunk_header = OnChunkHeader;
  settings_.on_chunk_extension_name = OnChunkExtension;
  settings_.on_chunk_extension_value = OnChunkExtension;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
}

void HttpParser::Init(llhttp_type_t type, ParserSink* sink) {
  llhttp_init(&parser_, type, &settings_);
  parser_.data = this;
  sink_ = sink;
  in_message_ = false;
  skip_body_ = false;
  upgrade_next_ = false;
  switched_away_ = false;
}

void HttpParser::SetLimits(size_t max_header_size, bool lenient) {
  max_header_size_ = max_header_size;
  // Node's insecureHTTPParser turns on llhttp's lenient modes.
  llhttp_set_lenient_headers(&parser_, lenient);
  llhttp_set_lenient_chunked_length(&parser_, lenient);
  llhttp_set_lenient_keep_alive(&parser_, lenient);
  llhttp_set_lenient_transfer_encoding(&parser_, lenient);
}

HttpParser::Result HttpParser::Execute(const char* data, size_t len, size_t* consumed) {
  *consumed = len;
  if (switched_away_) return Result::kOk;
  llhttp_errno_t err = llhttp_execute(&parser_, data, len);
  if (err == HPE_OK) return Result::kOk;
  if (err != HPE_PAUSED_UPGRADE) return ErrorFrom(err, data, len);
  if (upgrade_taken_) {
    *consumed = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
    return Result::kUpgrade;
  }
  // Nobody took the upgrade: the request was answered as an ordinary one
  // (without keep-alive, OnHeadersComplete), and llhttp stays paused. Node
  // drops the rest of this read too, but resumes llhttp for the next one.
  switched_away_ = true;
  return Result::kOk;
}

HttpParser::Result HttpParser::Finish() {
  if (switched_away_) return Result::kOk;
  llhttp_errno_t err = llhttp_finish(&parser_);
  if (err == HPE_OK || err == HPE_PAUSED_UPGRADE) return Result::kOk;
  return ErrorFrom(err, nullptr, 0);
}

HttpParser::Result HttpParser::ErrorFrom(llhttp_errno_t err, const char* data, size_t len) {
  const char* pos = llhttp_get_error_pos(&parser_);
  error_.pos = (data && pos >= data && pos <= data + len) ? static_cast<size_t>(pos - data) : 0;
  // A callback failed through Fail(): llhttp reports HPE_USER for a span
  // callback's failure, HPE_CB_* for a *_complete one's.
  if (user_code_) {
    error_.code = user_code_;
    error_.reason = user_reason_;
  } else {
    error_.code = llhttp_errno_name(err);
    const char* reason = llhttp_get_error_reason(&parser_);
    error_.reason = reason ? reason : "";
  }
  return Result::kError;
}

int HttpParser::Fail(const char* code, const char* reason) {
  user_code_ = code;
  user_reason_ = reason;
  llhttp_set_error_reason(&parser_, reason);
  return HPE_USER;
}

// Node counts URL, status text and header tokens against maxHeaderSize and
// fails with HPE_HEADER_OVERFLOW once the total reaches it (node_http_parser.cc).
int HttpParser::TrackHeaderBytes(size_t len) {
  header_bytes_ += len;
  if (header_bytes_ >= max_header_size_) return Fail("HPE_HEADER_OVERFLOW", "Header overflow");
  return 0;
}

// A token may arrive in several pieces (one per read); the *_complete
// callbacks close it, so an empty value still gets its (empty) span.
void HttpParser::AppendToken(const char* at, size_t len) {
  if (!token_open_) {
    headers_.spans.emplace_back(static_cast<uint32_t>(headers_.bytes.size()), 0);
    token_open_ = true;
  }
  headers_.bytes.append(at, len);
  headers_.spans.back().second += static_cast<uint32_t>(len);
}

int HttpParser::OnHeaderFieldComplete(llhttp_t* p) {
  HttpParser* self = Self(p);
  if (!self->token_open_) self->AppendToken("", 0);
  self->token_open_ = false;
  return 0;
}

// Node refuses a request with more header fields than maxHeadersCount as
// soon as the first one too many begins (its TrackHeaderPair; the fix of
// CVE-2026-58044 in 22.23.2, 24.18.1 and 26.5.1), in the head or in the
// trailers, rather than hiding the extra fields from req.headers while
// still framing the message by them. Responses are checked when their head
// is complete (FramingPastCount).
int HttpParser::TrackHeaderField() {
  // The entries with this field's name; its value will make them even.
  size_t entries = headers_.Count() + 1;
  if (max_header_entries_ != 0 && entries > max_header_entries_ && parser_.type == HTTP_REQUEST) {
    return Fail("HPE_HEADER_OVERFLOW", "Header overflow");
  }
  return 0;
}

namespace {
bool NameIs(const HeaderList& h, size_t i, const char* lower, size_t len) {
  if (h.Length(i) != len) return false;
  const char* name = h.Data(i);
  for (size_t k = 0; k < len; k++) {
    char c = name[k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[k]) return false;
  }
  return true;
}
}  // namespace

// A response field past the count is dropped by the client (as Node's
// client drops it); if it is one llhttp frames the body by, the body's end,
// and so where the next response begins, would follow a header the
// application never sees.
bool HttpParser::FramingPastCount() const {
  static const char kContentLength[] = "content-length";
  static const char kTransferEncoding[] = "transfer-encoding";
  // The name of the first field past max_header_entries_ entries.
  for (size_t i = (max_header_entries_ + 1) & ~static_cast<size_t>(1); i < headers_.Count(); i += 2) {
    if (NameIs(headers_, i, kContentLength, sizeof kContentLength - 1) ||
        NameIs(headers_, i, kTransferEncoding, sizeof kTransferEncoding - 1)) {
      return true;
    }
  }
  return false;
}

// kHeadHasHost and kHeadHasExpect for a request's head: one pass over the
// names here saves the server's JS two over its raw headers.
int HttpParser::RequestFieldFlags() const {
  static const char kHost[] = "host";
  static const char kExpect[] = "expect";
  int flags = 0;
  for (size_t i = 0; i < headers_.Count(); i += 2) {
    if (NameIs(headers_, i, kHost, sizeof kHost - 1)) flags |= kHeadHasHost;
    else if (NameIs(headers_, i, kExpect, sizeof kExpect - 1)) flags |= kHeadHasExpect;
  }
  return flags;
}

// Values lose trailing whitespace (RFC 9110 5.5: OWS is not part of the
// value); llhttp already skipped the leading OWS. Node does the same.
int HttpParser::OnHeaderValueComplete(llhttp_t* p) {
  HttpParser* self = Self(p);
  OnHeaderFieldComplete(p);
  auto& span = self->headers_.spans.back();
  while (span.second > 0) {
    char c = self->headers_.bytes[span.first + span.second - 1];
    if (c != ' ' && c != '\t') break;
    span.second--;
  }
  return 0;
}

int HttpParser::OnChunkHeader(llhttp_t* p) {
  Self(p)->chunk_ext_bytes_ = 0;
  return 0;
}

int HttpParser::OnMessageBegin(llhttp_t* p) {
  HttpParser* self = Self(p);
  self->url_.clear();
  self->headers_.Clear();
  self->token_open_ = false;
  self->upgrade_taken_ = false;
  self->in_message_ = true;
  self->sink_->OnMessageBegin();
  self->header_bytes_ = 0;
  self->chunk_ext_bytes_ = 0;
  self->user_code_ = nullptr;
  return 0;
}

int HttpParser::OnUrl(llhttp_t* p, const char* at, size_t len) {
  HttpParser* self = Self(p);
  if (int rv = self->TrackHeaderBytes(len)) return rv;
  self->url_.append(at, len);
  return 0;
}

int HttpParser::OnStatus(llhttp_t* p, const char* at, size_t len) {
  return OnUrl(p, at, len);
}

int HttpParser::OnHeaderField(llhttp_t* p, const char* at, size_t len) {
  HttpParser* self = Self(p);
  if (int rv = self->TrackHeaderBytes(len)) return rv;
  if (!self->token_open_) {
    if (int rv = self->TrackHeaderField()) return rv;
  }
  self->AppendToken(at, len);
  return 0;
}

int HttpParser::OnHeaderValue(llhttp_t* p, const char* at, size_t len) {
  HttpParser* self = Self(p);
  if (int rv = self->TrackHeaderBytes(len)) return rv;
  self->AppendToken(at, len);
  return 0;
}

int HttpParser::OnHeadersComplete(llhttp_t* p) {
  HttpParser* self = Self(p);
  if (self->max_header_entries_ != 0 && p->type == HTTP_RESPONSE &&
      self->headers_.Count() > self->max_header_entries_ && self->FramingPastCount()) {
    return self->Fail("HPE_HEADER_OVERFLOW", "Header overflow");
  }
  int flags = 0;
  if (llhttp_should_keep_alive(p)) flags |= kHeadKeepAlive;
  if (p->flags & F_CHUNKED) flags |= kHeadChunked;
  if (p->flags & (F_CHUNKED | F_CONTENT_LENGTH)) flags |= kHeadHasLength;
  if (p->type == HTTP_REQUEST) flags |= self->RequestFieldFlags();
  bool upgrade = false;
  bool tunnel = false;
  if (self->upgrade_next_ && p->type == HTTP_RESPONSE) {
    // The answer to CONNECT: returning 2 below makes llhttp skip the body
    // and stop after this head as for an upgrade.
    self->upgrade_next_ = false;
    self->skip_body_ = false;
    upgrade = tunnel = true;
    flags |= kHeadUpgrade;
    self->upgrade_taken_ = true;
  } else if (p->upgrade) {
    upgrade = (p->type == HTTP_REQUEST && p->method == HTTP_CONNECT) ||
              p->type == HTTP_RESPONSE || self->sink_->WantUpgrade();
    // Not wanted: an ordinary request, but the last one of this stream
    // (llhttp pauses after it and Execute parses no more), so its response
    // must not promise keep-alive.
    flags = upgrade ? flags | kHeadUpgrade : flags & ~kHeadKeepAlive;
    self->upgrade_taken_ = upgrade;
  }
  HeadInfo head{p->method, p->status_code, &self->url_, &self->headers_,
                p->http_major, p->http_minor, flags};
  self->sink_->OnHead(head);
  self->headers_.Clear();
  self->token_open_ = false;
  self->header_bytes_ = 0;
  // A request that leaves the parser has no body here: what follows its head
  // is the new protocol's (Node's parserOnIncoming returns 2 for it, so an
  // upgrade with Content-Length hands those bytes over in `head`).
  if (tunnel || (upgrade && p->type == HTTP_REQUEST)) return 2;
  // Every 1xx answer but 101 ends at its head (RFC 9110 15.2), whatever
  // framing headers it carries; llhttp knows that only of 100, 102 and 103.
  // Node's client skips such a body too, so the bytes after the head are the
  // next answer (found by test/fuzz/response_fuzz.cc). A HEAD's final answer
  // may follow interim ones: its flag stays for it.
  int status = p->status_code;
  if (p->type == HTTP_RESPONSE && status >= 100 && status < 200 && status != 101) return 1;
  if (self->skip_body_) {
    // 101 ends HTTP on this connection.
    self->skip_body_ = false;
    return upgrade ? 2 : 1;
  }
  return 0;
}

int HttpParser::OnBody(llhttp_t* p, const char* at, size_t len) {
  Self(p)->sink_->OnBody(at, len);
  return 0;
}

int HttpParser::OnMessageComplete(llhttp_t* p) {
  HttpParser* self = Self(p);
  self->in_message_ = false;
  self->sink_->OnMessageEnd(self->headers_.Count() ? &self->headers_ : nullptr);
  self->headers_.Clear();
  self->token_open_ = false;
  return 0;
}

int HttpParser::OnChunkExtension(llhttp_t* p, const char* at, size_t len) {
  HttpParser* self = Self(p);
  (void)at;
  self->chunk_ext_bytes_ += len;
  if (self->chunk_ext_bytes_ > kMaxChunkExtensionsSize)
    return self->Fail("HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow");
  return 0;
}

}  // namespace uvhttp
