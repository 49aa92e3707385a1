// The HTML report: self-contained (no network references outside the embedded library), every
// registered section present, names and values escaped, chart specs valid JSON, one per element.
#include "prospect/report/report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using report::RenderReport;

const std::string kEvil = "<script>alert(1)</script>";

// A workspace with one table whose column name and values try to inject markup.
std::string MakeWorkspace(const testing::TempDir& dir) {
  const std::string ws_dir = dir.File("ws");
  Workspace::Init(ws_dir);
  Workspace ws = Workspace::Open(ws_dir);
  std::vector<std::string> cats;
  ColumnVector<double> amounts;
  for (int i = 0; i < 200; ++i) {
    cats.push_back(i % 3 == 0 ? kEvil : (i % 3 == 1 ? "web" : "Web "));
    amounts.push_back(i % 10 == 0 ? 999 : i * 0.5);
  }
  const Table t(Schema({{kEvil, DataType::kString}, {"amount", DataType::kDouble}}),
                {Column::FromStringVector(cats), Column::FromDoubles(amounts)});
  // Recorded as an ingest: data quality shows ingested tables only.
  WriteOptions options;
  IngestRecord ingest;
  ingest.table = "orders";
  ingest.source = "orders.csv";
  ingest.mode = "replace";
  ingest.rows_read = ingest.rows_loaded = 200;
  options.history = ingest;
  ws.store().WriteTable("orders", t, options, Context(1));
  return ws_dir;
}

std::string Render(const std::string& ws_dir, report::ReportSummary* summary = nullptr) {
  report::ReportOptions options;
  options.generated_at = "2024-01-02 03:04 UTC";
  return RenderReport(Workspace::Open(ws_dir), report::RegisteredSections(), options, Context(1),
                      summary);
}

