// The server's log: one JSON object per line on stderr ({"ts", "level", "msg"}, or the fields of
// a message that is itself a JSON object, as access-log lines are), for log shippers to read.
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace prospect::server {

std::shared_ptr<spdlog::logger> MakeJsonLinesLogger(spdlog::level::level_enum level);

}  // namespace prospect::server
