-- ask.deal_risk always planned with its values: PL/pgSQL's plan cache switched to the generic
-- plan (4 s on the 1M-lead demo) from the sixth call on.
alter function ask.deal_risk(date, text, text, text) set plan_cache_mode = force_custom_plan;
