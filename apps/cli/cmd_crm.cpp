// prospect crm … — people, companies, opportunities and their stages, campaigns, timelines,
// duplicates and merges (the library's crm/ does the work; this file only translates).
#include <iostream>

#include "cli.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/crm/activity.hpp"
#include "prospect/crm/crm.hpp"
#include "prospect/crm/merge.hpp"
#include "prospect/crm/pipeline.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/privacy/pii.hpp"

namespace prospect::cli {
namespace {

std::string Money(double v) { return fmt::format("{:.2f}", v); }

std::string OrDash(const std::optional<std::string>& v) {
  return v ? QuoteForMessage(*v, 40) : "-";
}

void AddImportExport(CLI::App& crm, Cli& cli) {
  struct Flags {
    std::string object, file, from = "prospect", at;
    std::vector<std::string> map;
    bool replace = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* import = AddWorkspaceCommand(
      crm, cli, "import",
      "Read a CRM export (people, companies, opportunities, stage-changes, campaigns, "
      "campaign-members, notes) into its crm_ table, renaming columns by the tool's names; "
      "records are updated by id, opportunities' stage changes recorded",
      R"(  prospect crm import people contacts.csv --from hubspot
  prospect crm import companies companies.csv --from twenty
  prospect crm import deals deals.csv --from hubspot --at "2024-06-01 09:00:00"
  prospect crm import people leads.csv --map "E-mail address=email" --map "Ref=customer_id"
  prospect crm import stage-changes history.csv     # opportunity_id, stage, changed_at
)",
      [&cli, f](Workspace& ws, Context& ctx) {
        CrmImportRequest request;
        request.object = ParseCrmObject(f->object);
        request.file = f->file;
        request.source = ParseCrmSource(f->from);
        request.map = f->map;
        request.replace = f->replace;
        request.at = f->at;
        const CrmImportResult r = ImportCrm(ws, request, ctx);
        if (cli.options.json) {
          cli.PrintJson(r.ToJson());
          return;
        }
        std::cout << fmt::format("Imported {} records into {} ({} rows now).\n",
                                 r.ingest.rows_loaded, r.ingest.table, r.ingest.table_rows);
        if (r.stage_changes > 0)
          std::cout << fmt::format("{} opportunities entered a stage.\n", r.stage_changes);
        if (!r.ingest.pseudonymised.empty())
          std::cout << "Pseudonymised: " << Join(r.ingest.pseudonymised, ", ") << "\n";
      });
  import->add_option("OBJECT", f->object, "people, companies, opportunities (deals), ...")
      ->required();
  import->add_option("FILE", f->file, "the CSV export")->required();
  import->add_option("--from", f->from,
                     "whose export: prospect (columns as stored), hubspot, twenty");
  import->add_option("--map", f->map, "\"File header=column\": store a column under another name");
  import->add_flag("--replace", f->replace, "replace the stored records instead of updating them");
  import->add_option("--at", f->at, "when the stage changes it finds happened (default: now)");

  struct ExportFlags {
    std::string object, to = "prospect", out = "-";
  };
  auto e = std::make_shared<ExportFlags>();
  CLI::App* exp = AddWorkspaceCommand(
      crm, cli, "export",
      "Write CRM records as CSV with a tool's column names (the header order of the last import "
      "from it), for a round trip back into HubSpot or Twenty",
      R"(  prospect crm export people --to hubspot --out contacts.csv
  prospect crm export deals --to twenty --out opportunities.csv
)",
      [&cli, e](Workspace& ws, Context& ctx) {
        const Table t =
            ExportCrm(ws.store(), ParseCrmObject(e->object), ParseCrmSource(e->to), ctx);
        WriteCsv(t, e->out, ctx);
        if (cli.options.json && e->out != "-")
          cli.PrintJson({{"out", e->out}, {"rows", t.num_rows()}, {"columns", t.schema().Names()}});
        else if (e->out != "-")
          cli.Say(fmt::format("wrote {} records to {}", t.num_rows(), e->out));
      });
  exp->add_option("OBJECT", e->object, "people, companies, opportunities (deals), ...")->required();
  exp->add_option("--to", e->to, "column names of: prospect, hubspot, twenty");
  exp->add_option("--out", e->out, "the CSV file (default: standard output)");
}

void AddPipelineCommands(CLI::App& crm, Cli& cli) {
  struct Flags {
    std::string opportunity, stage, at, as_of;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* stage = AddWorkspaceCommand(
      crm, cli, "stage", "Move an opportunity to a stage, recording the change in its history",
      R"(  prospect crm stage 9001 MEETING
  prospect crm stage 9001 proposal --at "2024-05-02 14:00:00"
)",
      [&cli, f](Workspace& ws, Context& ctx) {
        const CrmConfig config = CrmConfig::FromJson(ws.Section("crm"));
        const StageMove m =
            MoveToStage(ws.store(), config, f->opportunity, f->stage, CrmTime(f->at), ctx);
        if (cli.options.json) {
          cli.PrintJson({{"opportunity_id", m.opportunity_id},
                         {"from", m.from.empty() ? nlohmann::json() : nlohmann::json(m.from)},
                         {"to", m.to},
                         {"moved", m.moved}});
        } else if (m.moved) {
          std::cout << fmt::format("Opportunity {}: {} → {}.\n", m.opportunity_id,
                                   m.from.empty() ? "-" : m.from, m.to);
        } else {
          std::cout << fmt::format("Opportunity {} is already in {}.\n", m.opportunity_id, m.to);
        }
      });
  stage->add_option("OPPORTUNITY", f->opportunity, "the opportunity's id")->required();
  stage->add_option("STAGE", f->stage, "a stage of prospect.toml [crm] stages")->required();
  stage->add_option("--at", f->at, "when (UTC, default now)");

  auto h = std::make_shared<Flags>();
  CLI::App* history = AddWorkspaceCommand(
      crm, cli, "history",
      "Time in stage: for one opportunity its stays in each stage; for all, per stage the mean "
      "and median days of completed stays and the opportunities still there",
      R"(  prospect crm history
  prospect crm history 9001 --as-of "2024-06-30 00:00:00"
)",
      [&cli, h](Workspace& ws, Context& ctx) {
        const CrmConfig config = CrmConfig::FromJson(ws.Section("crm"));
        if (!ws.store().FindTable("crm_stage_changes"))
          Fail(ErrorCode::kNotFound, "no stage history yet: import opportunities or stage-changes");
        const Table changes = ws.store().LoadTable("crm_stage_changes", ctx);
        const std::vector<StageVisit> visits =
            StageVisits(changes, h->opportunity, CrmTime(h->as_of));
        if (!h->opportunity.empty()) {
          if (visits.empty())
            Fail(ErrorCode::kNotFound, "opportunity {} has no stage history",
                 QuoteForMessage(h->opportunity));
          if (cli.options.json) {
            nlohmann::json doc = nlohmann::json::array();
            for (const StageVisit& v : visits) doc.push_back(v.ToJson());
            cli.PrintJson({{"opportunity_id", h->opportunity}, {"stays", doc}});
            return;
          }
          std::vector<std::vector<std::string>> rows;
          for (const StageVisit& v : visits)
            rows.push_back({v.stage, FormatTimestamp(v.entered),
                            v.left ? FormatTimestamp(*v.left) : "(still there)", Fixed(v.days, 2)});
          cli.PrintTable({"stage", "entered", "left", "days"}, rows);
          return;
        }
        const std::vector<StageTime> times = TimeInStage(visits, config);
        if (cli.options.json) {
          nlohmann::json doc = nlohmann::json::array();
          for (const StageTime& t : times) doc.push_back(t.ToJson());
          cli.PrintJson({{"stages", doc}});
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const StageTime& t : times)
          rows.push_back({t.stage, std::to_string(t.completed), Fixed(t.mean_days, 2),
                          Fixed(t.median_days, 2), std::to_string(t.open),
                          Fixed(t.open_mean_days, 2)});
        cli.PrintTable({"stage", "completed stays", "mean days", "median days", "there now",
                        "their mean days"},
                       rows);
      });
  history->add_option("OPPORTUNITY", h->opportunity, "one opportunity (default: all)");
  history->add_option("--as-of", h->as_of, "open stays last until then (UTC, default now)");

