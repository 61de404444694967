// Fuzz target (d): the write queue (native/write_queue.h) under arbitrary
// sequences of writes, partial kernel writes, failures and closes, through a
// fake kernel behind the WriteTransport interface that Connection implements
// with uv_try_write/uv_write.
//
// Input: a script of operations, one byte each (its value mod 8) plus
// operands; see Run(). The connection's rules are kept: what JS writes is
// corked or handed over as an extra buffer the caller may free as soon as
// Flush returns; an error from Flush or from a finished write closes the
// connection (CloseHandle: flush a lone cork, then libuv cancels every
// pending write); the script's end closes it too.
//
// Checked after every step: the kernel received exactly the bytes written,
// in order, none twice (what it took + what is pending + the cork = everything
// written), until the first error; nothing jumps the queue (no try-write while
// a write is pending); size(), queued() and bytes_written() agree with the
// kernel; the done callback's "drained" is right; every request is completed
// and freed by the close (LeakSanitizer), and none is read after it is freed
// (AddressSanitizer).
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <string>

#include "harness.h"
#include "write_queue.h"

namespace {

using fuzz::Expect;
using uvhttp::WriteQueue;

class FakeKernel : public uvhttp::WriteTransport {
 public:
  // How the next try-writes go: take at most budget bytes (0: UV_EAGAIN),
  // or fail once with try_error; the next StartWrite fails with start_error.
  size_t budget = std::numeric_limits<size_t>::max();
  int try_error = 0;
  int start_error = 0;
  // Everything handed to the queue, in order, and how much of it the kernel
  // took: each byte it takes must be the next one (until a failure).
  const std::string* written = nullptr;
  const bool* failed = nullptr;
  size_t took = 0;

  int TryWrite(const uv_buf_t* bufs, unsigned nbufs) override {
    Expect(pending_.empty(), "try-write while a write is pending: bytes jump the queue");
    if (try_error) {
      int e = try_error;
      try_error = 0;
      return e;
    }
    size_t taken = 0;
    for (unsigned i = 0; i < nbufs && taken < budget; i++) {
      size_t n = std::min(bufs[i].len, budget - taken);
      Take(bufs[i].base, n);
      taken += n;
    }
    return taken ? static_cast<int>(taken) : UV_EAGAIN;
  }

  int StartWrite(uv_write_t* req, const uv_buf_t* buf) override {
    if (start_error) {
      int e = start_error;
      start_error = 0;
      return e;
    }
    // The bytes are read when the kernel takes them, as libuv does: a queue
    // that freed or reused them meanwhile is caught then.
    pending_.push_back({req, buf->base, buf->len});
    pending_bytes_ += buf->len;
    return 0;
  }

  bool busy() const { return !pending_.empty(); }
  size_t pending_bytes() const { return pending_bytes_; }

  // The oldest pending write finishes: taken whole (0) or failed.
  void Complete(int status) {
    Pending p = pending_.front();
    pending_.pop_front();
    pending_bytes_ -= p.len;
    if (status == 0) Take(p.base, p.len);
    WriteQueue::OnWritten(p.req, status);
  }
  // uv_close: libuv cancels what is pending, oldest first.
  void Cancel() {
    while (!pending_.empty()) Complete(UV_ECANCELED);
  }

 private:
  void Take(const char* p, size_t n) {
    if (!*failed) {
      Expect(took + n <= written->size() && written->compare(took, n, p, n) == 0,
             "the kernel got bytes out of order, twice, or never written");
    }
    took += n;
  }

  struct Pending {
    uv_write_t* req;
    const char* base;
    size_t len;
  };
  std::deque<Pending> pending_;
  size_t pending_bytes_ = 0;
};

struct Connection {
  Connection() {
    kernel.written = &written;
    kernel.failed = &failed;
  }
  FakeKernel kernel;
  WriteQueue queue{&kernel, this, OnDone};
  std::string written;  // everything handed to the queue, in order
  bool failed = false;

  static void OnDone(void* owner, int status, bool drained) {
    auto* self = static_cast<Connection*>(owner);
    Expect(drained == (self->queue.queued() == 0), "the done callback's drained is wrong");
    if (status < 0) self->failed = true;
  }

  void Check() {
    Expect(queue.size() == queue.queued() + queue.cork().size(), "size() is not queued() + the cork");
    Expect(queue.queued() == kernel.pending_bytes(), "queued() disagrees with the pending writes");
    Expect(queue.bytes_written() == kernel.took, "bytes_written() disagrees with the kernel");
    // Nothing lost: what the kernel took, what waits for it and the cork are
    // everything written (their order is checked as the kernel takes them).
    if (!failed) {
      Expect(kernel.took + kernel.pending_bytes() + queue.cork().size() == written.size(),
             "bytes lost or added between the queue and the kernel");
    }
  }

  void Flush(const char* extra = nullptr, size_t len = 0) {
    if (queue.Flush(extra, len) < 0) failed = true;
  }

  // Connection::CloseHandle, then libuv's cancellation of pending writes.
  void Close() {
    if (!queue.cork().empty() && queue.size() == queue.cork().size()) Flush();
    queue.cork().clear();
    kernel.Cancel();
    Expect(queue.queued() == 0, "writes still queued after the close");
  }
};

// Bytes that differ by position, so a reordering or a repeat shows.
void Fill(char* p, size_t n, size_t* counter) {
  for (size_t i = 0; i < n; i++) p[i] = static_cast<char>((*counter)++ * 131 >> 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::g_ctx.what = "write queue";
  Connection c;
  size_t counter = 0;
  size_t at = 0;
  auto next = [&]() -> uint8_t { return at < size ? data[at++] : 0; };
  while (at < size && !c.failed) {
    switch (next() % 8) {
      case 0: {  // JS writes while a batch is delivered: corked
        size_t n = next() + 1u;
        std::string& cork = c.queue.cork();
        size_t old = cork.size();
        cork.resize(old + n);
        Fill(&cork[old], n, &counter);
        c.written.append(cork, old, n);
        break;
      }
      case 1:  // the batch returns, or a write outside one
        c.Flush();
        break;
      case 2: {  // a large body straight from the caller's Buffer (sizes scaled down: 1..4096)
        size_t n = next() * 16u + next() % 16u + 1u;
        std::unique_ptr<char[]> body(new char[n]);
        Fill(body.get(), n, &counter);
        c.written.append(body.get(), n);
        c.Flush(body.get(), n);
        std::memset(body.get(), 0xA5, n);  // the caller may reuse its Buffer at once
        break;
      }
      case 3: {  // how much the kernel takes from now on
        uint8_t b = next();
        c.kernel.budget = b == 255 ? std::numeric_limits<size_t>::max() : b * 16u;
        break;
      }
      case 4:  // the oldest pending write is done
        if (c.kernel.busy()) c.kernel.Complete(0);
        break;
      case 5:  // the oldest pending write fails (the peer reset)
        if (c.kernel.busy()) c.kernel.Complete(UV_ECONNRESET);
        break;
      case 6:  // the next try-write fails
        c.kernel.try_error = UV_EPIPE;
        break;
      case 7:  // the next uv_write fails at once
        c.kernel.start_error = UV_EPIPE;
        break;
    }
    c.Check();
  }
  c.Close();
  c.Check();
  return 0;
}
