/**
 * A database's schema as comparable text, read from the catalog: one entry per object (schemas,
 * tables and their options, columns, constraints, indexes, sequences, views, functions,
 * triggers, policies, grants, comments), keyed by what it is and where, with Postgres's own
 * rendering as its definition (pg_get_functiondef, pg_get_viewdef, pg_get_triggerdef, ...). Two
 * databases hold the same schema when their catalogs are equal. Objects of extensions and of the
 * local stand-ins (scripts/local/sql) are left out: they are not ours to define.
 */
import type postgres from "postgres";

/** The kinds of object compared; `db:diff` writes the first group, lists the second. */
export type Kind =
  | "function"
  | "view"
  | "trigger"
  | "policy"
  | "index"
  | "grant"
  | "comment"
  | "schema"
  | "table"
  | "column"
  | "constraint"
  | "sequence";

/** One object: `key` names it (`function analytics.pct(numeric, numeric)`), `def` is its text. */
export interface Entry {
  kind: Kind;
  key: string;
  def: string;
  /** The object in SQL, with its kind (`function analytics.pct(numeric,numeric)`, `view crm.x`) */
  target: string;
  /** Extra facts the SQL writer needs (a view's columns, a function's signature, ...). */
  meta?: Record<string, unknown>;
}

/** Schemas that are the platform's or the local stand-ins', never the project's. */
export const FOREIGN_SCHEMAS = [
  "pg_catalog",
  "information_schema",
  "pg_toast",
  "extensions",
  "net",
  "vault",
  "cron",
  "supabase_migrations",
];

const OURS = `not in ('${FOREIGN_SCHEMAS.join("', '")}') and %s !~ '^pg_(temp|toast_temp)_'`;
const ours = (col: string) => `${col} ${OURS.replace("%s", col)}`;
const NOT_EXTENSION = (cls: string, oid: string) =>
  `not exists (select from pg_depend e where e.classid = '${cls}'::regclass and e.objid = ${oid}
    and e.deptype = 'e')`;