  AddWorkspaceCommand(
      crm, cli, "pipeline",
      "Opportunities per stage with their amount and the amount weighted by the stage's "
      "probability",
      "  prospect crm pipeline\n  prospect crm pipeline --json\n",
      [&cli](Workspace& ws, Context& ctx) {
        const CrmConfig config = CrmConfig::FromJson(ws.Section("crm"));
        const std::vector<PipelineStage> stages = SummarizePipeline(ws.store(), config, ctx);
        if (cli.options.json) {
          nlohmann::json doc = nlohmann::json::array();
          for (const PipelineStage& s : stages) doc.push_back(s.ToJson());
          cli.PrintJson({{"stages", doc}});
          return;
        }
        std::vector<std::vector<std::string>> rows;
        double amount = 0, weighted = 0;
        for (const PipelineStage& s : stages) {
          rows.push_back({s.stage, Fixed(s.probability, 2), std::to_string(s.opportunities),
                          Money(s.amount), Money(s.weighted_amount)});
          amount += s.amount;
          weighted += s.weighted_amount;
        }
        rows.push_back({"total", "", "", Money(amount), Money(weighted)});
        cli.PrintTable({"stage", "probability", "opportunities", "amount", "weighted"}, rows);
      });

  struct PersonFlags {
    std::string id, text, at;
    size_t limit = 50;
  };
  auto c = std::make_shared<PersonFlags>();
  CLI::App* convert = AddWorkspaceCommand(
      crm, cli, "convert",
      "Convert a lead into a customer: lifecycle \"customer\" in crm_people, and a row in the "
      "customers table with the columns the two share",
      "  prospect crm convert L-2031\n", [&cli, c](Workspace& ws, Context& ctx) {
        const Conversion r = ConvertLead(ws, c->id, CrmTime(c->at), ctx);
        if (cli.options.json) {
          cli.PrintJson(r.ToJson());
          return;
        }
        std::cout << fmt::format("{} is a customer{}.\n", r.customer_id,
                                 r.added_to_customers
                                     ? " (added to customers: " + Join(r.copied_columns, ", ") + ")"
                                     : "");
      });
  convert->add_option("ID", c->id, "the lead's customer_id")->required();
  convert->add_option("--at", c->at, "when (UTC, default now)");

