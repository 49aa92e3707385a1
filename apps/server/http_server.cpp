// One Session per connection, on its own strand; requests are read, handled and written in
// turn (HTTP/1.1 keep-alive, no pipelining needed by any client we know). The io_context's
// threads are the worker pool: a handler runs where its request was read.
#include "http_server.hpp"

// clang-format off
#include <utility>  // before asio: Boost 1.74's asio needs std::exchange under C++20
// clang-format on
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <map>
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
  std::map<const Session*, std::weak_ptr<Session>> sessions;
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

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}
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
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

  /// From the drain: an idle connection closes now, a busy one after its response.
  void Stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->stream_.socket().close();
    });
  }

 private:
  void Read() {
    busy_ = false;
    if (shared_.draining) return Close();
    parser_.emplace();
    parser_->body_limit(shared_.options.max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(
        static_cast<int64_t>(shared_.options.read_timeout_seconds * 1000)));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
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
    if (ec) return Close();  // end of stream, timeout, reset or the drain's close
    busy_ = true;
    stream_.expires_never();
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
    res_.version(version);
    res_.result(static_cast<unsigned>(out_.status));
    res_.set(http::field::content_type,
             beast::string_view(out_.content_type.data(), out_.content_type.size()));
    if (out_.status == 401) {
      res_.set(http::field::www_authenticate, "Bearer");
    } else {
      res_.erase(http::field::www_authenticate);
    }
    res_.keep_alive(keep_alive);
    res_.body().swap(out_.body);
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, size_t) {
    res_.body().swap(out_.body);  // the buffer goes back for the next response, capacity kept
    if (ec || !keep_alive) return Close();
    Read();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    busy_ = false;
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  ServeResponse out_;
  bool busy_ = false;
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
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }
  void Close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket) {
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
