/**
 * Turns the difference between two catalogs (deployed = built from the migrations, declared =
 * built from supabase/schemas) into a migration: functions, views, triggers, policies, indexes,
 * grants and comments as `create or replace` / `drop` statements in dependency order. Schemas,
 * tables, columns, constraints and sequences are not written: changing them can lose or refuse
 * data, so they come back as `manual`, for a person to write.
 */
import type { CatalogDiff, Entry, Kind } from "./catalog.ts";

/** The migration's statements, and what it could not express. */
export interface MigrationPlan {
  statements: string[];
  manual: string[];
}

const WRITTEN: Kind[] = ["function", "view", "trigger", "policy", "index", "grant", "comment"];
const DROP_ORDER: Kind[] = ["trigger", "policy", "view", "function", "index"];

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function meta<T>(e: Entry, name: string): T {
  return e.meta?.[name] as T;
}

/** Orders keys so that each comes after what it depends on (ties in lexical order). */
function dependencyOrder(keys: string[], deps: [string, string][]): string[] {
  const wanted = new Set(keys);
  const before = new Map<string, Set<string>>(keys.map((k) => [k, new Set()]));
  for (const [dependent, dependency] of deps) {
    if (wanted.has(dependent) && wanted.has(dependency)) before.get(dependent)!.add(dependency);
  }
  const out: string[] = [];
  const pending = [...keys].sort();
  while (pending.length) {
    const i = pending.findIndex((k) => [...before.get(k)!].every((d) => out.includes(d)));
    out.push(...pending.splice(i < 0 ? 0 : i, 1)); // a cycle cannot happen in Postgres
  }
  return out;
}

/** Everything that depends on `keys`, transitively (what dropping them would take along). */
function dependents(keys: Set<string>, deps: [string, string][]): Set<string> {
  const out = new Set(keys);
  for (let grew = true; grew;) {
    grew = false;
    for (const [dependent, dependency] of deps) {
      if (out.has(dependency) && !out.has(dependent)) {
        out.add(dependent);
        grew = true;
      }
    }
  }
  return out;
}

function viewKeepsColumns(from: Entry, to: Entry): boolean {
  const a = meta<[string, string][]>(from, "columns") ?? [];
  const b = meta<[string, string][]>(to, "columns") ?? [];
  return !meta<boolean>(to, "materialized") &&
    a.every((col, i) => JSON.stringify(col) === JSON.stringify(b[i]));
}

function needsRecreate(from: Entry, to: Entry): boolean {
  switch (to.kind) {
    case "function":
      return meta<string>(from, "signature") !== meta<string>(to, "signature");
    case "view":
      return !viewKeepsColumns(from, to);
    case "trigger":
    case "policy":
    case "index":
      return true;
    default:
      return false;
  }
}

/** The object's name without its kind: `crm.leads` for `view crm.leads` or `table crm.leads`. */
function bare(target: string): string {
  return target.replace(OBJECT_KIND, "").replaceAll("pg_catalog.", "");
}
const OBJECT_KIND =
  /^(materialized view|view|table|function|trigger|policy|index|sequence|schema|column|constraint) /;

/** Whether a grant or comment target is `object` or a part of it (a view's column). */
function belongsTo(target: string, object: string): boolean {
  const [t, o] = [bare(target), bare(object)];
  return t === o || t.startsWith(`${o}.`);
}

function createStatement(e: Entry): string {
  switch (e.kind) {
    case "function":
      return `${e.def.trimEnd()};`;
    case "view": {
      const body = meta<string>(e, "sql").trim().replace(/;$/, "");
      return meta<boolean>(e, "materialized")
        ? `create ${e.target} as\n${body};`
        : `create or replace ${e.target} as\n${body};`;
    }
    case "trigger":
    case "policy":
      return `${meta<string>(e, "sql")};`;
    default:
      return `${e.def};`;
  }
}

