// PLACEHOLDER until the CSV reader lands (same session): keeps the tree linking.
#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"

namespace prospect {
Table ReadCsv(const std::string& path, const ReadOptions&, const Context&, ReadReport*) {
  Fail(ErrorCode::kUnimplemented, "reading {}: CSV reader not built yet", path);
}
Table ReadJsonl(const std::string& path, const ReadOptions&, const Context&, ReadReport*) {
  Fail(ErrorCode::kUnimplemented, "reading {}: JSONL reader not built yet", path);
}
}  // namespace prospect
