// The declarative schema against the migrations, on scratch databases of the local cluster: the
// drift check (both build the same catalog) and `db:diff` writing what differs.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./config.ts";
import { describeDiff } from "./catalog.ts";
import { buildSides, diffSchemas, type DiffSources } from "./db_diff.ts";

const PROJECT: DiffSources = {
  migrationsDir: join(ROOT, "supabase/migrations"),
  supabaseDir: join(ROOT, "supabase"),
};

async function drift(src: DiffSources): Promise<string[]> {
  const sides = await buildSides(src);
  try {
    assert.ok(sides.declared.size > 400, "the catalog reads the project's objects");
    return describeDiff(sides.diff);
  } finally {
    await Promise.all([sides.deployedDb.drop(), sides.declaredDb.drop()]);
  }
}

Deno.test("supabase/migrations and supabase/schemas build the same database (no drift)", async () => {
  const lines = await drift(PROJECT);
  assert.deepEqual(
    lines,
    [],
    "supabase/schemas and supabase/migrations disagree; after editing schemas/, run " +
      "deno task db:diff <name> and commit the migration it writes:\n" + lines.join("\n"),
  );
});

/** A copy of the project's migrations, config.toml and schemas/ to edit. */
async function scratchProject(): Promise<DiffSources & { remove(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "db_diff_test_" });
  await new Deno.Command("cp", {
    args: ["-r", PROJECT.migrationsDir, join(PROJECT.supabaseDir, "schemas"), dir],
  }).output();
  await Deno.copyFile(join(PROJECT.supabaseDir, "config.toml"), join(dir, "config.toml"));
  return {
    migrationsDir: join(dir, "migrations"),
    supabaseDir: dir,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

async function edit(path: string, from: string, to: string) {
  const text = await Deno.readTextFile(path);
  assert.ok(text.includes(from), `${path} holds ${from}`);
  await Deno.writeTextFile(path, text.replace(from, () => to));
}

Deno.test("diffSchemas()", async (t) => {
  const p = await scratchProject();
  try {
    await t.step("no change: nothing to write", async () => {
      assert.deepEqual(await diffSchemas(p, "nothing"), { kind: "none" });
    });
    await t.step("one edited function: a migration with just that function", async () => {
      await edit(
        join(p.supabaseDir, "schemas/analytics/rules.sql"),
        "as $$ select round(100 * num / nullif(den, 0), 2) $$;",
        "as $$ select round(100.0 * num / nullif(den, 0), 2) $$;",
      );
      assert.deepEqual(await drift(p), ["differs: function analytics.pct(numeric,numeric)"]);
      const out = await diffSchemas(p, "pct_scale");
      assert.equal(out.kind, "migration");
      if (out.kind !== "migration") return;
      const creates = out.sql.match(/^CREATE OR REPLACE FUNCTION \S+/gm);
      assert.deepEqual(creates, ["CREATE OR REPLACE FUNCTION analytics.pct(num"]);
      assert.match(out.sql, /round\(100\.0 \* num/);
      assert.doesNotMatch(out.sql, /^(drop|create or replace view|grant|comment)/m);
      await Deno.writeTextFile(join(p.migrationsDir, "20261201000000_pct_scale.sql"), out.sql);
      assert.deepEqual(await drift(p), [], "the drift check passes once the migration is in");
    });
    await t.step(
      "a view whose columns change is dropped and re-created with its grants and comment",
      async () => {
        await edit(
          join(p.supabaseDir, "schemas/crm/views.sql"),
          "  r.data ->> 'Deal_Name' as name,\n",
          "  r.data ->> 'Deal_Name' as name,\n  r.data ->> 'Next_Step' as next_step,\n",
        );
        const out = await diffSchemas(p, "deal_next_step");
        assert.equal(out.kind, "migration");
        if (out.kind !== "migration") return;
        assert.match(out.sql, /^drop view crm\.deals;$/m);
        assert.match(out.sql, /^create or replace view crm\.deals as$/m);
        assert.match(out.sql, /^grant select on table crm\.deals to service_role;$/m);
        assert.match(out.sql, /^comment on view crm\.deals is 'Deals; is_won/m);
        await Deno.writeTextFile(
          join(p.migrationsDir, "20261201000100_deal_next_step.sql"),
          out.sql,
        );
      },
    );
    await t.step("a changed trigger, a new policy and a dropped comment", async () => {
      const settings = join(p.supabaseDir, "schemas/analytics/settings.sql");
      await edit(
        settings,
        "comment on table analytics.campaign_sources is\n" +
          "  'Admin override: campaign → lead source for source ROI (default: its deals'' main source)';",
        "create policy campaign_sources_read on analytics.campaign_sources for select\n" +
          "  to service_role using (lead_source <> '');",
      );
      await edit(
        join(p.supabaseDir, "schemas/analytics/facts_triggers.sql"),
        "after update of time_zone on analytics.settings",
        "after update of time_zone, currency on analytics.settings",
      );
      const out = await diffSchemas(p, "settings_rules");
      assert.equal(out.kind, "migration", JSON.stringify(out));
      if (out.kind !== "migration") return;
      const lines = out.sql.split("\n").filter((l) => /^(drop|create|comment|CREATE)/.test(l));
      assert.deepEqual(lines, [
        "drop trigger settings_time_zone_invalidates_facts on analytics.settings;",
        "CREATE TRIGGER settings_time_zone_invalidates_facts AFTER UPDATE OF time_zone, currency " +
        "ON analytics.settings FOR EACH ROW WHEN ((old.time_zone IS DISTINCT FROM new.time_zone)) " +
        "EXECUTE FUNCTION analytics.invalidate_facts();",
        "create policy campaign_sources_read on analytics.campaign_sources as PERMISSIVE for " +
        "SELECT to service_role using ((lead_source <> ''::text));",
        "comment on table analytics.campaign_sources is null;",
      ]);
    });
    await t.step("a new table column is listed for a hand-written migration", async () => {
      await edit(
        join(p.supabaseDir, "schemas/zoho/raw_store.sql"),
        "  version integer not null default 1,\n",
        "  version integer not null default 1,\n  source text,\n",
      );
      const out = await diffSchemas(p, "record_source");
      assert.equal(out.kind, "manual");
      if (out.kind !== "manual") return;
      assert.ok(out.items.some((i) => i.startsWith("new column zoho.records.source: text")));
    });
  } finally {
    await p.remove();
  }
});
