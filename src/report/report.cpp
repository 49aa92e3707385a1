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
header.top button { margin-left:12px; font:inherit; font-size:12px; color:#f9fafb; background:#374151;
       border:1px solid #4b5563; border-radius:5px; padding:2px 10px; cursor:pointer; }
header.top button:hover { background:#4b5563; }
form.key { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 20px; margin-bottom:20px; }
form.key input { font:inherit; width:28em; max-width:100%; padding:4px 8px; border:1px solid #cbd2d9; border-radius:5px; }
form.key button { font:inherit; padding:4px 12px; margin-left:6px; }
p.status { color:var(--muted); }
footer { color:var(--muted); font-size:12px; text-align:center; margin-top:30px; }
@media print { body { background:#fff; } section.cap { break-inside:auto; border:none; } nav.toc ol { columns:2; } }
)css";

// Draws chart i's options into the element "chart-i" (a redraw disposes the previous charts).
// Options are data (JSON), never code. Shared by the static page and the live dashboard.
constexpr std::string_view kDrawChartsJs = R"js(
var prospectCharts = [];
function prospectDrawCharts(specs) {
  prospectCharts.forEach(function (c) { c.dispose(); });
  prospectCharts = [];
  specs.forEach(function (spec, i) {
    var el = document.getElementById('chart-' + i);
    if (!el || typeof echarts === 'undefined') return;
    spec.animation = false;
    var chart = echarts.init(el);
    chart.setOption(spec);
    prospectCharts.push(chart);
  });
}
window.addEventListener('resize', function () { prospectCharts.forEach(function (c) { c.resize(); }); });
)js";

// The static page: its charts are embedded in a <script type="application/json"> block.
constexpr std::string_view kStaticBootJs = R"js(
prospectDrawCharts(JSON.parse(document.getElementById('prospect-charts').textContent));
)js";

// The live page: a key from "#key=…" (then removed from the address bar) or the form, kept for
// the browser session; the sections fetched from v1/dashboard (relative, so a reverse proxy may
// mount the server under a path). window.prospectDashboard tells tests what happened.
constexpr std::string_view kDashboardJs = R"js(
(function () {
  var KEY = 'prospect-api-key';
  var state = window.prospectDashboard = { status: 'loading', message: '', loads: 0, charts: 0 };
  function $(id) { return document.getElementById(id); }
  function show(status, message) {
    state.status = status;
    state.message = message;
    $('status').textContent = message;
    $('status').hidden = !message;
  }
  function askForKey(message) {
    $('keyform').hidden = false;
    show('needs-key', message);
  }
  function render(doc) {
    $('workspace').textContent = doc.workspace;
    $('contents').innerHTML = doc.contents_html;
    $('sections').innerHTML = doc.sections_html;
    $('toc').hidden = false;
    prospectDrawCharts(doc.charts);
    $('updated').textContent = ' · updated ' + doc.generated_at;
    state.charts = prospectCharts.length;
    state.loads += 1;
    show('ready', '');
  }
  function load() {
    var key = sessionStorage.getItem(KEY);
    if (!key) {
      askForKey('Enter an API key (role read or above) to see this workspace.');
      return;
    }
    $('keyform').hidden = true;
    show('loading', state.loads ? 'Refreshing…' : 'Loading…');
    fetch('v1/dashboard', { headers: { Authorization: 'Bearer ' + key }, cache: 'no-store' })
      .then(function (r) {
        return r.text().then(function (text) {
          var body = null;
          try { body = JSON.parse(text); } catch (e) { body = null; }
          if (r.ok && body) { render(body); return; }
          var message = body && body.error ? body.error.message : 'HTTP ' + r.status;
          if (r.status === 401 || r.status === 403) {
            sessionStorage.removeItem(KEY);
            askForKey(message);
          } else {
            show('error', message);
          }
        });
      })
      .catch(function (e) { show('error', 'Could not reach the server: ' + e.message); });
  }
  $('keyform').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $('key').value.trim());
    $('key').value = '';
    load();
  });
  $('refresh').addEventListener('click', load);
  var m = /(?:^#|&)key=([^&]*)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  load();
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

// <!DOCTYPE> to <body> with the styles. A served page names an empty icon, so browsers ask the
// server for no /favicon.ico (a 404 there is an error in their console).
std::string PageHead(const std::string& title, bool served) {
  std::string head = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  head += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  if (served) head += "<link rel=\"icon\" href=\"data:,\">\n";
  head += fmt::format("<title>{}</title>\n", HtmlEscape(title));
  head += "<style>";
  head += kCss;
  head += "</style>\n</head>\n<body>\n";
  return head;
}

// The chart library, the drawing function, then the page's own boot code; closes the page.
std::string PageScripts(std::string_view boot_js) {
  std::string scripts = "<script>\n";
  scripts += ScriptSafeJs(EchartsJs());
  scripts += "\n</script>\n<script>";
  scripts += kDrawChartsJs;
  scripts += boot_js;
  scripts += "</script>\n</body>\n</html>\n";
  return scripts;
}

}  // namespace

std::optional<StoredObject> LatestObject(Store& store, const std::string& kind) {
  std::optional<StoredObject> latest;
  for (auto& o : store.ListObjects(kind)) {
    if (!latest || o.created_at > latest->created_at) latest = std::move(o);
  }
  return latest;
}

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

nlohmann::json RenderedSections::ToJson() const {
  return {{"workspace", workspace},
          {"sections", sections},
          {"contents_html", contents_html},
          {"sections_html", sections_html},
          {"charts", nlohmann::json(charts)}};
}

RenderedSections RenderSections(const Workspace& ws,
                                const std::vector<std::unique_ptr<ReportSection>>& sections,
                                const Context& ctx) {
  RenderedSections out;
  out.workspace = WorkspaceName(ws);
  for (const auto& section : sections) {
    ctx.ThrowIfCancelled();
    SectionWriter writer(&out.charts);
    const size_t charts_before = out.charts.size();
    std::string status;
    try {
      const bool ran = section->Write(ws, ctx, writer);
      out.sections_with_results += ran;
      status = ran ? "results" : section->Available() ? "not run yet" : "not available yet";
    } catch (const std::exception& e) {
      const auto* error = dynamic_cast<const Error*>(&e);
      if (error && error->code() == ErrorCode::kCancelled) throw;
      // One broken object (a corrupt model, an old format) must not take the page down.
      out.charts.resize(charts_before);
      writer = SectionWriter(&out.charts);
      writer.Paragraph(fmt::format("This section could not be shown: {}", e.what()), "notrun");
      status = "error";
    }
    const std::string id = HtmlEscape(section->Id()), title = HtmlEscape(section->Title());
    const bool ran = status == "results";
    out.contents_html +=
        fmt::format("<li><a href=\"#{}\"><span class=\"dot{}\"></span>{}</a></li>\n", id,
                    ran ? " done" : "", title);
    out.sections_html += fmt::format(
        "<section class=\"cap\" id=\"{}\">\n<h2>{} <span class=\"badge{}\">{}</span></h2>\n{}"
        "</section>\n",
        id, title, ran ? " done" : "", status, writer.html());
    out.sections.push_back(
        {{"id", section->Id()}, {"title", section->Title()}, {"status", status}});
  }
  return out;
}

std::string RenderReport(const Workspace& ws,
                         const std::vector<std::unique_ptr<ReportSection>>& sections,
                         const ReportOptions& options, const Context& ctx, ReportSummary* summary) {
  const RenderedSections rendered = RenderSections(ws, sections, ctx);
  std::string page;
  page.reserve(EchartsJs().size() + rendered.sections_html.size() + 64 * 1024);
  page += PageHead(options.title + " — " + rendered.workspace, false);
  page += fmt::format(
      "<header class=\"top\"><h1>{}</h1><div class=\"meta\">Workspace <b>{}</b>{}</div></header>\n",
      HtmlEscape(options.title), HtmlEscape(rendered.workspace),
      options.generated_at.empty() ? std::string()
                                   : " · generated " + HtmlEscape(options.generated_at));
  page += "<main>\n<nav class=\"toc\"><h2>Contents</h2><ol>\n" + rendered.contents_html +
          "</ol></nav>\n";
  page += rendered.sections_html;
  page +=
      "<footer>Made by prospect. Self-contained: charts drawn with Apache ECharts, embedded in "
      "this file.</footer>\n";
  page += "</main>\n<script type=\"application/json\" id=\"prospect-charts\">";
  page += ScriptSafeJson(nlohmann::json(rendered.charts));
  page += "</script>\n";
  page += PageScripts(kStaticBootJs);
  if (summary) {
    summary->sections = sections.size();
    summary->sections_with_results = rendered.sections_with_results;
    summary->charts = rendered.charts.size();
    summary->bytes = page.size();
  }
  return page;
}

std::string DashboardPage() {
  std::string page = PageHead("prospect dashboard", true);
  page +=
      "<header class=\"top\"><h1>prospect dashboard</h1><div class=\"meta\">Workspace <b "
      "id=\"workspace\">…</b><span id=\"updated\"></span><button id=\"refresh\" "
      "type=\"button\">Refresh</button></div></header>\n<main>\n"
      "<form class=\"key\" id=\"keyform\" hidden><label for=\"key\">API key</label> <input "
      "id=\"key\" type=\"password\" autocomplete=\"off\" placeholder=\"from prospect keys "
      "create --role read\"><button type=\"submit\">Show</button></form>\n"
      "<p class=\"status\" id=\"status\" hidden></p>\n"
      "<nav class=\"toc\" id=\"toc\" hidden><h2>Contents</h2><ol id=\"contents\"></ol></nav>\n"
      "<div id=\"sections\"></div>\n"
      "<footer>Live from the workspace's store by prospect serve. Charts drawn with Apache "
      "ECharts.</footer>\n</main>\n";
  page += PageScripts(kDashboardJs);
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
