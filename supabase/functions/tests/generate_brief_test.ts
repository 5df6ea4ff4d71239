/**
 * generate-brief end to end on the AHA Smart Homes demo company (scratch database), with the
 * Twilio sink and the fake Ollama: the HTTP contract, one pulse per opted-in recipient and
 * nothing the second time, the model path, /check naming a failed claim, status callbacks.
 * The set-up is _generate_brief_demo.ts.
 */
import assert from "node:assert/strict";
import { BASE } from "../_shared/brief/testdata/corpus.ts";
import { computeSnapshot } from "../_shared/metrics/snapshot.ts";
import { startBriefDemo } from "./_generate_brief_demo.ts";
import { waitFor } from "./_stack.ts";

Deno.test("generate-brief on the demo company", async (t) => {
  const demo = await startBriefDemo();
  const { db, sink, fake, callbackUrl, post } = demo;
  try {
    await t.step("answers 404 before any snapshot, 401/403 without the service key", async () => {
      assert.equal((await post("", {})).status, 404);
      assert.equal((await post("", {}, null)).status, 401);
      assert.equal((await post("", {}, "anon-key")).status, 403);
      assert.equal(
        (await post("/check", { snapshot_id: crypto.randomUUID(), text: "x" }, null)).status,
        401,
      );
    });

    const { snapshot } = await computeSnapshot(db.sql, { asOf: "2026-03-04" });

    await t.step("answers 400 naming the field, 404 for an unknown snapshot", async () => {
      const bad = await post("", { snapshot_id: "nope", send: "yes" });
      assert.equal(bad.status, 400);
      const { error } = await bad.json();
      assert.match(error.message, /snapshot_id/);
      assert.match(error.message, /send/);
      assert.equal((await post("", "{not json")).status, 400);
      const extra = await (await post("", { snapshotId: snapshot.id })).json();
      assert.match(extra.error.message, /snapshotId/);
      const missing = await post("", { snapshot_id: crypto.randomUUID() });
      assert.equal(missing.status, 404);
      assert.equal(
        (await post("/check", { snapshot_id: crypto.randomUUID(), text: "x" })).status,
        404,
      );
      assert.equal((await post("/send", { run_id: crypto.randomUUID() })).status, 404);
    });

    let briefId = "";
    await t.step(
      "send: one pulse per opted-in recipient; the same call again sends nothing",
      async () => {
        const res = await post("", { send: true });
        assert.equal(res.status, 200);
        const brief = await res.json();
        briefId = brief.id;
        assert.equal(brief.model, "rules");
        assert.equal(brief.snapshot_id, snapshot.id);
        assert.match(brief.fallback_reason, /Cannot reach Ollama/);
        assert.equal(brief.delivery.sent, 2);
        assert.equal(sink.messages.length, 2);
        assert.deepEqual(sink.messages.map((m) => m.to).sort(), [
          "whatsapp:+15555550101",
          "whatsapp:+15555550102",
        ]);
        for (const m of sink.messages) {
          assert.ok(m.body.length <= 400, `${m.body.length} chars`);
          assert.equal(m.body, brief.pulse);
        }
        const again = await (await post("", { send: true })).json();
        assert.equal(again.id, brief.id);
        assert.equal(again.reused, true);
        assert.equal(again.delivery.sent, 0);
        const resend = await (await post("/send", { brief_id: brief.id })).json();
        assert.deepEqual([resend.sent, resend.skipped], [0, 2]);
        assert.equal(sink.messages.length, 2);
      },
    );

    await t.step(
      "the rules brief leads with the quarter like for like and the forecast's gap",
      async () => {
        const [row] = await db.sql<{ content: Record<string, { text: string }>; pulse: string }[]>`
          select content, pulse from brief.briefs where id = ${briefId}`;
        // As of 2026-03-04 (day 63 of 90): $43,380 won this quarter against a $120,000 target;
        // the same 63 days of last quarter won $108,714. This month's 3 days against last
        // month's 3 ($21,705 vs $2,848, +662%) say nothing and are not the headline.
        assert.equal(
          row!.content.headline!.text,
          "Revenue QTD is $43,380, 36.2% of the $120,000 target with 70% of the quarter gone; " +
            "down 60.1% against $108,714 in the same days last quarter.",
        );
        // The gap reads from the forecast learned from the company's stage history (P50 and
        // chance of target: analytics.forecast), not from the weighted pipeline.
        assert.equal(
          row!.content.critical_gap!.text,
          "The quarter is likeliest to close at $81,401, $38,599 short of target (0.9% chance " +
            "of making it), with coverage at 0.69x against 2.10x needed.",
        );
        assert.doesNotMatch(row!.pulse, /662/);
        // The facts say so too: no month growth on that base, both amounts instead.
        const [payload] = await db.sql<
          { p: { facts: { id: string; value: unknown; prev?: number }[] } }[]
        >`
          select brief.payload(${snapshot.id}) as p`;
        const fact = (id: string) => payload!.p.facts.find((f) => f.id === id);
        assert.equal(fact("revenue.mtd.growth")?.value, null);
        assert.deepEqual([fact("revenue.mtd")?.value, fact("revenue.mtd")?.prev], [21705, 2848]);
        assert.equal(fact("revenue.qtd.growth")?.value, -60.1);
        assert.equal(fact("quarter.elapsed")?.value, 70);
        // Insights most material first: $19,457 won from Website outweighs 5 fewer Facebook
        // leads (5 × the company's lead-to-won rate × its average won deal).
        const insights = row!.content.insights as unknown as { text: string }[];
        assert.match(insights[0]!.text, /^Website brought \$19,457 of won revenue this month/);
      },
    );

    await t.step("two concurrent calls store one brief and send one pulse each", async () => {
      const { snapshot: other } = await computeSnapshot(db.sql, { asOf: "2026-03-03" });
      const before = sink.messages.length;
      const [a, b] = await Promise.all([
        (async () => await (await post("", { snapshot_id: other.id, send: true })).json())(),
        (async () => await (await post("", { snapshot_id: other.id, send: true })).json())(),
      ]);
      assert.equal(a.id, b.id);
      assert.equal(a.delivery.sent + b.delivery.sent, 2);
      assert.equal(sink.messages.length - before, 2);
      const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from brief.briefs
        where snapshot_id = ${other.id}`;
      assert.equal(row!.n, 1);
    });

    await t.step("status callbacks, signed by the sink, update delivery state", async () => {
      await waitFor("delivery status from the callback", async () => {
        const rows = await db.sql`select 1 from whatsapp.outbox
          where ref_id = ${briefId} and delivery_status = 'sent'`;
        return rows.length === 2 ? true : undefined;
      });
      const forged = await fetch(callbackUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": "bm9wZQ==",
        },
        body: new URLSearchParams({ MessageSid: sink.messages[0]!.sid, MessageStatus: "failed" }),
      });
      assert.equal(forged.status, 403);
      await forged.body?.cancel();
    });

    await t.step("a model brief that passes the check is kept, with its run id", async () => {
      // The corpus's base reply, with the headline and gap today's payload supports: this
      // month's change on a tiny base (+662%) is no longer a fact, the quarter's pace is; the
      // gap is the forecast's at P50.
      const reply = {
        ...BASE,
        headline: {
          text: "Revenue QTD is $43.4K, 36% of the $120K target with 70% of the quarter gone.",
          facts: ["revenue.qtd", "revenue.qtd.target", "revenue.qtd.attainment", "quarter.elapsed"],
        },
        critical_gap: {
          text: "We will likely land at $81.4K, $38.6K short, with a 0.9% chance of the target.",
          facts: ["forecast.p50", "forecast.gap", "forecast.chance"],
        },
      };
      fake.script({ kind: "reply", content: JSON.stringify(reply) });
      demo.useFakeOllama();
      const runId = crypto.randomUUID();
      const brief = await (await post("", { regenerate: true, run_id: runId })).json();
      assert.equal(brief.model, "llama3.2:1b", JSON.stringify(brief.checks));
      assert.equal(brief.run_id, runId);
      assert.equal(brief.attempts, 1);
      assert.ok(brief.prompt_tokens > 500 && brief.prompt_tokens < 2000);
      const sent = await (await post("/send", { run_id: runId })).json();
      assert.equal(sent.brief_id, brief.id);
      assert.equal(sent.sent, 2);
      assert.equal(sink.messages.length, 6);
    });

    await t.step("brief.briefs refuses a pulse over 400 characters", async () => {
      const insert = (pulse: string) =>
        db.sql.begin(async (tx) => {
          await tx`insert into brief.briefs (snapshot_id, run_id, model, content, pulse,
            pulse_variables, attempts)
            values (${snapshot.id}, gen_random_uuid(), 'rules', '{}', ${pulse}, '{}', 0)`;
          // Rolled back either way: the test only asks whether the row is accepted.
          throw new Error("rollback");
        }).catch((e: Error) => e);
      assert.equal((await insert("x".repeat(400))).message, "rollback");
      // Characters, not bytes: 400 emoji are within the limit, 401 letters are not.
      assert.equal((await insert("🚀".repeat(400))).message, "rollback");
      const refused = await insert("x".repeat(401)) as Error & { code?: string };
      assert.equal(refused.code, "23514", `${refused.message}`); // check_violation
      // The outbox holds the pulse to the same limit; a reply may be longer (1,600).
      const queue = (kind: string, body: string) =>
        db.sql.begin(async (tx) => {
          await tx`insert into whatsapp.outbox (kind, ref_id, recipient_id, body)
            values (${kind}, gen_random_uuid(),
              (select id from whatsapp.recipients order by name limit 1), ${body})`;
          throw new Error("rollback");
        }).catch((e: Error & { code?: string }) => e);
      assert.equal((await queue("pulse", "x".repeat(400))).message, "rollback");
      assert.equal((await queue("reply", "x".repeat(401))).message, "rollback");
      const queued = await queue("pulse", "x".repeat(401)) as Error & { code?: string };
      assert.equal(queued.code, "23514", queued.message);
      assert.match(queued.message, /outbox_pulse_length/);
    });

    await t.step("/check names the failed claim: revenue up 45% when it fell 12%", async () => {
      // A snapshot whose revenue fell 12% this month (the demo's rose).
      const facts = snapshot.brief.facts.map((f) =>
        f.id === "revenue.mtd.growth" ? { ...f, value: -12 } : f
      );
      const [row] = await db.sql<{ id: string }[]>`
        insert into analytics.snapshots (as_of, period_start, period_end, time_zone,
          content_hash, kpis, brief)
        select as_of, period_start, period_end, time_zone, repeat('0', 64), kpis,
          jsonb_set(brief, '{facts}', ${db.sql.json(JSON.parse(JSON.stringify(facts)))})
        from analytics.snapshots where id = ${snapshot.id}
        returning id`;
      const res = await post("/check", {
        snapshot_id: row!.id,
        text: "Revenue up 45% this month.",
      });
      const verdict = await res.json();
      assert.equal(res.status, 200, JSON.stringify(verdict));
      assert.equal(verdict.ok, false);
      const failed = verdict.claims.filter((c: { ok: boolean }) => !c.ok);
      assert.equal(failed.length, 1);
      assert.equal(failed[0].claim, "Revenue up 45% this month");
      assert.match(failed[0].reason, /revenue\.mtd\.growth value is -12%/);
      assert.equal(failed[0].error, "wrong_number");
      // The verdict names the kind: a percentage stated as dollars is a unit swap.
      const swapped = await (await post("/check", {
        snapshot_id: row!.id,
        text: "Revenue down $12 this month.",
        facts: ["revenue.mtd.growth"],
      })).json();
      assert.deepEqual(
        swapped.claims.filter((c: { ok: boolean }) => !c.ok).map((c: { error: string }) => c.error),
        ["unit_swap"],
      );
      const ok = await (await post("/check", {
        snapshot_id: row!.id,
        text: "Revenue down 12% this month.",
      })).json();
      assert.equal(ok.ok, true);
    });
  } finally {
    await demo.close();
  }
});
