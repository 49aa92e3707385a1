// One Session per connection; requests are read, handled and written in turn (HTTP/1.1
// keep-alive, no pipelining needed by any client we know). The io_context's threads are the
// worker pool: a handler runs where its request was read. Read timeouts are kept by the server's
// own loop (RunHttpServer), which shuts a late connection's socket down; once a connection is
// open, its requests allocate nothing (tests/alloc counts).
#include "http_server.hpp"

// clang-format off
#include <utility>  // before asio: Boost 1.74's asio needs std::exchange under C++20
// clang-format on
#include <sys/socket.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <limits>
#include <map>
#include <memory_resource>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "prospect/common/error.hpp"

namespace prospect::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
// A connection's socket names its executor's concrete type: the type-erased any_io_executor of
// tcp::socket allocates when copied, and asynchronous operations copy it many times a request.
// A connection needs no strand: it has one read or one write in flight at a time, and other
// threads touch it only through its file descriptor (the read deadline and the drain).
using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

class Session;

// What every session shares: the service, the options, the drain flag and the live sessions.
struct Shared {
  Shared(Service& s, const HttpServerOptions& o, spdlog::logger& l)
      : service(s), options(o), log(l) {}
  Service& service;
  const HttpServerOptions& options;
  spdlog::logger& log;
  std::atomic<bool> draining{false};
  std::mutex mu;
  std::condition_variable changed;
  std::map<Session*, std::weak_ptr<Session>> sessions;
};

