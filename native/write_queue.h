// The outgoing side of a connection: a cork buffer that gathers what JS
// writes while a batch is delivered (DESIGN.md #4, STYLE.md #6), or while
// the socket is corked (its tail is then held: a close drops it), then one
// try-write of everything, and an asynchronous write for what the kernel did
// not take. What goes to the asynchronous write is copied into the request,
// so no JS memory is pinned.
//
// The kernel side is a WriteTransport: Connection implements it with
// uv_try_write/uv_write on its socket, the fuzzer (test/fuzz/write_queue_fuzz.cc)
// with a fake that takes arbitrary amounts, fails and closes at will.
#ifndef UVHTTP_WRITE_QUEUE_H_
#define UVHTTP_WRITE_QUEUE_H_

#include <uv.h>

#include <cstddef>
#include <string>

namespace uvhttp {

class WriteTransport {
 public:
  // As uv_try_write: the bytes taken at once, or a negative libuv error
  // (UV_EAGAIN or UV_ENOSYS: none now, but the stream is fine).
  virtual int TryWrite(const uv_buf_t* bufs, unsigned nbufs) = 0;
  // As uv_write of one buffer: 0 or a negative libuv error. Once started, the
  // transport calls WriteQueue::OnWritten(req, status) exactly once, when the
  // kernel took every byte (0), failed (< 0) or the handle closed first
  // (UV_ECANCELED).
  virtual int StartWrite(uv_write_t* req, const uv_buf_t* buf) = 0;

 protected:
  ~WriteTransport() = default;
};

class WriteQueue {
 public:
  // Called when an asynchronous write finishes; drained is true when nothing is queued.
  using DoneFn = void (*)(void* owner, int status, bool drained);

  WriteQueue(WriteTransport* transport, void* owner, DoneFn done)
      : transport_(transport), owner_(owner), done_(done) {}

  std::string& cork() { return cork_; }
  // What is appended to the cork from now on is held (the socket is corked,
  // WriteFlag HOLD) until Commit(); DropHeld() forgets it (a close).
  void Hold() {
    if (held_from_ == kNothingHeld) held_from_ = cork_.size();
  }
  void Commit() { held_from_ = kNothingHeld; }
  void DropHeld() {
    if (held_from_ != kNothingHeld) cork_.resize(held_from_);
    held_from_ = kNothingHeld;
  }
  // Forgets everything corked (the connection is closing).
  void ClearCork() {
    cork_.clear();
    held_from_ = kNothingHeld;
  }
  // Writes the cork buffer (held bytes too: flushing commits them), then
  // extra (not copied unless the kernel leaves some of it). Returns 0 or a
  // negative libuv error.
  int Flush(const char* extra = nullptr, size_t extra_len = 0);
  // Bytes handed to StartWrite and not yet done, plus what is corked.
  size_t size() const { return queued_ + cork_.size(); }
  size_t bytes_written() const { return bytes_written_; }
  bool empty() const { return size() == 0; }
  // Bytes handed to StartWrite that the kernel has not taken yet.
  size_t queued() const { return queued_; }

  // The uv_write_cb of a request StartWrite was given.
  static void OnWritten(uv_write_t* req, int status);

 private:
  struct Request;

  static constexpr size_t kNothingHeld = static_cast<size_t>(-1);

  WriteTransport* transport_;
  void* owner_;
  DoneFn done_;
  std::string cork_;
  size_t held_from_ = kNothingHeld;  // where the held part of cork_ begins
  size_t queued_ = 0;
  size_t bytes_written_ = 0;
};

}  // namespace uvhttp

#endif  // UVHTTP_WRITE_QUEUE_H_
