-- Renames zoho.sync_segments.page_token to page_tokens and stores it as jsonb: it holds the list of
-- next page tokens, one per field group (a JSON array of strings), not one token.
alter table zoho.sync_segments rename column page_token to page_tokens;
alter table zoho.sync_segments alter column page_tokens type jsonb using page_tokens::jsonb;
comment on column zoho.sync_segments.page_tokens is
  'Next page_token of each field group (JSON array of strings, group 0 first), or null';