  auto t = std::make_shared<PersonFlags>();
  CLI::App* timeline = AddWorkspaceCommand(
      crm, cli, "timeline",
      "A person's activity, newest first: events, orders, campaigns, opportunities and their "
      "stages, notes",
      "  prospect crm timeline 1042\n  prospect crm timeline 1042 --limit 0 --json\n",
      [&cli, t](Workspace& ws, Context& ctx) {
        const std::vector<TimelineEntry> entries = PersonTimeline(ws, t->id, t->limit, ctx);
        if (cli.options.json) {
          nlohmann::json doc = nlohmann::json::array();
          for (const TimelineEntry& e : entries) doc.push_back(e.ToJson());
          cli.PrintJson({{"customer_id", t->id}, {"entries", doc}});
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const TimelineEntry& e : entries)
          rows.push_back({FormatTimestamp(e.at), e.kind, e.summary});
        cli.PrintTable({"at", "kind", "what"}, rows);
      });
  timeline->add_option("ID", t->id, "the person's customer_id")->required();
  timeline->add_option("--limit", t->limit, "at most this many entries (0: all; default 50)");

  auto n = std::make_shared<PersonFlags>();
  CLI::App* note =
      AddWorkspaceCommand(crm, cli, "note", "Add a note to a person's timeline",
                          "  prospect crm note 1042 \"Called: wants the annual plan\"\n",
                          [&cli, n](Workspace& ws, Context& ctx) {
                            AddNote(ws.store(), n->id, n->text, CrmTime(n->at), ctx);
                            if (cli.options.json)
                              cli.PrintJson({{"customer_id", n->id}, {"added", true}});
                          });
  note->add_option("ID", n->id, "the person's customer_id")->required();
  note->add_option("TEXT", n->text, "the note")->required();
  note->add_option("--at", n->at, "when (UTC, default now)");
}