// True when some <tag ...> element of `html` (case-insensitive) has the attribute `attr`.
bool HasTagWithAttribute(const std::string& html, const std::string& tag, const std::string& attr) {
  std::string lower(html.size(), ' ');
  std::transform(html.begin(), html.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (size_t at = lower.find("<" + tag); at != std::string::npos;
       at = lower.find("<" + tag, at + 1)) {
    const std::string element = lower.substr(at, lower.find('>', at) - at);
    for (const char* space : {" ", "\t", "\n"}) {
      if (element.find(space + attr) != std::string::npos) return true;
    }
  }
  return false;
}

// The page with the embedded chart library cut out.
std::string WithoutLibrary(const std::string& page) {
  const std::string_view lib = report::EchartsJs();
  const size_t at = page.find(lib);
  EXPECT_NE(at, std::string::npos) << "library not embedded verbatim";
  if (at == std::string::npos) return page;
  return page.substr(0, at) + page.substr(at + lib.size());
}

TEST(Report, IsSelfContainedWithoutNetworkReferences) {
  testing::TempDir dir;
  const std::string page = Render(MakeWorkspace(dir));
  ASSERT_GT(report::EchartsJs().size(), 500000u);  // the real library, not a stub
  const std::string own = WithoutLibrary(page);
  EXPECT_EQ(own.find("http://"), std::string::npos);
  EXPECT_EQ(own.find("https://"), std::string::npos);
  EXPECT_FALSE(HasTagWithAttribute(page, "script", "src"));
  EXPECT_FALSE(HasTagWithAttribute(page, "link", "href"));
  // ECharts' own save-as-image code builds an <img src=...> string; our markup has none.
  EXPECT_FALSE(HasTagWithAttribute(own, "img", "src"));
  EXPECT_TRUE(HasTagWithAttribute("<p><IMG alt=x SRC=\"a.png\"></p>", "img",
                                  "src"));  // the check itself works
  EXPECT_EQ(own.find("@import"), std::string::npos);
  EXPECT_EQ(own.find("url("), std::string::npos);
}

TEST(Report, HasEverySectionWithStatusAndAContentsEntry) {
  testing::TempDir dir;
  report::ReportSummary summary;
  const std::string page = Render(MakeWorkspace(dir), &summary);
  const auto sections = report::RegisteredSections();
  EXPECT_EQ(summary.sections, sections.size());
  EXPECT_EQ(summary.sections_with_results, 3u);  // overview, data in, data quality
  for (const auto& s : sections) {
    EXPECT_NE(page.find("<section class=\"cap\" id=\"" + s->Id() + "\">"), std::string::npos)
        << s->Id();
    EXPECT_NE(page.find("<a href=\"#" + s->Id() + "\">"), std::string::npos) << s->Id();
  }
  EXPECT_NE(page.find("Data quality <span class=\"badge done\">results</span>"), std::string::npos);
  EXPECT_NE(page.find("Segments and personas <span class=\"badge\">not run yet</span>"),
            std::string::npos);
  EXPECT_NE(page.find("Not run yet in this workspace. Run <code>prospect segment"),
            std::string::npos);
  EXPECT_NE(page.find("Workspace <b>ws</b> · generated 2024-01-02 03:04 UTC"), std::string::npos);
  EXPECT_NE(page.find("Recommendations <span class=\"badge\">not run yet</span>"),
            std::string::npos);
  EXPECT_NE(page.find("Not run yet in this workspace. Run <code>prospect recommend evaluate"),
            std::string::npos);
  EXPECT_NE(page.find("Targeting and uplift <span class=\"badge\">not run yet</span>"),
            std::string::npos);
  EXPECT_NE(page.find("Not run yet in this workspace. Train uplift models on a campaign with "
                      "prospect uplift train"),
            std::string::npos);
  EXPECT_NE(page.find("Customer lifetime value <span class=\"badge\">not run yet</span>"),
            std::string::npos);
  EXPECT_NE(page.find("Monitoring <span class=\"badge\">not run yet</span>"), std::string::npos);
  EXPECT_NE(page.find("Not run yet in this workspace. Run prospect monitor drift"),
            std::string::npos);
}

TEST(Report, TheGeneratedConfigOffersNoStoreThatIsNotThere) {
  testing::TempDir dir;
  Workspace::Init(dir.File("w"));
  std::ifstream in(dir.File("w") + "/prospect.toml");
  const std::string toml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Both stores it names exist now (the PostgreSQL one since issue 12).
  EXPECT_NE(toml.find("postgresql://"), std::string::npos) << toml;
  EXPECT_EQ(toml.find("not available"), std::string::npos) << toml;
}

TEST(Report, EscapesNamesAndValuesEverywhere) {
  testing::TempDir dir;
  const std::string page = WithoutLibrary(Render(MakeWorkspace(dir)));
  EXPECT_EQ(page.find(kEvil), std::string::npos);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"),
            std::string::npos);  // in tables and findings
  EXPECT_NE(page.find("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
            std::string::npos);  // in chart specs
}

TEST(Report, ChartSpecsAreValidJsonWithOneElementEach) {
  testing::TempDir dir;
  report::ReportSummary summary;
  const std::string page = Render(MakeWorkspace(dir), &summary);
  const std::string open = "<script type=\"application/json\" id=\"prospect-charts\">";
  const size_t begin = page.find(open);
  ASSERT_NE(begin, std::string::npos);
  const size_t end = page.find("</script>", begin);
  const auto specs =
      nlohmann::json::parse(page.substr(begin + open.size(), end - begin - open.size()));
  ASSERT_TRUE(specs.is_array());
  // Missingness + a histogram of amount + top categories of the text column.
  EXPECT_EQ(specs.size(), 3u);
  EXPECT_EQ(summary.charts, specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    EXPECT_NE(page.find("id=\"chart-" + std::to_string(i) + "\""), std::string::npos);
    EXPECT_TRUE(specs[i].contains("series"));
  }
  EXPECT_EQ(specs[0]["title"]["text"], "Missing values by column");
  EXPECT_EQ(specs[1]["title"]["text"],
            kEvil);  // categorical: top values (escaped only in transport)
  EXPECT_EQ(specs[1]["yAxis"]["data"][0], kEvil);
  EXPECT_EQ(specs[2]["title"]["text"], "amount");
}

TEST(Report, EmptyWorkspaceSaysWhatToRun) {
  testing::TempDir dir;
  Workspace::Init(dir.File("empty"));
  report::ReportSummary summary;
  const std::string page = Render(dir.File("empty"), &summary);
  EXPECT_EQ(summary.sections_with_results, 0u);
  EXPECT_EQ(summary.charts, 0u);
  EXPECT_NE(page.find("no table was ingested. Load one with prospect ingest NAME FILE.csv"),
            std::string::npos);
  EXPECT_NE(page.find("Nothing in this workspace yet. Run prospect quickstart"), std::string::npos);
}

class EchoSection : public report::ReportSection {
 public:
  std::string Id() const override { return "echo"; }
  std::string Title() const override { return "Echo <&>"; }
  bool Write(const Workspace&, const Context&, report::SectionWriter& out) const override {
    out.Table({"a"}, {{"<b>x</b>"}});
    out.Chart({{"series", nlohmann::json::array()}}, 123);
    return true;
  }
};

TEST(Report, ANewSectionNeedsOnlyTheInterface) {
  testing::TempDir dir;
  Workspace::Init(dir.File("w"));
  std::vector<std::unique_ptr<report::ReportSection>> sections;
  sections.push_back(std::make_unique<EchoSection>());
  const std::string page = RenderReport(Workspace::Open(dir.File("w")), sections, {}, Context(1));
  EXPECT_NE(page.find("<h2>Echo &lt;&amp;&gt; <span class=\"badge done\">results</span></h2>"),
            std::string::npos);
  EXPECT_NE(page.find("<td>&lt;b&gt;x&lt;/b&gt;</td>"), std::string::npos);
  EXPECT_NE(page.find("<div class=\"chart\" id=\"chart-0\" style=\"height:123px\"></div>"),
            std::string::npos);
}

TEST(Report, WriteReportWritesTheFileOrSaysWhy) {
  testing::TempDir dir;
  const std::string ws_dir = MakeWorkspace(dir);
  const auto s = report::WriteReport(Workspace::Open(ws_dir), dir.File("r.html"), {}, Context(1));
  std::ifstream in(dir.File("r.html"), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str().size(), s.bytes);
  EXPECT_EQ(ss.str().rfind("<!DOCTYPE html>", 0), 0u);
  ExpectError(
      [&] {
        report::WriteReport(Workspace::Open(ws_dir), dir.File("no/such/dir/r.html"), {},
                            Context(1));
      },
      ErrorCode::kIo,
      "cannot write the report to " + dir.File("no/such/dir/r.html") +
          ": its folder does not exist");
}

TEST(Report, DataQualityDetailsOnlyTheIngestedTables) {
  testing::TempDir dir;
  const std::string ws_dir = MakeWorkspace(dir);
  // A table prospect derived (no ingest in its history), as profiles or scores are.
  Workspace::Open(ws_dir).store().WriteTable(
      "scores", Table(Schema({{"score", DataType::kDouble}}), {Column::FromDoubles({0.5})}), {},
      Context(1));
  const std::string page = Render(ws_dir);
  EXPECT_NE(page.find("id=\"dq-orders\""), std::string::npos);
  EXPECT_EQ(page.find("id=\"dq-scores\""), std::string::npos);
  EXPECT_NE(page.find("Not shown, as prospect derived them from those: scores."),
            std::string::npos);
}

// Writes a chart, then fails as a section reading a corrupt object would.
class BrokenSection : public report::ReportSection {
 public:
  std::string Id() const override { return "broken"; }
  std::string Title() const override { return "Broken"; }
  bool Write(const Workspace&, const Context&, report::SectionWriter& out) const override {
    out.Chart({{"series", nlohmann::json::array()}});
    Fail(ErrorCode::kInvalidData, "model m v2 is corrupt");
  }
};

TEST(Report, ASectionThatFailsShowsItsErrorAndTheOthersRender) {
  testing::TempDir dir;
  Workspace::Init(dir.File("w"));
  std::vector<std::unique_ptr<report::ReportSection>> sections;
  sections.push_back(std::make_unique<BrokenSection>());
  sections.push_back(std::make_unique<EchoSection>());
  const report::RenderedSections r =
      report::RenderSections(Workspace::Open(dir.File("w")), sections, Context(1));
  EXPECT_EQ(r.sections[0]["status"], "error");
  EXPECT_EQ(r.sections[1]["status"], "results");
  EXPECT_NE(r.sections_html.find("This section could not be shown: model m v2 is corrupt"),
            std::string::npos);
  // The failed section's chart is dropped: the next section's chart is chart 0.
  ASSERT_EQ(r.charts.size(), 1u);
  EXPECT_NE(r.sections_html.find("id=\"chart-0\" style=\"height:123px\""), std::string::npos);
  const nlohmann::json doc = r.ToJson();
  EXPECT_EQ(doc["workspace"], "w");
  EXPECT_EQ(doc["charts"].size(), 1u);
  EXPECT_EQ(doc["sections_html"], r.sections_html);
}

TEST(Report, TheStaticPageAndTheDashboardShareTheRenderedSections) {
  testing::TempDir dir;
  const std::string ws_dir = MakeWorkspace(dir);
  const auto sections = report::RegisteredSections();
  const report::RenderedSections r =
      report::RenderSections(Workspace::Open(ws_dir), sections, Context(1));
  const std::string page = Render(ws_dir);
  EXPECT_NE(page.find(r.sections_html), std::string::npos);
  EXPECT_NE(page.find(r.contents_html), std::string::npos);
  ASSERT_EQ(r.sections.size(), sections.size());
  EXPECT_EQ(r.sections[0]["id"], "overview");

  // The dashboard's page carries no data and loads nothing from elsewhere.
  const std::string live = report::DashboardPage();
  const std::string own = WithoutLibrary(live);
  EXPECT_EQ(own.find("orders"), std::string::npos);
  EXPECT_EQ(own.find("http://"), std::string::npos);
  EXPECT_EQ(own.find("https://"), std::string::npos);
  EXPECT_FALSE(HasTagWithAttribute(live, "script", "src"));
  EXPECT_NE(own.find("fetch('v1/dashboard'"), std::string::npos);
  EXPECT_NE(own.find("<div id=\"sections\"></div>"), std::string::npos);
}

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(report::HtmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(report::HtmlEscape("用户画像"), "用户画像");
}

}  // namespace
}  // namespace prospect
