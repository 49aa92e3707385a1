// The public readers by path: the file is loaded once, the same way for both formats (read whole,
// gunzipped, checked, transcoded; see text_source.hpp), then parsed as CSV or JSON Lines.
#include "io/csv_internal.hpp"
#include "io/text_source.hpp"
#include "prospect/io/csv.hpp"

namespace prospect {

Table ReadCsv(const std::string& path, const ReadOptions& options, const Context& ctx,
              ReadReport* report) {
  const io::LoadedText text = io::LoadText(path, options.encoding, ctx.threads());
  return io::ReadCsvText(text.view(), path, options, ctx, report);
}

Table ReadJsonl(const std::string& path, const ReadOptions& options, const Context& ctx,
                ReadReport* report) {
  const io::LoadedText text = io::LoadText(path, options.encoding, ctx.threads());
  return io::ReadJsonlText(text.view(), path, options, ctx, report);
}

}  // namespace prospect