void AddMergeCommands(CLI::App& crm, Cli& cli) {
  struct DupFlags {
    std::string object = "people", country;
  };
  auto d = std::make_shared<DupFlags>();
  CLI::App* duplicates = AddWorkspaceCommand(
      crm, cli, "duplicates",
      "Find records that look like one person or company (same e-mail, phone, name and company "
      "or city; same domain or name without the legal form)",
      "  prospect crm duplicates people --country FR\n  prospect crm duplicates companies --json\n",
      [&cli, d](Workspace& ws, Context& ctx) {
        const CrmObject object = ParseCrmObject(d->object);
        const std::string country =
            d->country.empty() ? PhoneRegion(ws.Section("pii")) : d->country;
        const std::vector<DuplicateGroup> groups = FindDuplicates(ws.store(), object, country, ctx);
        if (cli.options.json) {
          nlohmann::json doc = nlohmann::json::array();
          for (const DuplicateGroup& g : groups) doc.push_back(g.ToJson());
          cli.PrintJson({{"object", d->object}, {"groups", doc}});
          return;
        }
        if (groups.empty()) {
          std::cout << fmt::format("No duplicates among the {}.\n", d->object);
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const DuplicateGroup& g : groups)
          rows.push_back({Join(g.ids, ", "), Join(g.reasons, "; ")});
        cli.PrintTable({"ids", "why"}, rows);
        std::cout << fmt::format("{} groups. Merge one with: prospect crm merge {} KEEP OTHER\n",
                                 groups.size(), d->object);
      });
  duplicates->add_option("OBJECT", d->object, "people (default) or companies");
  duplicates->add_option("--country", d->country,
                         "country (ISO alpha-2) of national phone numbers without a country "
                         "column (default: [pii] phone_region)");

  struct MergeFlags {
    std::string object, keep, other;
    std::vector<std::string> take;
    bool apply = false;
  };
  auto m = std::make_shared<MergeFlags>();
  CLI::App* merge = AddWorkspaceCommand(
      crm, cli, "merge",
      "Merge two records: by default a dry run listing, field by field, whose value the merged "
      "record keeps; --apply merges (audited; `crm undo ENTRY` reverses it)",
      R"(  prospect crm merge people 1042 2077                  # dry run: the field choices
  prospect crm merge people 1042 2077 --take phone=other --apply
  prospect crm undo 57                                  # the merge's audit entry
)",
      [&cli, m](Workspace& ws, Context& ctx) {
        MergeRequest request;
        request.object = ParseCrmObject(m->object);
        request.keep = m->keep;
        request.other = m->other;
        request.dry_run = !m->apply;
        for (const std::string& spec : m->take) {
          const size_t eq = spec.find('=');
          if (eq == std::string::npos)
            Fail(ErrorCode::kInvalidArgument, "--take {}: expected FIELD=keep or FIELD=other",
                 QuoteForMessage(spec));
          request.take[spec.substr(0, eq)] = spec.substr(eq + 1);
        }
        const MergeResult r = MergeRecords(ws.store(), request, ctx);
        if (cli.options.json) {
          cli.PrintJson(r.ToJson());
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const FieldChoice& c : r.fields)
          rows.push_back({c.field, OrDash(c.keep), OrDash(c.other), c.winner, c.reason});
        cli.PrintTable({"field", r.keep + " (keep)", r.other + " (other)", "winner", "why"}, rows);
        for (const MergeReference& ref : r.references)
          std::cout << fmt::format("{} rows of {}.{} will point at {}.\n", ref.rows, ref.table,
                                   ref.column, r.keep);
        if (r.merged) {
          std::cout << fmt::format(
              "Merged {} into {}. Audit entry {}; undo with: prospect crm "
              "undo {}\n",
              r.other, r.keep, r.audit_id, r.audit_id);
        } else {
          std::cout << "Dry run: nothing changed. Add --apply to merge.\n";
        }
      });
  merge->add_option("OBJECT", m->object, "people, companies, opportunities or campaigns")
      ->required();
  merge->add_option("KEEP", m->keep, "the id that stays")->required();
  merge->add_option("OTHER", m->other, "the id merged into it")->required();
  merge->add_option("--take", m->take, "FIELD=keep|other: whose value of FIELD wins");
  merge->add_flag("--apply", m->apply, "merge (without it: a dry run)");

  auto u = std::make_shared<int64_t>(0);
  CLI::App* undo = AddWorkspaceCommand(
      crm, cli, "undo", "Undo a merge from its audit entry (as `crm merge --apply` printed it)",
      "  prospect crm undo 57\n", [&cli, u](Workspace& ws, Context& ctx) {
        const UndoResult r = UndoMerge(ws.store(), *u, ctx);
        if (cli.options.json) {
          cli.PrintJson(r.ToJson());
          return;
        }
        std::cout << fmt::format("Undid merge {}: restored {} (audit entry {}).\n",
                                 r.merge_audit_id, Join(r.tables, ", "), r.audit_id);
      });
  undo->add_option("ENTRY", *u, "the merge's audit entry id")->required();
}

