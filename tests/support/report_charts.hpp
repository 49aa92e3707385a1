// The chart options of a rendered report page, for the report section tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace prospect::testing {

/// The page's chart options: the JSON array of its "prospect-charts" script element.
inline nlohmann::json ReportCharts(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"prospect-charts\">";
  const size_t begin = page.find(open) + open.size();
  return nlohmann::json::parse(page.substr(begin, page.find("</script>", begin) - begin));
}

/// The chart titled `title`, or nullptr.
inline const nlohmann::json* FindChart(const nlohmann::json& charts, const std::string& title) {
  for (const auto& c : charts) {
    if (c["title"]["text"] == title) return &c;
  }
  return nullptr;
}

}  // namespace prospect::testing
