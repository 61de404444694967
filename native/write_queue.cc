#include "write_queue.h"

#include <cstdlib>
#include <cstring>

namespace uvhttp {

namespace {
// uv_buf_init without the call into libuv (the fuzzer links no libuv).
uv_buf_t Buf(const char* base, size_t len) {
  uv_buf_t b;
  b.base = const_cast<char*>(base);
  b.len = len;
  return b;
}
}  // namespace

struct WriteQueue::Request {
  uv_write_t req;
  WriteQueue* queue;
  size_t len;
  char data[1];  // len bytes follow
};

int WriteQueue::Flush(const char* extra, size_t extra_len) {
  uv_buf_t bufs[2];
  unsigned n = 0;
  if (!cork_.empty()) bufs[n++] = Buf(cork_.data(), cork_.size());
  if (extra_len) bufs[n++] = Buf(extra, extra_len);
  held_from_ = kNothingHeld;
  if (n == 0) return 0;
  size_t total = cork_.size() + extra_len;

  size_t sent = 0;
  // Only when nothing is queued may bytes jump the queue with try_write.
  if (queued_ == 0) {
    int r = transport_->TryWrite(bufs, n);
    if (r >= 0) {
      sent = static_cast<size_t>(r);
    } else if (r != UV_EAGAIN && r != UV_ENOSYS) {
      cork_.clear();
      return r;
    }
  }
  bytes_written_ += sent;
  if (sent == total) {
    cork_.clear();
    return 0;
  }

  size_t rest = total - sent;
  auto* req = static_cast<Request*>(std::malloc(sizeof(Request) + rest));
  if (!req) {
    cork_.clear();
    return UV_ENOMEM;
  }
  req->queue = this;
  req->len = rest;
  char* out = req->data;
  size_t skip = sent;
  for (unsigned i = 0; i < n; i++) {
    size_t blen = bufs[i].len;
    if (skip >= blen) { skip -= blen; continue; }
    std::memcpy(out, bufs[i].base + skip, blen - skip);
    out += blen - skip;
    skip = 0;
  }
  cork_.clear();
  uv_buf_t buf = Buf(req->data, rest);
  int r = transport_->StartWrite(&req->req, &buf);
  if (r < 0) {
    std::free(req);
    return r;
  }
  queued_ += rest;
  return 0;
}

void WriteQueue::OnWritten(uv_write_t* uvreq, int status) {
  auto* req = reinterpret_cast<Request*>(uvreq);
  WriteQueue* self = req->queue;
  self->queued_ -= req->len;
  if (status == 0) self->bytes_written_ += req->len;
  std::free(req);
  self->done_(self->owner_, status, self->queued_ == 0);
}

}  // namespace uvhttp