function grantStatements(from: Entry | undefined, to: Entry): string[] {
  const grants = meta<Record<string, string>>(to, "grants") ?? {};
  const roles = new Set(["public", ...Object.keys(grants)]);
  for (const r of Object.keys(meta<Record<string, string>>(from ?? to, "grants") ?? {})) {
    roles.add(r);
  }
  return [
    `revoke all on ${to.target} from ${[...roles].join(", ")};`,
    ...Object.entries(grants).map(([role, privs]) => `grant ${privs} on ${to.target} to ${role};`),
  ];
}

/** Plans the migration from `deployed` to `declared`; `deps` are each side's dependencies. */
export function planMigration(
  diff: CatalogDiff,
  sides: {
    deployed: Map<string, Entry>;
    declared: Map<string, Entry>;
    deployedDeps: [string, string][];
    declaredDeps: [string, string][];
  },
): MigrationPlan {
  const { deployed, declared } = sides;
  const manual = [
    ...diff.added.map((e) => ({ e, what: "new" })),
    ...diff.removed.map((e) => ({ e, what: "removed" })),
    ...diff.changed.map(({ to }) => ({ e: to, what: "changed" })),
  ].filter(({ e }) => !WRITTEN.includes(e.kind) || meta<boolean>(e, "constraint"))
    .map(({ e, what }) => `${what} ${e.key}: ${e.def}`).sort();

  // What goes away first: removed objects, changes `create or replace` cannot make, and all that
  // depends on them. Those still declared come back afterwards.
  const gone = new Set<string>([
    ...diff.removed.filter((e) => DROP_ORDER.includes(e.kind)).map((e) => e.key),
    ...diff.changed.filter(({ from, to }) => needsRecreate(from, to)).map(({ to }) => to.key),
  ]);
  const dropped = dependents(gone, sides.deployedDeps);
  const replaced = new Set([
    ...diff.added.map((e) => e.key),
    ...diff.changed.map(({ to }) => to.key),
    ...[...dropped].filter((k) => declared.has(k)),
  ]);

  const statements: string[] = [];
  for (const kind of DROP_ORDER) {
    const keys = [...dropped].filter((k) => deployed.get(k)?.kind === kind);
    const ordered = dependencyOrder(keys, sides.deployedDeps).reverse();
    statements.push(...ordered.map((k) => `drop ${deployed.get(k)!.target};`));
  }
  const created = (kind: Kind) =>
    dependencyOrder(
      [...replaced].filter((k) => declared.get(k)?.kind === kind),
      sides.declaredDeps,
    ).map((k) => declared.get(k)!);
  const functions = created("function");
  if (functions.length) {
    // SQL function bodies are checked when created and record no dependencies, so functions
    // that call each other cannot be ordered: pg_dump's answer, checks off while they are made.
    statements.push("set check_function_bodies = off;");
    statements.push(...functions.map(createStatement));
    statements.push("reset check_function_bodies;");
  }
  for (const kind of ["view", "trigger", "policy", "index"] as const) {
    statements.push(
      ...created(kind).filter((e) => !meta<boolean>(e, "constraint")).map(createStatement),
    );
  }
  // Grants and comments of what changed, and of every object re-created above (a drop loses them).
  const recreated = (e: Entry) =>
    [...dropped].some((k) => declared.has(k) && belongsTo(e.target, declared.get(k)!.target));
  for (const e of [...declared.values()].filter((e) => e.kind === "grant")) {
    // A new or re-created object starts with the default privileges: nothing to say then.
    const fresh = !deployed.has(e.key) || recreated(e);
    if (fresh && meta<boolean>(e, "default")) continue;
    if (replaced.has(e.key) || recreated(e)) {
      statements.push(...grantStatements(deployed.get(e.key), e));
    }
  }
  for (const e of [...declared.values()].filter((e) => e.kind === "comment")) {
    if (replaced.has(e.key) || recreated(e)) {
      statements.push(`comment on ${e.target} is ${literal(e.def)};`);
    }
  }
  for (const e of diff.removed.filter((e) => e.kind === "comment")) {
    const owner = [...declared.values()].some((d) =>
      d.kind !== "comment" && d.kind !== "grant" && bare(d.target) === bare(e.target)
    );
    if (owner) statements.push(`comment on ${e.target} is null;`);
  }
  return { statements, manual };
}
