// The server's hot path allocates nothing: POST /v1/score {"model", "customer_id"}, through
// Service::Handle and through the HTTP layer on a keep-alive connection, after the first
// requests, makes no call to operator new. This binary replaces the global operator new and
// delete with counting ones (every thread, while a test counts), so it is its own executable and
// is not built under the sanitizers, which replace them.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <future>
#include <new>
#include <random>
#include <thread>

#include "../../apps/server/http_server.hpp"
#include "prospect/models/training.hpp"
#include "prospect/serve/api_keys.hpp"
#include "prospect/serve/service.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/test_paths.hpp"

// The replacements below pair malloc with free by design; gcc sees operator new's calls
// inlined into the standard library's deletes and warns of a mismatch that is not there.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> counting = false;
std::atomic<size_t> allocations = 0;

void* Allocate(size_t n) {
  if (counting) ++allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* AllocateAligned(size_t n, std::align_val_t align) {
  if (counting) ++allocations;
  const auto a = static_cast<size_t>(align);
  return std::aligned_alloc(a, (n + a - 1) / a * a);
}
}  // namespace

void* operator new(size_t n) {
  if (void* p = Allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return Allocate(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return Allocate(n); }
void* operator new(size_t n, std::align_val_t a) {
  if (void* p = AllocateAligned(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n, std::align_val_t a) { return operator new(n, a); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return AllocateAligned(n, a);
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return AllocateAligned(n, a);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace prospect {
namespace {

class ServeAllocations : public ::testing::Test {
 protected:
  void SetUp() override {
    Workspace::Init(dir_.path());
    Workspace ws = Workspace::Open(dir_.path());
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal;
    ColumnBuilder id(DataType::kInt64), x1(DataType::kDouble), x2(DataType::kDouble),
        bought(DataType::kInt64);
    for (int64_t i = 0; i < 500; ++i) {
      const double a = normal(rng), b = normal(rng);
      id.AppendInt(1000 + i);
      x1.AppendDouble(a);
      x2.AppendDouble(b);
      bought.AppendInt(a + 0.5 * b + 0.3 * normal(rng) > 0.5 ? 1 : 0);
    }
    ws.store().WriteTable("profiles",
                          Table(Schema({{"customer_id", DataType::kInt64},
                                        {"x1", DataType::kDouble},
                                        {"x2", DataType::kDouble},
                                        {"bought", DataType::kInt64}}),
                                {id.Finish(), x1.Finish(), x2.Finish(), bought.Finish()}),
                          {}, Context(1));
    TrainRequest req;
    req.table = "profiles";
    req.target = "bought";
    req.id_column = "customer_id";
    req.name = "buyers";
    req.params = {{"n_estimators", 100}, {"max_depth", 6}, {"early_stopping_rounds", 0}};
    TrainModel(ws.store(), req, Context(1));
    auth_ = "Bearer " + CreateApiKey(ws.store(), Role::kScore, "alloc").token;
    service_ = std::make_unique<Service>(dir_.path(), ServeOptions{}, nullptr);
  }

  // Operator new calls of `requests` requests, after as many to warm the thread up.
  size_t Count(const std::vector<std::string>& bodies, ServeResponse* out) {
    for (const auto& body : bodies) service_->Handle({"POST", "/v1/score", auth_, body}, out);
    allocations = 0;
    counting = true;
    for (const auto& body : bodies) service_->Handle({"POST", "/v1/score", auth_, body}, out);
    counting = false;
    return allocations;
  }

  testing::TempDir dir_;
  std::string auth_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServeAllocations, ScoreByCustomerIdAllocatesNothing) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 500; ++i) {
    bodies.push_back(i % 2 ? fmt::format(R"({{"model": "buyers", "customer_id": {}}})", 1000 + i)
                           : fmt::format(R"({{"customer_id": "{}"}})", 1000 + i));
  }
  ServeResponse out;
  EXPECT_EQ(Count(bodies, &out), 0u);
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(out.body.rfind(R"({"model":"buyers","version":1,"customer_id":"1499","score":)", 0), 0u)
      << out.body;
}

// The counter works: a body off the fast path (an extra field) builds a JSON tree.
TEST_F(ServeAllocations, TheGeneralPathIsCounted) {
  ServeResponse out;
  EXPECT_GT(Count({R"({"model": "buyers", "customer_id": 1001, "note": "x"})"}, &out), 0u);
  EXPECT_EQ(out.status, 200) << out.body;
}

// The whole server: requests over a keep-alive loopback connection to RunHttpServer, counted on
// every thread (the client below allocates nothing: raw socket calls and fixed buffers).
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  }
  ~HttpClient() { close(fd_); }

  // Sends one request and reads its response; returns the response's status code.
  int RoundTrip(std::string_view request) {
    if (send(fd_, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size()))
      return -1;
    size_t have = 0;
    for (;;) {
      const ssize_t n = recv(fd_, buf_ + have, sizeof buf_ - 1 - have, 0);
      if (n <= 0) return -1;
      have += static_cast<size_t>(n);
      buf_[have] = 0;
      const char* end = std::strstr(buf_, "\r\n\r\n");
      const char* length = strcasestr(buf_, "content-length:");
      if (end == nullptr || length == nullptr) continue;
      const size_t body = std::strtoul(length + 15, nullptr, 10);
      if (have >= static_cast<size_t>(end + 4 - buf_) + body) break;
    }
    last_ = std::string_view(buf_, have);
    return std::atoi(buf_ + 9);  // "HTTP/1.1 200 OK"
  }
  std::string_view last() const { return last_; }

 private:
  int fd_;
  char buf_[8192];
  std::string_view last_;
};

TEST_F(ServeAllocations, TheHttpLayerAllocatesNothingPerRequest) {
  server::HttpServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.reload_seconds = 0;
  auto log = std::make_shared<spdlog::logger>("alloc");  // no sinks: logs nothing
  std::promise<uint16_t> listening;
  std::thread server([&] {
    server::RunHttpServer(*service_, options, *log,
                          [&](uint16_t port) { listening.set_value(port); });
  });
  const uint16_t port = listening.get_future().get();
  std::vector<std::string> requests;
  for (int i = 0; i < 500; ++i) {
    const std::string body = fmt::format(R"({{"model": "buyers", "customer_id": {}}})", 1000 + i);
    requests.push_back(
        fmt::format("POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\n"
                    "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
                    auth_, body.size(), body));
  }
  size_t counted = 0;
  int status = 0;
  {
    HttpClient client(port);
    for (const auto& r : requests) status = client.RoundTrip(r);  // warm-up
    ASSERT_EQ(status, 200) << client.last();
    allocations = 0;
    counting = true;
    for (const auto& r : requests) status = client.RoundTrip(r);
    counting = false;
    counted = allocations;
    EXPECT_EQ(status, 200) << client.last();
    EXPECT_NE(client.last().find(R"("customer_id":"1499","score":)"), std::string_view::npos)
        << client.last();
  }
  kill(getpid(), SIGTERM);  // the server's drain
  server.join();
  EXPECT_EQ(counted, 0u) << "allocations over " << requests.size() << " requests";
}

}  // namespace
}  // namespace prospect
