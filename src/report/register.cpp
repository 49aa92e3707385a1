// The report's sections in page order: one line per section. A capability replaces its
// placeholder line with its own ReportSection (see include/prospect/report/report.hpp).
#include "report/sections.hpp"

namespace prospect::report {

std::vector<std::unique_ptr<ReportSection>> RegisteredSections() {
  std::vector<std::unique_ptr<ReportSection>> s;
  s.push_back(MakeOverviewSection());
  s.push_back(MakeDataInSection());
  s.push_back(MakeDataQualitySection());
  s.push_back(MakeProfilesSection());
  s.push_back(MakeSegmentsSection());
  s.push_back(MakeModelsSection());
  s.push_back(MakeChurnSection());
  s.push_back(MakeRecommendationsSection());
  s.push_back(MakeTargetingSection());
  s.push_back(MakeClvSection());
  s.push_back(MakeExperimentsSection());
  s.push_back(MakeMonitoringSection());
  return s;
}

}  // namespace prospect::report
