-- Indexes for the pipeline waterfall (versions by Closing_Date) and conversion velocity
-- (converted leads by conversion day): analytics/facts.sql.
create index if not exists f_leads_converted_day_idx on analytics.f_leads (converted_day)
  where converted;
create index if not exists f_deal_versions_closing_idx on analytics.f_deal_versions (closing_date);