// Memory for one connection's asynchronous operations. With one operation in flight at a time,
// a few blocks held by the connection serve all its requests (Asio's per-thread cache keeps one
// block per thread and misses whenever a connection's operations move between threads).
class HandlerMemory {
 public:
  void* Allocate(size_t size) {
    if (size <= kBlockSize) {
      for (auto& block : blocks_) {
        bool free = false;
        if (block.in_use.compare_exchange_strong(free, true)) return block.storage;
      }
    }
    return ::operator new(size);
  }
  void Deallocate(void* p) {
    for (auto& block : blocks_) {
      if (p == block.storage) {
        block.in_use = false;
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  static constexpr size_t kBlockSize = 1024;
  struct Block {
    alignas(std::max_align_t) std::byte storage[kBlockSize];
    std::atomic<bool> in_use{false};
  };
  std::array<Block, 3> blocks_;
};

template <class T>
class HandlerAllocator {
 public:
  using value_type = T;
  explicit HandlerAllocator(HandlerMemory* memory) noexcept : memory_(memory) {}
  template <class U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : memory_(other.memory_) {}
  T* allocate(size_t n) { return static_cast<T*>(memory_->Allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t) noexcept { memory_->Deallocate(p); }
  template <class U>
  bool operator==(const HandlerAllocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }

 private:
  template <class>
  friend class HandlerAllocator;
  HandlerMemory* memory_;
};

// A completion handler whose operations take their memory from its connection (Asio and Beast
// ask a handler for its allocator).
template <class Handler>
struct WithMemory {
  using allocator_type = HandlerAllocator<char>;
  allocator_type get_allocator() const noexcept { return allocator_type(memory); }
  template <class... Args>
  void operator()(Args&&... args) {
    handler(std::forward<Args>(args)...);
  }
  HandlerMemory* memory;
  Handler handler;
};

// A JSON access-log line: route template, never the path (ids) or headers (keys).
void AccessLog(Shared& shared, std::string_view method, const ServeResponse& out, double ms,
               size_t bytes) {
  const nlohmann::json line = {{"level", out.status >= 500 ? "error" : "info"},
                               {"method", method},
                               {"route", shared.service.routes()[out.route]},
                               {"status", out.status},
                               {"ms", std::round(ms * 1000) / 1000},
                               {"bytes", bytes}};
  if (out.status >= 500) {
    shared.log.error("{}", line.dump());
  } else {
    shared.log.info("{}", line.dump());
  }
}

// Per-request memory: the request's and response's header fields and the request body come
// from the session's arena, which starts over with each request, so a request allocates nothing
// once its connection is open (a request larger than the arena's inline block takes more).
using ArenaAllocator = std::pmr::polymorphic_allocator<char>;
using ArenaFields = http::basic_fields<ArenaAllocator>;
using RequestBody = http::basic_string_body<char, std::char_traits<char>, ArenaAllocator>;
using Request = http::request_parser<RequestBody, ArenaAllocator>;
using Response = http::response<http::string_body, ArenaFields>;

class Session : public std::enable_shared_from_this<Session> {
  // A handler that calls `method` on this session (kept alive meanwhile), with its memory.
  template <class Method, class... Args>
  auto Bind(Method method, Args&&... args) {
    auto handler =
        beast::bind_front_handler(method, shared_from_this(), std::forward<Args>(args)...);
    return WithMemory<decltype(handler)>{&handler_memory_, std::move(handler)};
  }

 public:
  Session(Socket&& socket, Shared& shared)
      : socket_(std::move(socket)), fd_(socket_.native_handle()), shared_(shared) {}
  ~Session() {
    std::lock_guard lock(shared_.mu);
    shared_.sessions.erase(this);
    shared_.changed.notify_all();
  }

  void Start() {
    {
      std::lock_guard lock(shared_.mu);
      shared_.sessions.emplace(this, weak_from_this());
    }
    net::dispatch(socket_.get_executor(), Bind(&Session::Read));
  }

  /// From the drain: no more requests are read (one being read is dropped); a request being
  /// handled still gets its response, and the connection then closes.
  void Stop() { ::shutdown(fd_, SHUT_RD); }

  /// From the server's watch, under Shared::mu (which ~Session takes before the socket closes,
  /// so the descriptor is still this connection's): a request that has not arrived within the
  /// read timeout ends the connection, as does an idle keep-alive connection.
  void CloseIfLate(std::chrono::steady_clock::time_point now) {
    if (now.time_since_epoch().count() > read_deadline_.load(std::memory_order_relaxed)) {
      read_deadline_ = kNoDeadline;
      ::shutdown(fd_, SHUT_RDWR);  // the pending read ends, and the session with it
    }
  }

 private:
  static constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

  void Read() {
    if (shared_.draining) return Close();
    // The previous request's objects go before the memory they live in is reused.
    serializer_.reset();
    res_.reset();
    parser_.reset();
    arena_.release();
    parser_.emplace(std::piecewise_construct, std::make_tuple(ArenaAllocator(&arena_)),
                    std::make_tuple(ArenaAllocator(&arena_)));
    parser_->body_limit(shared_.options.max_body_bytes);
    read_deadline_ =
        (std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(
                                                shared_.options.read_timeout_seconds * 1000)))
            .time_since_epoch()
            .count();
    http::async_read(socket_, buffer_, *parser_, Bind(&Session::OnRead));
  }

  void OnRead(beast::error_code ec, size_t) {
    read_deadline_ = kNoDeadline;
    if (ec == http::error::body_limit) {
      out_.status = 413;
      out_.route = shared_.service.routes().size() - 1;
      out_.content_type = "application/json";
      out_.body = fmt::format(
          R"({{"error":{{"code":"payload_too_large","message":"the request body is over the limit of {} bytes"}}}})",
          shared_.options.max_body_bytes);
      shared_.service.metrics().Record(out_.route, out_.status, 0);
      return Write(11, false);
    }
    if (ec) return Close();  // end of stream, timeout, reset or the drain's shutdown
    const auto& req = parser_->get();
    const auto started = std::chrono::steady_clock::now();
    const ServeRequest request{View(req.method_string()), View(req.target()),
                               View(req[http::field::authorization]), req.body()};
    shared_.service.Handle(request, &out_);
    if (shared_.options.access_log || out_.status >= 500) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      AccessLog(shared_, request.method, out_, ms, out_.body.size());
    }
    Write(req.version(), req.keep_alive() && !shared_.draining);
  }

  void Write(unsigned version, bool keep_alive) {
    res_.emplace(std::piecewise_construct, std::make_tuple(),
                 std::make_tuple(ArenaAllocator(&arena_)));
    res_->version(version);
    res_->result(static_cast<unsigned>(out_.status));
    res_->set(http::field::content_type,
              beast::string_view(out_.content_type.data(), out_.content_type.size()));
    if (out_.status == 401) res_->set(http::field::www_authenticate, "Bearer");
    res_->keep_alive(keep_alive);
    res_->body().swap(out_.body);
    res_->prepare_payload();
    // Writing through a serializer of our own: async_write of a message would allocate one.
    serializer_.emplace(*res_);
    http::async_write(socket_, *serializer_, Bind(&Session::OnWrite, keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, size_t) {
    res_->body().swap(out_.body);  // the buffer goes back for the next response, capacity kept
    if (ec || !keep_alive) return Close();
    Read();
  }

  void Close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }

  Socket socket_;
  const int fd_;                                     // for Stop and CloseIfLate, from other threads
  std::atomic<int64_t> read_deadline_{kNoDeadline};  // steady_clock ticks
  Shared& shared_;
  HandlerMemory handler_memory_;
  beast::flat_buffer buffer_;
  std::array<std::byte, 4096> arena_block_;
  std::pmr::monotonic_buffer_resource arena_{arena_block_.data(), arena_block_.size()};
  std::optional<Request> parser_;
  std::optional<Response> res_;
  std::optional<http::response_serializer<http::string_body, ArenaFields>> serializer_;
  ServeResponse out_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint, Shared& shared)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), shared_(shared) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      Fail(ErrorCode::kIo, "serve: cannot listen on {}:{}: {}", endpoint.address().to_string(),
           endpoint.port(), ec.message());
    }
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void Accept() {
    acceptor_.async_accept(ioc_.get_executor(),
                           beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }
  void Close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void OnAccept(beast::error_code ec, Socket socket) {
    if (ec == net::error::operation_aborted || shared_.draining) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);  // small responses: no Nagle delay
      std::make_shared<Session>(std::move(socket), shared_)->Start();
    }
    Accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  Shared& shared_;
};

}  // namespace

