/**
 * Every intent of the registry on the demo company (scratch database): it answers, and every
 * number in its reply is a value of the rows its SQL returned (numbers come only from SQL).
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";
import { answerIntent, dataVersion, loadAskContext, MAX_KEPT } from "../_shared/ask/answer.ts";
import { intentByName, INTENTS } from "../_shared/ask/intents.ts";
import { matchMessage } from "../_shared/ask/matcher.ts";
import { loadDemoCompany } from "./_demo_company.ts";

const AS_OF = "2026-03-04";

/** Every number a value holds: numbers (also in whole units, as money is written), and digit
 * runs inside strings (dates, labels). */
function numbersIn(value: unknown, out = new Set<number>()): Set<number> {
  if (typeof value === "number") {
    out.add(Math.abs(Math.round(value * 100) / 100));
    out.add(Math.round(Math.abs(value)));
  } else if (typeof value === "string") {
    for (const m of value.matchAll(/\d+(\.\d+)?/g)) out.add(Number(m[0]));
  } else if (Array.isArray(value)) value.forEach((v) => numbersIn(v, out));
  else if (value && typeof value === "object") {
    Object.values(value).forEach((v) => numbersIn(v, out));
  }
  return out;
}

/** The numbers a reply states ("$12,999.50" → 12999.5, "66.67%" → 66.67, "4 Mar" → 4). */
function numbersSaid(text: string): number[] {
  return [...text.matchAll(/-?\d[\d,]*(\.\d+)?/g)].map((m) =>
    Math.abs(Number(m[0].replaceAll(",", "")))
  );
}

Deno.test("ask intents on the demo company", async (t) => {
  const db = await createScratchDb("ask_demo");
  try {
    await loadDemoCompany(db.sql, { leads: 3000 });
    await db.sql`select analytics.refresh_facts()`;
    await db.sql`insert into analytics.revenue_targets (quarter_start, amount)
      values ('2026-01-01', 120000)`;
    const ctx = await loadAskContext(db.sql);
    assert.ok(ctx.sources.includes("Facebook") && ctx.owners.length > 0);

    for (const intent of INTENTS) {
      await t.step(`${intent.name}: "${intent.example}"`, async () => {
        const m = matchMessage(intent.example, ctx);
        assert.equal(m.kind, "intent");
        if (m.kind !== "intent") return;
        const answer = await answerIntent(db.sql, intentByName(m.intent)!, m.params, {
          asOf: AS_OF,
          currency: ctx.currency,
        });
        assert.ok(answer.text.length > 0 && answer.text.length <= 1600, answer.text);
        // Besides row values only the constant of "within 1 h"; dates' day numbers are in the
        // rows' date strings.
        const known = numbersIn([answer.rows, answer.params, 1]);
        for (const n of numbersSaid(answer.text)) {
          assert.ok(
            known.has(n) || known.has(Math.round(n * 100) / 100),
            `${n} in "${answer.text}"`,
          );
        }
      });
    }

    await t.step("revenue this month and this quarter equal analytics.revenue", async () => {
      for (const [period, key] of [["this_month", "mtd"], ["this_quarter", "qtd"]]) {
        const [r] = await db.sql`select revenue::float8 as revenue, won_deals::int, target::float8,
          attainment_pct::float8 from analytics.revenue(${AS_OF}) where period = ${key!}`;
        const a = await answerIntent(db.sql, intentByName("revenue")!, { period }, {
          asOf: AS_OF,
          currency: "USD",
        });
        const money = `$${r!.revenue.toLocaleString("en-US", { maximumFractionDigits: 2 })}`;
        assert.ok(a.text.includes(money), `${money} in ${a.text}`);
        if (key === "qtd") assert.ok(a.text.includes(`${r!.attainment_pct}% attained`), a.text);
      }
    });

    await t.step("an answer is reused while the data version stays the same", async () => {
      const revenue = intentByName("revenue")!;
      const ask = (version: string) =>
        answerIntent(db.sql, revenue, { period: "this_month" }, {
          asOf: AS_OF,
          currency: "USD",
          version,
        });
      const v1 = await dataVersion(db.sql);
      const a = await ask(v1);
      assert.equal(await ask(v1), a, "same version: the kept answer");
      await db.sql`insert into zoho.sync_runs (run_id, mode) values (gen_random_uuid(), 'full')`;
      const v2 = await dataVersion(db.sql);
      assert.notEqual(v2, v1);
      const b = await ask(v2);
      assert.notEqual(b, a, "new version: asked again");
      assert.equal(b.text, a.text, "same data, same numbers");
    });

    await t.step("a full cache lets go of the least recently asked answer", async () => {
      const revenue = intentByName("revenue")!;
      const ask = (version: string) =>
        answerIntent(db.sql, revenue, { period: "this_month" }, {
          asOf: AS_OF,
          currency: "USD",
          version: `lru-${version}`,
        });
      const a = await ask("a");
      for (let i = 1; i < MAX_KEPT; i++) await ask(String(i)); // full
      assert.equal(await ask("a"), a, "asked again: the kept answer, now the most recent");
      await ask(String(MAX_KEPT)); // one more: the least recently asked (1) goes, not a
      assert.equal(await ask("a"), a, "the answer asked lately stays");
      const one = await ask("1");
      assert.equal(await ask("1"), one);
    });

    await t.step("the same question asked meanwhile waits for the one answer", async () => {
      const revenue = intentByName("revenue")!;
      const version = `${await dataVersion(db.sql)}|inflight-test`;
      const many = await Promise.all(
        Array.from({ length: 8 }, () =>
          answerIntent(db.sql, revenue, { period: "this_quarter" }, {
            asOf: AS_OF,
            currency: "USD",
            version,
          })),
      );
      assert.ok(many.every((a) => a === many[0]), "one answer object for all eight");
      // A failure is not kept: the next asking runs again.
      const broken = { ...revenue, fn: "ask.no_such_function" };
      const v = `${version}|broken`;
      const opts = { asOf: AS_OF, currency: "USD", version: v };
      await assert.rejects(answerIntent(db.sql, broken, { period: "this_month" }, opts));
      await assert.rejects(answerIntent(db.sql, broken, { period: "this_month" }, opts));
      const fixed = await answerIntent(db.sql, revenue, { period: "this_month" }, opts);
      assert.match(fixed.text, /Revenue/);
    });

    await t.step("a named demo deal is found, a shared name lists candidates", async () => {
      const [deal] = await db.sql`select r.data ->> 'Deal_Name' as name, count(*) over
          (partition by r.data ->> 'Deal_Name')::int as same
        from zoho.records r join analytics.f_deals d on d.id = r.id
        where r.module = 'Deals' and not d.is_closed and r.deleted_at is null
        order by 2 desc, 1 limit 1`;
      const m = matchMessage(`how is the ${deal!.name.split(" - ")[0]} deal`, ctx);
      assert.equal(m.kind === "intent" && m.intent, "deal_status");
      if (m.kind !== "intent") return;
      const a = await answerIntent(db.sql, intentByName("deal_status")!, m.params, {
        asOf: AS_OF,
        currency: "USD",
      });
      const rows = a.rows as { match: string }[];
      assert.ok(rows.length > 0, a.text);
      if (rows[0]!.match === "ambiguous") assert.match(a.text, /fits \d deals — which one\?/);
      else assert.ok(a.text.startsWith(deal!.name), a.text);
    });
  } finally {
    await db.drop();
  }
});