const QUERIES: string[] = [
  `select 'schema' as kind, 'schema ' || quote_ident(n.nspname) as key, '' as def,
     quote_ident(n.nspname) as target, null::jsonb as meta
   from pg_namespace n where ${ours("n.nspname")} and n.nspname <> 'public'
     and ${NOT_EXTENSION("pg_namespace", "n.oid")}`,
  `select 'table', 'table ' || c.oid::regclass::text,
     concat_ws(' ', 'persistence=' || c.relpersistence::text, 'kind=' || c.relkind::text,
       'rls=' || c.relrowsecurity::text, 'force_rls=' || c.relforcerowsecurity::text,
       'options=' || array_to_string(c.reloptions, ',')),
     c.oid::regclass::text, null
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p') and ${ours("n.nspname")} and ${
    NOT_EXTENSION("pg_class", "c.oid")
  }`,
  `select 'column', 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname),
     concat_ws(' ', format_type(a.atttypid, a.atttypmod),
       case when a.attnotnull then 'not null' end,
       'default ' || pg_get_expr(d.adbin, d.adrelid),
       case a.attidentity when 'a' then 'identity always' when 'd' then 'identity by default' end,
       case a.attgenerated when 's' then 'generated' end,
       case when a.attcompression <> '' then 'compression ' || a.attcompression::text end,
       'position ' || (rank() over (partition by c.oid order by a.attnum))::text),
     'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname), null
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
   left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
   where c.relkind in ('r', 'p') and ${ours("n.nspname")} and ${
    NOT_EXTENSION("pg_class", "c.oid")
  }`,
  `select 'constraint', 'constraint ' || quote_ident(k.conname) || ' on ' || k.conrelid::regclass,
     pg_get_constraintdef(k.oid), k.conrelid::regclass::text, null
   from pg_constraint k join pg_namespace n on n.oid = k.connamespace
   where k.conrelid <> 0 and ${ours("n.nspname")}`,
  `select 'index', 'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
     'index ' || i.indexrelid::regclass,
     jsonb_build_object('constraint', exists (select from pg_constraint k
       where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x')))
   from pg_index i join pg_class c on c.oid = i.indexrelid
   join pg_namespace n on n.oid = c.relnamespace where ${ours("n.nspname")}`,
  `select 'sequence', 'sequence ' || s.seqrelid::regclass::text,
     concat_ws(' ', format_type(s.seqtypid, null), s.seqstart::text, s.seqincrement::text,
       s.seqmin::text, s.seqmax::text, s.seqcycle::text), s.seqrelid::regclass::text, null
   from pg_sequence s join pg_class c on c.oid = s.seqrelid
   join pg_namespace n on n.oid = c.relnamespace where ${ours("n.nspname")}`,
  `select 'view', 'view ' || c.oid::regclass::text,
     concat_ws(' ', c.relkind::text, array_to_string(c.reloptions, ','), pg_get_viewdef(c.oid, true)),
     case c.relkind when 'm' then 'materialized view ' else 'view ' end || c.oid::regclass,
     jsonb_build_object('sql', pg_get_viewdef(c.oid, true), 'materialized', c.relkind = 'm',
       'columns', (select jsonb_agg(jsonb_build_array(a.attname,
         format_type(a.atttypid, a.atttypmod)) order by a.attnum)
         from pg_attribute a where a.attrelid = c.oid and a.attnum > 0))
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('v', 'm') and ${ours("n.nspname")} and ${
    NOT_EXTENSION("pg_class", "c.oid")
  }`,
  `select 'function', 'function ' || p.oid::regprocedure::text, pg_get_functiondef(p.oid),
     'function ' || p.oid::regprocedure::text,
     jsonb_build_object('signature', pg_get_function_arguments(p.oid) || ' -> '
       || pg_get_function_result(p.oid), 'procedure', p.prokind = 'p')
   from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where p.prokind in ('f', 'p') and ${ours("n.nspname")} and ${NOT_EXTENSION("pg_proc", "p.oid")}`,
  `select 'trigger', 'trigger ' || quote_ident(t.tgname) || ' on ' || t.tgrelid::regclass,
     pg_get_triggerdef(t.oid) || case t.tgenabled when 'O' then '' else ' [enabled='
       || t.tgenabled::text || ']' end,
     'trigger ' || quote_ident(t.tgname) || ' on ' || t.tgrelid::regclass,
     jsonb_build_object('sql', pg_get_triggerdef(t.oid))
   from pg_trigger t join pg_class c on c.oid = t.tgrelid
   join pg_namespace n on n.oid = c.relnamespace where not t.tgisinternal and ${ours("n.nspname")}`,
  `select 'policy', 'policy ' || quote_ident(p.policyname) || ' on '
       || format('%I.%I', p.schemaname, p.tablename),
     concat_ws(' ', 'as', p.permissive, 'for', p.cmd, 'to',
       (select string_agg(quote_ident(r), ', ' order by r) from unnest(p.roles) r),
       'using (' || p.qual || ')', 'with check (' || p.with_check || ')'),
     'policy ' || quote_ident(p.policyname) || ' on '
       || format('%I.%I', p.schemaname, p.tablename),
     jsonb_build_object('sql', concat_ws(' ', 'create policy', quote_ident(p.policyname), 'on',
       format('%I.%I', p.schemaname, p.tablename), 'as', p.permissive, 'for', p.cmd, 'to',
       (select string_agg(r, ', ' order by r) from unnest(p.roles) r),
       'using (' || p.qual || ')', 'with check (' || p.with_check || ')'))
   from pg_policies p where ${ours("p.schemaname")}`,
  // Grants: the effective ACL (the default one when none was set), owner entries left out.
  `with objects as (
     select 'schema ' || quote_ident(n.nspname) as target, coalesce(n.nspacl,
       acldefault('n'::"char", n.nspowner)) as acl, n.nspowner as owner,
       n.nspacl is null as is_default
     from pg_namespace n where ${ours("n.nspname")} and ${NOT_EXTENSION("pg_namespace", "n.oid")}
     union all
     select case c.relkind when 'S' then 'sequence ' else 'table ' end || c.oid::regclass,
       coalesce(c.relacl, acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner)),
       c.relowner, c.relacl is null
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p', 'v', 'm', 'S') and ${ours("n.nspname")}
       and ${NOT_EXTENSION("pg_class", "c.oid")}
     union all
     select 'function ' || p.oid::regprocedure, coalesce(p.proacl, acldefault('f'::"char", p.proowner)),
       p.proowner, p.proacl is null
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where p.prokind in ('f', 'p') and ${ours("n.nspname")} and ${NOT_EXTENSION("pg_proc", "p.oid")}
   )
   select 'grant', 'grant on ' || o.target,
     coalesce(string_agg(g.grantee || ': ' || g.privs, '; ' order by g.grantee), ''), o.target,
     jsonb_build_object('grants', coalesce(jsonb_object_agg(g.grantee, g.privs)
       filter (where g.grantee is not null), '{}'), 'default', bool_and(o.is_default))
   from objects o
   left join lateral (
     select case x.grantee when 0 then 'public' else quote_ident(pg_get_userbyid(x.grantee)) end
         as grantee, string_agg(lower(x.privilege_type), ', ' order by x.privilege_type) as privs
     from aclexplode(o.acl) x where x.grantee <> o.owner group by x.grantee
   ) g on true
   group by o.target`,
  `select 'comment', 'comment on ' || case o.type when 'table column' then 'column'
       when 'view column' then 'column' when 'table constraint' then 'constraint'
       else o.type end || ' ' || o.identity,
     d.description,
     case o.type when 'table column' then 'column' when 'view column' then 'column'
       when 'table constraint' then 'constraint' else o.type end || ' ' || o.identity, null
   from pg_description d, pg_identify_object(d.classoid, d.objoid, d.objsubid) o
   where o.schema is not null and ${ours("o.schema")}
     and not exists (select from pg_depend e where e.classid = d.classoid
       and e.objid = d.objoid and e.deptype = 'e')`,
];

