// The HTTP layer of `prospect serve` (Boost.Beast): accepts connections, parses requests,
// hands each to Service::Handle on a fixed pool of threads and writes the answer back.
// Keep-alive, read timeouts, body limits, JSON access-log lines on stderr, a reload thread,
// and a drain on SIGTERM/SIGINT. Nothing here knows a route.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <string>

#include "prospect/serve/service.hpp"

namespace prospect::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;              ///< 0: any free port (on_listening says which)
  int threads = 0;                   ///< request threads; 0 = one per core
  double read_timeout_seconds = 30;  ///< a request must arrive within this (also idle keep-alive)
  double drain_seconds = 30;         ///< on SIGTERM, how long in-flight requests may take
  double reload_seconds = 2;  ///< how often to look for new model versions and keys (0: never)
  size_t max_body_bytes = 1 << 20;  ///< larger bodies get 413
  bool access_log = false;          ///< a JSON line per request (errors are always logged)
};

/// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish (up to
/// drain_seconds) and returns. `on_listening(port)` runs once the socket is bound. Throws kIo when
/// the address cannot be bound.
void RunHttpServer(Service& service, const HttpServerOptions& options, spdlog::logger& log,
                   const std::function<void(uint16_t)>& on_listening);

}  // namespace prospect::server
