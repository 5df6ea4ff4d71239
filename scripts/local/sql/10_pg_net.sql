-- Local stand-in for pg_net (supabase/pg_net v0.20): the same `net` schema surface.
-- net.http_get/http_post/http_delete queue a request and return its id; a worker process
-- (scripts/local/pg_net_worker.ts) delivers it after commit and records the response in
-- net._http_response, as pg_net's background worker does.
create schema if not exists net;

create unlogged table if not exists net.http_request_queue (
  id bigserial primary key,
  method text not null check (method in ('GET', 'POST', 'DELETE')),
  url text not null,
  headers jsonb not null default '{}'::jsonb,
  body bytea,
  timeout_milliseconds integer not null default 5000
);

create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);

-- Appends params as a query string, as pg_net does.
create or replace function net._encode_url_with_params(url text, params jsonb)
returns text
language sql
immutable
as $$
  select case
    when params is null or params = '{}'::jsonb then url
    else url || case when position('?' in url) > 0 then '&' else '?' end || (
      select string_agg(
        replace(replace(replace(key, '%', '%25'), '&', '%26'), '=', '%3D') || '=' ||
        replace(replace(replace(replace(value, '%', '%25'), '&', '%26'), '=', '%3D'), ' ', '%20'),
        '&'
      )
      from jsonb_each_text(params)
    )
  end
$$;

create or replace function net._enqueue(
  method text, url text, headers jsonb, body bytea, timeout_milliseconds integer
) returns bigint
language plpgsql
as $$
declare
  request_id bigint;
begin
  if url is null or url !~* '^https?://' then
    raise exception 'net: url must start with http:// or https://, got %', url
      using errcode = '22023';
  end if;
  if timeout_milliseconds is null or timeout_milliseconds <= 0 then
    raise exception 'net: timeout_milliseconds must be positive' using errcode = '22023';
  end if;
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (method, url, coalesce(headers, '{}'::jsonb), body, timeout_milliseconds)
  returning id into request_id;
  -- NOTIFY is delivered at commit, so like pg_net nothing is sent before the transaction commits.
  perform pg_notify('pg_net_wake', request_id::text);
  return request_id;
end
$$;

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language sql
as $$
  select net._enqueue('GET', net._encode_url_with_params(url, params), headers, null,
    timeout_milliseconds)
$$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language sql
as $$
  select net._enqueue('POST', net._encode_url_with_params(url, params), headers,
    convert_to(body::text, 'UTF8'), timeout_milliseconds)
$$;

create or replace function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000,
  body jsonb default null
) returns bigint
language sql
as $$
  select net._enqueue('DELETE', net._encode_url_with_params(url, params), headers,
    case when body is null then null else convert_to(body::text, 'UTF8') end,
    timeout_milliseconds)
$$;

grant usage on schema net to anon, authenticated, service_role;
grant execute on function net.http_get(text, jsonb, jsonb, integer) to anon, authenticated,
  service_role;
grant execute on function net.http_post(text, jsonb, jsonb, jsonb, integer) to anon,
  authenticated, service_role;
grant all on net.http_request_queue, net._http_response to public;
grant usage on sequence net.http_request_queue_id_seq to public;