void RunHttpServer(Service& service, const HttpServerOptions& options, spdlog::logger& log,
                   const std::function<void(uint16_t)>& on_listening) {
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // Before the io_context: sessions still queued in it when it is destroyed (a drain that ran
  // out of time) unregister themselves from `shared` as they go.
  Shared shared(service, options, log);
  net::io_context ioc(threads);
  beast::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) Fail(ErrorCode::kInvalidArgument, "serve: --host {} is not an IP address", options.host);
  auto listener = std::make_shared<Listener>(ioc, tcp::endpoint(address, options.port), shared);
  listener->Accept();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int signal) {
    log.info("serve: {} received: draining {} connection(s)",
             signal == SIGTERM ? "SIGTERM" : "SIGINT", [&] {
               std::lock_guard lock(shared.mu);
               return shared.sessions.size();
             }());
    shared.draining = true;
    listener->Close();
    // Stopped outside the lock: dropping the last reference runs ~Session, which takes it.
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(shared.mu);
      for (auto& [ptr, weak] : shared.sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->Stop();
    live.clear();
    shared.changed.notify_all();
  });

  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  on_listening(listener->port());

  // Reloads run here, off the request threads; the drain is watched here too.
  std::unique_lock lock(shared.mu);
  auto next_reload = std::chrono::steady_clock::now();
  const auto reload_every =
      std::chrono::milliseconds(static_cast<int64_t>(options.reload_seconds * 1000));
  while (!shared.draining) {
    if (options.reload_seconds > 0 && std::chrono::steady_clock::now() >= next_reload) {
      lock.unlock();
      service.Reload();
      lock.lock();
      next_reload = std::chrono::steady_clock::now() + reload_every;
    }
    shared.changed.wait_for(lock, std::chrono::milliseconds(100));
    const auto now = std::chrono::steady_clock::now();
    for (auto& [session, weak] : shared.sessions) session->CloseIfLate(now);
  }
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(options.drain_seconds * 1000));
  shared.changed.wait_until(lock, deadline, [&] { return shared.sessions.empty(); });
  const size_t left = shared.sessions.size();
  lock.unlock();
  if (left > 0)
    log.warn("serve: {} connection(s) still busy after {} s; closing them", left,
             options.drain_seconds);
  ioc.stop();
  for (auto& t : pool) t.join();
  log.info("serve: stopped");
}

}  // namespace prospect::server
