// The OpenAPI 3.0 description of every route `prospect serve` answers, with the schema of each
// request and response (tests/serve validates real responses against it).
#pragma once

#include <nlohmann/json.hpp>

namespace prospect::serve {

nlohmann::json OpenApiDocument();

}  // namespace prospect::serve
