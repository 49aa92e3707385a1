// Item attributes as features for content-based recommendation: TF-IDF over the words of chosen
// columns of one or more tables (a catalogue's categories and titles, free-text tags), one row per
// item of the interaction matrix. Items of the catalogue that nobody chose yet are rows too: that
// is how a new item reaches users (cold start).
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/linalg/sparse.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// Where item attributes come from: `columns` of `table`, whose `id_column` names the item (an
/// item may have several rows, as tags do).
struct ItemContentSource {
  std::string table;
  std::string id_column;
  std::vector<std::string> columns;

  /// "TABLE:ID_COLUMN:COL1,COL2" (the command line's --content). kInvalidArgument otherwise.
  static ItemContentSource Parse(std::string_view text);
  nlohmann::json ToJson() const;
  static ItemContentSource FromJson(const nlohmann::json& j);
};

/// The lower-cased words of `text`: runs of letters and digits (other bytes, UTF-8 included,
/// end a word).
std::vector<std::string> ContentWords(std::string_view text);

/// items × terms TF-IDF. A term is COLUMN:WORD; tf is its count over the item's rows of that
/// column, idf = ln((1 + N) / (1 + df)) + 1 over the N items with any term (scikit-learn's
/// smooth idf), and each row is scaled to unit length (rows of items without terms stay empty).
struct ItemContent {
  CsrMatrix features;              ///< item_ids.size() × terms.size()
  std::vector<std::string> terms;  ///< column j is terms[j], in order of first appearance
};

/// The sources of item attributes with their tables loaded: what a model that learns from content
/// is given, for whatever items its interaction matrix holds.
struct ItemAttributes {
  std::vector<ItemContentSource> sources;
  std::vector<Table> tables;  ///< tables[k] holds sources[k].table

  bool empty() const { return sources.empty(); }
  /// The TF-IDF rows of `item_ids` (ids as Column::FormatValue writes them); rows of the tables
  /// naming other items are ignored. Missing columns are kNotFound.
  ItemContent Features(std::span<const std::string> item_ids) const;
  /// Every item the tables name, in order of first appearance: the catalogue, including items
  /// no interaction names yet.
  std::vector<std::string> CatalogueIds() const;
};

}  // namespace prospect
