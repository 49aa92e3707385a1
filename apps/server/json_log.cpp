#include "json_log.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace prospect::server {
namespace {

class JsonLinesSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    nlohmann::json line;
    if (!text.empty() && text.front() == '{') {
      line = nlohmann::json::parse(text, nullptr, false);
    }
    if (!line.is_object()) line = {{"msg", text}};
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const auto seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    line["ts"] = fmt::format("{}.{:03d}Z", stamp, ms % 1000);
    if (!line.contains("level")) {
      const auto level = spdlog::level::to_string_view(msg.level);
      line["level"] = std::string_view(level.data(), level.size());
    }
    const std::string out =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(out.data(), 1, out.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

std::shared_ptr<spdlog::logger> MakeJsonLinesLogger(spdlog::level::level_enum level) {
  auto logger =
      std::make_shared<spdlog::logger>("prospect-serve", std::make_shared<JsonLinesSink>());
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace prospect::server