/** Reads the catalog of the connected database into entries keyed by `Entry.key`. */
export async function readCatalog(sql: postgres.Sql): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const results = await Promise.all(
    QUERIES.map((q) =>
      sql.unsafe<{ kind: Kind; key: string; def: string; target: string; meta: unknown }[]>(
        `select * from (${q}) as q (kind, key, def, target, meta)`,
      )
    ),
  );
  for (const rows of results) {
    for (const r of rows) {
      out.set(r.key, {
        kind: r.kind,
        key: r.key,
        def: r.def,
        target: r.target,
        meta: (r.meta ?? undefined) as Record<string, unknown> | undefined,
      });
    }
  }
  return out;
}

/** `[dependent, dependency]` pairs of entry keys: views on views and functions, triggers on
 * functions (SQL function bodies record none; db:diff turns their checks off instead). */
export async function readDependencies(sql: postgres.Sql): Promise<[string, string][]> {
  const rows = await sql.unsafe<{ dependent: string; dependency: string }[]>(`
    with d as (
      select case when d.classid = 'pg_rewrite'::regclass
          then (select 'view ' || r.ev_class::regclass from pg_rewrite r where r.oid = d.objid)
          else (select 'trigger ' || quote_ident(t.tgname) || ' on ' || t.tgrelid::regclass
            from pg_trigger t where t.oid = d.objid) end as dependent,
        case when d.refclassid = 'pg_proc'::regclass
          then 'function ' || d.refobjid::regprocedure
          else (select 'view ' || c.oid::regclass from pg_class c
            where c.oid = d.refobjid and c.relkind in ('v', 'm')) end as dependency
      from pg_depend d
      where d.classid in ('pg_rewrite'::regclass, 'pg_trigger'::regclass)
        and d.refclassid in ('pg_proc'::regclass, 'pg_class'::regclass) and d.deptype = 'n'
    )
    select distinct dependent, dependency from d
    where dependent is not null and dependency is not null and dependent <> dependency`);
  return rows.map((r) => [r.dependent, r.dependency]);
}

/** What differs between a catalog as deployed (`from`) and as declared (`to`). */
export interface CatalogDiff {
  added: Entry[];
  removed: Entry[];
  changed: { from: Entry; to: Entry }[];
}

/** Compares two catalogs entry by entry. */
export function diffCatalogs(from: Map<string, Entry>, to: Map<string, Entry>): CatalogDiff {
  const diff: CatalogDiff = { added: [], removed: [], changed: [] };
  for (const [key, b] of to) {
    const a = from.get(key);
    if (!a) diff.added.push(b);
    else if (a.def !== b.def) diff.changed.push({ from: a, to: b });
  }
  for (const [key, a] of from) if (!to.has(key)) diff.removed.push(a);
  return diff;
}

/** One line per difference, for test failures and the diff command's report. */
export function describeDiff(diff: CatalogDiff): string[] {
  return [
    ...diff.added.map((e) => `only in schemas/: ${e.key}`),
    ...diff.removed.map((e) => `only in migrations: ${e.key}`),
    ...diff.changed.map(({ to }) => `differs: ${to.key}`),
  ].sort();
}
