// Item attributes to TF-IDF rows (see item_content.hpp).
#include "prospect/models/recommend/item_content.hpp"

#include <cctype>
#include <cmath>
#include <unordered_map>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

ItemContentSource ItemContentSource::Parse(std::string_view text) {
  const std::vector<std::string> parts = Split(std::string(text), ':');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    Fail(
        ErrorCode::kInvalidArgument,
        "--content {}: expected TABLE:ID_COLUMN:COL1,COL2, for example movies:movieId:genres,title",
        QuoteForMessage(text));
  }
  return {parts[0], parts[1], Split(parts[2], ',')};
}

nlohmann::json ItemContentSource::ToJson() const {
  return {{"table", table}, {"id_column", id_column}, {"columns", columns}};
}

ItemContentSource ItemContentSource::FromJson(const nlohmann::json& j) {
  try {
    return {j.at("table").get<std::string>(), j.at("id_column").get<std::string>(),
            j.at("columns").get<std::vector<std::string>>()};
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "item content source {}: {}", j.dump().substr(0, 200), e.what());
  }
}

std::vector<std::string> ContentWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 128) {
      word += static_cast<char>(std::tolower(u));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

ItemContent ItemAttributes::Features(std::span<const std::string> item_ids) const {
  PROSPECT_CHECK(sources.size() == tables.size());
  std::unordered_map<std::string, size_t> item_index;
  for (size_t i = 0; i < item_ids.size(); ++i) item_index.emplace(item_ids[i], i);
  ItemContent out;
  std::unordered_map<std::string, size_t> term_index;
  std::vector<CsrMatrix::Triplet> counts;
  for (size_t s = 0; s < sources.size(); ++s) {
    const Table& table = tables[s];
    const Column& ids = table.column(sources[s].id_column);
    for (const std::string& name : sources[s].columns) {
      const Column& column = table.column(name);
      for (size_t r = 0; r < table.num_rows(); ++r) {
        if (ids.IsNull(r) || column.IsNull(r)) continue;
        const auto item = item_index.find(ids.FormatValue(r));
        if (item == item_index.end()) continue;
        for (const std::string& word : ContentWords(column.FormatValue(r))) {
          const auto [term, added] = term_index.emplace(name + ":" + word, out.terms.size());
          if (added) out.terms.push_back(term->first);
          counts.push_back({item->second, term->second, 1.0});
        }
      }
    }
  }
  // Summed counts per (item, term), then tf × idf and unit rows.
  const CsrMatrix tf = CsrMatrix::FromTriplets(item_ids.size(), out.terms.size(), counts);
  std::vector<double> df(out.terms.size(), 0.0);
  for (const int32_t t : tf.indices()) df[static_cast<size_t>(t)] += 1;
  double described = 0;
  for (size_t i = 0; i < tf.rows(); ++i) described += tf.RowIndices(i).empty() ? 0 : 1;
  std::vector<CsrMatrix::Triplet> entries;
  entries.reserve(tf.nnz());
  for (size_t i = 0; i < tf.rows(); ++i) {
    const auto terms = tf.RowIndices(i);
    const auto n = tf.RowValues(i);
    double norm = 0;
    std::vector<double> v(terms.size());
    for (size_t k = 0; k < terms.size(); ++k) {
      v[k] = n[k] * (std::log((1 + described) / (1 + df[static_cast<size_t>(terms[k])])) + 1);
      norm += v[k] * v[k];
    }
    norm = std::sqrt(norm);
    for (size_t k = 0; k < terms.size(); ++k)
      entries.push_back({i, static_cast<size_t>(terms[k]), v[k] / norm});
  }
  out.features = CsrMatrix::FromTriplets(item_ids.size(), out.terms.size(), entries);
  return out;
}

std::vector<std::string> ItemAttributes::CatalogueIds() const {
  PROSPECT_CHECK(sources.size() == tables.size());
  std::vector<std::string> out;
  std::unordered_map<std::string, size_t> seen;
  for (size_t s = 0; s < sources.size(); ++s) {
    const Column& ids = tables[s].column(sources[s].id_column);
    for (size_t r = 0; r < ids.size(); ++r) {
      if (ids.IsNull(r)) continue;
      std::string id = ids.FormatValue(r);
      if (seen.emplace(id, out.size()).second) out.push_back(std::move(id));
    }
  }
  return out;
}

}  // namespace prospect
