// Re-keying a workspace's pseudonyms and sealed raw values (see RotatePiiKey in pii.hpp).
#include <fmt/format.h>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/privacy/forget.hpp"
#include "prospect/privacy/pii.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

nlohmann::json PiiRotation::ToJson() const {
  return {{"from_key_id", from_key_id},
          {"to_key_id", to_key_id},
          {"tables", tables},
          {"values", values},
          {"suppressed_emails_kept", suppressed_emails_kept}};
}

PiiRotation RotatePiiKey(Store& store, const PiiKey& from, const PiiKey& to,
                         std::string_view phone_region, const Context& ctx) {
  if (from.id() == to.id())
    Fail(ErrorCode::kInvalidArgument, "the new key is the key in use ({}): nothing to re-key",
         from.id());
  PiiRotation out{from.id(), to.id(), {}, 0, 0};
  // Everything is checked before anything changes.
  std::vector<PiiDeclaration> declarations;
  for (const StoredObject& o : store.ListObjects(kPiiObjectKind)) {
    PiiDeclaration d = PiiDeclaration::FromJson(o.meta);
    if (!store.FindTable(d.table)) continue;
    if (d.key_id != from.id()) {
      Fail(ErrorCode::kInvalidArgument,
           "table {} holds pseudonyms of PII key {}, not of the key in use ({}): load that key "
           "to re-key it",
           d.table, d.key_id, from.id());
    }
    for (const PiiColumn& c : d.columns) {
      if (c.sealed_column.empty()) {
        Fail(ErrorCode::kFailedPrecondition,
             "{}.{} holds pseudonyms without sealed raw values (ingested without "
             "--pii-keep-raw), and a pseudonym cannot be turned back into its value. Ingest {} "
             "again from its source with the new key instead",
             d.table, c.name, d.table);
      }
    }
    declarations.push_back(std::move(d));
  }
  constexpr size_t kBlock = 8192;
  store.RunInTransaction([&] {
    for (PiiDeclaration& d : declarations) {
      const TableInfo info = *store.FindTable(d.table);
      Table table = store.LoadTable(d.table, ctx);
      for (const PiiColumn& c : d.columns) {
        const Column& sealed = table.column(c.sealed_column);
        const size_t n = sealed.size();
        std::vector<std::string> raw(n);
        ParallelFor(ctx, static_cast<int64_t>((n + kBlock - 1) / kBlock), [&](int64_t block) {
          const size_t end = std::min(n, (static_cast<size_t>(block) + 1) * kBlock);
          for (size_t r = static_cast<size_t>(block) * kBlock; r < end; ++r)
            if (!sealed.IsNull(r)) raw[r] = from.Open(sealed.StringAt(r));
        });
        ColumnBuilder values(DataType::kString);
        values.Reserve(n);
        for (size_t r = 0; r < n; ++r) {
          if (sealed.IsNull(r)) {
            values.AppendNull();
          } else {
            values.AppendString(raw[r]);
            ++out.values;
          }
        }
        table = table.WithColumn(c.name, values.Finish());
      }
      // The same columns in the same places: pseudonyms and seals under the new key.
      table = PseudonymiseTable(table, d.columns, to, phone_region, ctx);
      WriteOptions write;
      write.key = info.key;
      store.WriteTable(d.table, table, write, ctx);
      d.key_id = to.id();
      SavePiiDeclaration(store, d);
      out.tables.push_back(d.table);
    }
    out.suppressed_emails_kept = SuppressionList::Load(store).pseudonyms();
    store.Audit("pii.rotate",
                fmt::format("from={} to={} tables={} values={}", out.from_key_id, out.to_key_id,
                            out.tables.empty() ? "-" : Join(out.tables, ","), out.values));
  });
  return out;
}

}  // namespace prospect
