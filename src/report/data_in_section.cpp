// Report section "Data in": the workspace's tables from the catalogue and the latest ingests.
#include <fmt/format.h>

#include <algorithm>

#include "report/sections.hpp"

namespace prospect::report {
namespace {

class DataInSection : public ReportSection {
 public:
  std::string Id() const override { return "data-in"; }
  std::string Title() const override { return "Data in"; }
  bool Write(const Workspace& ws, const Context&, SectionWriter& out) const override {
    const auto tables = ws.store().ListTables();
    if (tables.empty()) {
      out.Paragraph(
          "Not run yet in this workspace: no tables. Load one with prospect ingest NAME FILE.csv.",
          "notrun");
      return false;
    }
    std::vector<std::vector<std::string>> rows;
    std::vector<IngestRecord> history;
    for (const auto& t : tables) {
      rows.push_back({t.name, fmt::format("{}", t.rows), fmt::format("{}", t.schema.size()),
                      t.key.value_or(""), t.updated_at});
      for (auto& h : ws.store().IngestHistory(t.name)) history.push_back(std::move(h));
    }
    out.Table({"table", "rows", "columns", "key", "updated (UTC)"}, rows,
              {false, true, true, false, false});
    if (!history.empty()) {
      std::sort(history.begin(), history.end(),
                [](const auto& a, const auto& b) { return a.id > b.id; });
      if (history.size() > 15) history.resize(15);
      rows.clear();
      for (const auto& h : history) {
        rows.push_back({h.at, h.table, h.source, h.mode, fmt::format("{}", h.rows_loaded),
                        fmt::format("{}", h.rows_rejected)});
      }
      out.Raw("<h4>Latest ingests</h4>\n");
      out.Table({"at (UTC)", "table", "source", "mode", "rows loaded", "rejected"}, rows,
                {false, false, false, false, true, true});
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeDataInSection() { return std::make_unique<DataInSection>(); }

}  // namespace prospect::report
