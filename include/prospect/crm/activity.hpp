// What happened with a person and with campaigns: a person's activity timeline (events, orders,
// campaigns, opportunities and their stages, notes) and campaign sends, responses and results.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect {

struct TimelineEntry {
  int64_t at = 0;       ///< UTC microseconds
  std::string kind;     ///< "event", "order", "campaign", "opportunity", "stage", "note", "lead"
  std::string summary;  ///< one line for people
  nlohmann::json ToJson() const;
};

/// A person's activity, newest first, at most `limit` entries (0: all): their events and orders
/// (the tables and columns of [profile]), campaign sends and responses, opportunities and stage
/// changes, notes, and their CRM record's creation and conversion. Tables that are absent are
/// skipped. kNotFound when the person is in none of them.
std::vector<TimelineEntry> PersonTimeline(const Workspace& workspace,
                                          const std::string& customer_id, size_t limit,
                                          const Context& ctx);

/// Adds a note to a person's timeline (crm_notes: customer_id, at, text). Audited (without the
/// text).
void AddNote(Store& store, const std::string& customer_id, const std::string& text, int64_t at,
             const Context& ctx);

/// Adds the members of a saved audience to a campaign, sent at `at`: rows of
/// crm_campaign_members (campaign_id, customer_id, sent_at, responded_at). Members already in
/// the campaign are left as they are. The campaign is created in crm_campaigns (campaign_id,
/// name, audience, created_at) when new. Returns how many were added.
int64_t SendCampaign(Store& store, const std::string& campaign_id, const std::string& audience,
                     int64_t at, const Context& ctx);

/// Marks a member's response at `at`; kNotFound when they were not sent the campaign.
void RecordResponse(Store& store, const std::string& campaign_id, const std::string& customer_id,
                    int64_t at, const Context& ctx);

/// Each campaign's members, how many were sent it and responded, and the response rate with
/// its 95% Wilson interval.
struct CampaignOutcome {
  std::string campaign_id;
  std::string name;
  int64_t members = 0;
  int64_t sent = 0;
  int64_t responded = 0;
  double response_rate = 0;  ///< responded / sent (NaN when none was sent)
  double ci_low = 0, ci_high = 0;
  nlohmann::json ToJson() const;
};
std::vector<CampaignOutcome> SummarizeCampaigns(Store& store, const Context& ctx);

}  // namespace prospect
