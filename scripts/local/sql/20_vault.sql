-- Local stand-in for Supabase Vault (supabase_vault): vault.create_secret, vault.update_secret,
-- vault.secrets and the vault.decrypted_secrets view with the same columns. Secrets are
-- encrypted with pgcrypto under a key held in a table readable only by the owner; hosted Vault
-- uses libsodium with a key outside the database, which a local stand-in cannot reproduce.
create schema if not exists vault;

create table if not exists vault._key (
  only_one boolean primary key default true check (only_one),
  key text not null default encode(extensions.gen_random_bytes(32), 'hex')
);
insert into vault._key default values on conflict do nothing;
revoke all on vault._key from public;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create or replace function vault._encrypt(plain text) returns text
language sql
security definer
set search_path = ''
as $$
  select encode(extensions.pgp_sym_encrypt(plain, (select key from vault._key)), 'base64')
$$;

create or replace function vault._decrypt(cipher text) returns text
language sql
security definer
set search_path = ''
as $$
  select extensions.pgp_sym_decrypt(decode(cipher, 'base64'), (select key from vault._key))
$$;

create or replace function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns uuid
language sql
as $$
  insert into vault.secrets (name, description, secret, key_id)
  values (new_name, coalesce(new_description, ''), vault._encrypt(new_secret), new_key_id)
  returning id
$$;

create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  new_key_id uuid default null
) returns void
language sql
as $$
  update vault.secrets set
    secret = coalesce(vault._encrypt(new_secret), secret),
    name = coalesce(new_name, name),
    description = coalesce(new_description, description),
    key_id = coalesce(new_key_id, key_id),
    updated_at = now()
  where id = secret_id
$$;

create or replace view vault.decrypted_secrets as
  select id, name, description, secret, vault._decrypt(secret) as decrypted_secret,
    key_id, nonce, created_at, updated_at
  from vault.secrets;

revoke all on vault.secrets, vault.decrypted_secrets from public, anon, authenticated;
grant usage on schema vault to service_role;
grant select on vault.decrypted_secrets to service_role;
