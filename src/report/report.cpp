// Page assembly for the HTML report: header, table of contents, sections, the embedded chart
// library and the chart specs (JSON in a <script type="application/json"> block).
#include "prospect/report/report.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "prospect/common/error.hpp"
#include "prospect/io/output_file.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

// Kept short and dependency-free; the page must look right offline and when printed.
constexpr std::string_view kCss = R"css(
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f5f7fa; --card:#fff; --accent:#2563eb;
        --warn:#b45309; --warn-bg:#fff7ed; --info-bg:#eff6ff; --ok:#15803d; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
       "Noto Sans CJK SC", sans-serif; color:var(--ink); background:var(--bg); }
header.top { background:#111827; color:#f9fafb; padding:22px 32px; }
header.top h1 { margin:0; font-size:22px; font-weight:600; letter-spacing:.2px; }
header.top .meta { margin-top:4px; color:#9ca3af; font-size:13px; }
header.top .meta b { color:#e5e7eb; font-weight:500; }
main { max-width:1180px; margin:0 auto; padding:24px 24px 60px; }
nav.toc { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 20px; margin-bottom:20px; }
nav.toc h2 { font-size:13px; text-transform:uppercase; letter-spacing:.6px; color:var(--muted); margin:0 0 8px; }
nav.toc ol { margin:0; padding:0; list-style:none; columns:3; column-gap:24px; }
nav.toc li { padding:2px 0; break-inside:avoid; }
nav.toc a { color:var(--ink); text-decoration:none; }
nav.toc a:hover { color:var(--accent); text-decoration:underline; }
.dot { display:inline-block; width:8px; height:8px; border-radius:50%; margin-right:8px; background:#cbd2d9; }
.dot.done { background:var(--ok); }
section.cap { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:18px 24px 22px; margin-bottom:18px; }
section.cap > h2 { font-size:19px; margin:0 0 10px; font-weight:600; display:flex; align-items:center; gap:10px; }
.badge { font-size:11px; font-weight:600; padding:2px 8px; border-radius:10px; background:#e4e7eb; color:var(--muted); }
.badge.done { background:#dcfce7; color:var(--ok); }
h3 { font-size:16px; margin:22px 0 6px; padding-top:14px; border-top:1px solid var(--line); }
h3:first-of-type { border-top:none; padding-top:0; }
h4 { font-size:13px; margin:14px 0 6px; color:var(--muted); text-transform:uppercase; letter-spacing:.5px; }
p { margin:6px 0; }
p.muted, .muted { color:var(--muted); }
p.notrun { color:var(--muted); background:var(--bg); border:1px dashed #cbd2d9; border-radius:6px; padding:10px 14px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background:#f0f2f5; padding:1px 5px; border-radius:4px; }
table.data { border-collapse:collapse; width:100%; margin:8px 0 4px; font-size:13px; }
table.data th { text-align:left; font-weight:600; color:var(--muted); border-bottom:2px solid var(--line); padding:5px 8px; white-space:nowrap; }
table.data td { border-bottom:1px solid var(--line); padding:4px 8px; vertical-align:top; }
table.data td.num, table.data th.num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
table.data tr:hover td { background:#fafbfc; }
.wrap { overflow-x:auto; }
ul.findings { list-style:none; padding:0; margin:8px 0; }
ul.findings li { border-left:4px solid #93c5fd; background:var(--info-bg); padding:7px 12px; margin:6px 0; border-radius:0 6px 6px 0; }
ul.findings li.warning { border-left-color:#f59e0b; background:var(--warn-bg); }
ul.findings .sev { font-size:11px; font-weight:700; text-transform:uppercase; margin-right:6px; color:#1d4ed8; }
ul.findings li.warning .sev { color:var(--warn); }
ul.findings .fix { display:block; color:var(--muted); font-size:12.5px; margin-top:2px; }
.grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(340px, 1fr)); gap:12px; margin:8px 0; }
.chart { width:100%; border:1px solid var(--line); border-radius:6px; background:#fff; }
.kpis { display:flex; flex-wrap:wrap; gap:10px; margin:8px 0 10px; }
.kpi { background:var(--bg); border-radius:6px; padding:8px 14px; min-width:120px; }
.kpi .v { font-size:18px; font-weight:600; }
.kpi .k { font-size:12px; color:var(--muted); }
footer { color:var(--muted); font-size:12px; text-align:center; margin-top:30px; }
@media print { body { background:#fff; } section.cap { break-inside:auto; border:none; } nav.toc ol { columns:2; } }
)css";

// Draws every chart once the page has loaded. Specs are data (JSON), never code.
constexpr std::string_view kBootJs = R"js(
(function () {
  var node = document.getElementById('prospect-charts');
  var specs = JSON.parse(node.textContent);
  var charts = [];
  specs.forEach(function (spec, i) {
    var el = document.getElementById('chart-' + i);
    if (!el || typeof echarts === 'undefined') return;
    spec.animation = false;
    var chart = echarts.init(el);
    chart.setOption(spec);
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
)js";

// JSON inside <script>: '<', '>' and '&' only occur inside strings, where \u escapes are equal.
std::string ScriptSafeJson(const nlohmann::json& j) {
  const std::string text = j.dump();
  std::string out;
  out.reserve(text.size() + 64);
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The library inside a <script> element: "</script" would end the element early.
std::string ScriptSafeJs(std::string_view js) {
  std::string out(js);
  for (size_t pos = 0; (pos = out.find("</script", pos)) != std::string::npos; pos += 2)
    out.replace(pos, 2, "<\\/");
  return out;
}

std::string WorkspaceName(const Workspace& ws) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(ws.dir(), ec);
  if (ec) p = ws.dir();
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();
  return name.empty() ? ws.dir() : name;
}

}  // namespace

std::string Kpi(const std::string& value, const std::string& label) {
  return fmt::format("<div class=\"kpi\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
                     HtmlEscape(value), HtmlEscape(label));
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

void SectionWriter::Heading(std::string_view text, std::string_view anchor) {
  if (anchor.empty()) {
    html_ += fmt::format("<h3>{}</h3>\n", HtmlEscape(text));
  } else {
    html_ += fmt::format("<h3 id=\"{}\">{}</h3>\n", HtmlEscape(anchor), HtmlEscape(text));
  }
}

void SectionWriter::Paragraph(std::string_view text, std::string_view css_class) {
  if (css_class.empty()) {
    html_ += fmt::format("<p>{}</p>\n", HtmlEscape(text));
  } else {
    html_ += fmt::format("<p class=\"{}\">{}</p>\n", HtmlEscape(css_class), HtmlEscape(text));
  }
}

void SectionWriter::Table(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows,
                          const std::vector<bool>& numeric_columns) {
  auto cls = [&](size_t i) {
    return i < numeric_columns.size() && numeric_columns[i] ? std::string(" class=\"num\"")
                                                            : std::string();
  };
  html_ += "<div class=\"wrap\"><table class=\"data\"><thead><tr>";
  for (size_t i = 0; i < header.size(); ++i)
    html_ += fmt::format("<th{}>{}</th>", cls(i), HtmlEscape(header[i]));
  html_ += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    html_ += "<tr>";
    for (size_t i = 0; i < row.size(); ++i)
      html_ += fmt::format("<td{}>{}</td>", cls(i), HtmlEscape(row[i]));
    html_ += "</tr>\n";
  }
  html_ += "</tbody></table></div>\n";
}

std::string SectionWriter::Chart(const nlohmann::json& option, int height_px) {
  const std::string id = fmt::format("chart-{}", charts_->size());
  charts_->push_back(option);
  ++chart_count_;
  html_ +=
      fmt::format("<div class=\"chart\" id=\"{}\" style=\"height:{}px\"></div>\n", id, height_px);
  return id;
}

std::string RenderReport(const Workspace& ws,
                         const std::vector<std::unique_ptr<ReportSection>>& sections,
                         const ReportOptions& options, const Context& ctx, ReportSummary* summary) {
  std::vector<nlohmann::json> charts;
  std::string toc, body;
  size_t with_results = 0;
  for (const auto& section : sections) {
    ctx.ThrowIfCancelled();
    SectionWriter writer(&charts);
    const bool ran = section->Write(ws, ctx, writer);
    with_results += ran;
    const std::string id = HtmlEscape(section->Id()), title = HtmlEscape(section->Title());
    toc += fmt::format("<li><a href=\"#{}\"><span class=\"dot{}\"></span>{}</a></li>\n", id,
                       ran ? " done" : "", title);
    body += fmt::format(
        "<section class=\"cap\" id=\"{}\">\n<h2>{} <span "
        "class=\"badge{}\">{}</span></h2>\n{}</section>\n",
        id, title, ran ? " done" : "",
        ran                    ? "results"
        : section->Available() ? "not run yet"
                               : "not available yet",
        writer.html());
  }
  const std::string workspace = WorkspaceName(ws);
  std::string page;
  page.reserve(EchartsJs().size() + body.size() + 64 * 1024);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += fmt::format("<title>{} — {}</title>\n", HtmlEscape(options.title), HtmlEscape(workspace));
  page += "<style>";
  page += kCss;
  page += "</style>\n</head>\n<body>\n";
  page += fmt::format(
      "<header class=\"top\"><h1>{}</h1><div class=\"meta\">Workspace <b>{}</b>{}</div></header>\n",
      HtmlEscape(options.title), HtmlEscape(workspace),
      options.generated_at.empty() ? std::string()
                                   : " · generated " + HtmlEscape(options.generated_at));
  page += "<main>\n<nav class=\"toc\"><h2>Contents</h2><ol>\n" + toc + "</ol></nav>\n";
  page += body;
  page +=
      "<footer>Made by prospect. Self-contained: charts drawn with Apache ECharts, embedded in "
      "this file.</footer>\n";
  page += "</main>\n<script type=\"application/json\" id=\"prospect-charts\">";
  page += ScriptSafeJson(nlohmann::json(charts));
  page += "</script>\n<script>\n";
  page += ScriptSafeJs(EchartsJs());
  page += "\n</script>\n<script>";
  page += kBootJs;
  page += "</script>\n</body>\n</html>\n";
  if (summary) {
    summary->sections = sections.size();
    summary->sections_with_results = with_results;
    summary->charts = charts.size();
    summary->bytes = page.size();
  }
  return page;
}

ReportSummary WriteReport(const Workspace& ws, const std::string& path,
                          const ReportOptions& options, const Context& ctx) {
  ReportSummary summary;
  const std::string page = RenderReport(ws, RegisteredSections(), options, ctx, &summary);
  summary.path = path;
  OutputFile out(path, "the report");  // a reader never sees half a report
  out.Write(page);
  out.Commit();
  return summary;
}

}  // namespace prospect::report