void AddCampaignCommands(CLI::App& crm, Cli& cli) {
  CLI::App* campaign =
      crm.add_subcommand("campaign", "Campaigns: send to an audience, record responses, results");
  campaign->require_subcommand(1);
  struct Flags {
    std::string campaign, audience, customer, at;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* send = AddWorkspaceCommand(
      *campaign, cli, "send", "Add a saved audience's members to a campaign as sent",
      "  prospect crm campaign send spring-promo --audience likely-buyers\n",
      [&cli, f](Workspace& ws, Context& ctx) {
        const int64_t added =
            SendCampaign(ws.store(), f->campaign, f->audience, CrmTime(f->at), ctx);
        if (cli.options.json) {
          cli.PrintJson({{"campaign_id", f->campaign}, {"added", added}});
        } else {
          std::cout << fmt::format("Campaign {}: {} members added.\n", f->campaign, added);
        }
      });
  send->add_option("CAMPAIGN", f->campaign, "the campaign's id")->required();
  send->add_option("--audience", f->audience, "a saved audience")->required();
  send->add_option("--at", f->at, "when it was sent (UTC, default now)");

  auto r = std::make_shared<Flags>();
  CLI::App* respond = AddWorkspaceCommand(
      *campaign, cli, "respond", "Record that a member responded to a campaign",
      "  prospect crm campaign respond spring-promo 1042\n",
      [&cli, r](Workspace& ws, Context& ctx) {
        RecordResponse(ws.store(), r->campaign, r->customer, CrmTime(r->at), ctx);
        if (cli.options.json) cli.PrintJson({{"campaign_id", r->campaign}, {"responded", true}});
      });
  respond->add_option("CAMPAIGN", r->campaign, "the campaign's id")->required();
  respond->add_option("ID", r->customer, "the member's customer_id")->required();
  respond->add_option("--at", r->at, "when (UTC, default now)");

  AddWorkspaceCommand(
      *campaign, cli, "results",
      "Each campaign's members, sends, responses and response rate with its 95% interval",
      "  prospect crm campaign results\n", [&cli](Workspace& ws, Context& ctx) {
        const std::vector<CampaignOutcome> results = SummarizeCampaigns(ws.store(), ctx);
        if (cli.options.json) {
          nlohmann::json doc = nlohmann::json::array();
          for (const CampaignOutcome& c : results) doc.push_back(c.ToJson());
          cli.PrintJson({{"campaigns", doc}});
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const CampaignOutcome& c : results)
          rows.push_back({c.campaign_id, c.name, std::to_string(c.members), std::to_string(c.sent),
                          std::to_string(c.responded), Fixed(c.response_rate, 4),
                          "[" + Fixed(c.ci_low, 4) + ", " + Fixed(c.ci_high, 4) + "]"});
        cli.PrintTable({"campaign", "name", "members", "sent", "responded", "rate", "95% interval"},
                       rows);
      });
}

}  // namespace

void AddCrmCommands(CLI::App& app, Cli& cli) {
  CLI::App* crm = app.add_subcommand(
      "crm",
      "CRM: people, companies, opportunities and their stages, campaigns, timelines, duplicates "
      "and merges, imported from and exported to HubSpot or Twenty CSV");
  crm->require_subcommand(1);
  AddImportExport(*crm, cli);
  AddPipelineCommands(*crm, cli);
  AddMergeCommands(*crm, cli);
  AddCampaignCommands(*crm, cli);
}

}  // namespace prospect::cli
