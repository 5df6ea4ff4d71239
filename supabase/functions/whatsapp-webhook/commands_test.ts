/**
 * whatsapp-webhook commands in process on the demo company: the 24-hour window, stop and start,
 * pulse and brief, status, sync (one pipeline run), dashboard (a signed link), help.
 */
import assert from "node:assert/strict";
import { verifyDashboardLink } from "../_shared/dashboard/link.ts";
import {
  AS_OF,
  EXEC,
  form,
  messages,
  post,
  webhook,
  withWebhookDb,
} from "../tests/_whatsapp_webhook.ts";

Deno.test("whatsapp-webhook commands", async (t) => {
  await withWebhookDb("webhook_commands", async (db, app) => {
    await t.step("an inbound message opens the recipient's 24-hour window", async () => {
      await db.sql`update whatsapp.recipients set last_inbound_at = null where phone = ${EXEC}`;
      await post(app, form("help"));
      const [r] = await db.sql`select last_inbound_at > now() - interval '1 minute' as fresh
          from whatsapp.recipients where phone = ${EXEC}`;
      assert.equal(r!.fresh, true);
    });

    await t.step("stop and start switch the daily pulse off and on", async () => {
      const optedIn = async () =>
        (await db.sql`select opted_in from whatsapp.recipients where phone = ${EXEC}`)[0]!
          .opted_in;
      const [stop] = messages(await (await post(app, form("STOP"))).text());
      assert.match(stop!, /no more daily pulse/);
      assert.equal(await optedIn(), false);
      const [start] = messages(await (await post(app, form("start"))).text());
      assert.match(start!, /daily pulse again/);
      assert.equal(await optedIn(), true);
    });

    await t.step(
      "pulse and brief answer from the latest brief, split within 1,600 chars",
      async () => {
        const [none] = messages(await (await post(app, form("pulse"))).text());
        assert.match(none!, /^No pulse yet/);
        const [snap] = await db
          .sql`select (analytics.compute_snapshot(${AS_OF}) ->> 'id')::uuid as id`;
        const part = (text: string) => ({ text, facts: [] });
        const content = {
          headline: part("Revenue is behind plan"),
          critical_gap: part("Referral pipeline is thin"),
          immediate_action: part("Call the top 5 stale deals"),
          insights: [1, 2, 3, 4].map((i) => part(`Insight ${i}: ${"detail ".repeat(70)}`)),
        };
        await db.sql`insert into brief.briefs (snapshot_id, model, content, pulse, pulse_variables,
            attempts)
          values (${snap!.id}, 'rules', ${db.sql.json(content)}, 'Daily pulse 4 Mar: act now',
            '{}', 0)`;
        assert.deepEqual(messages(await (await post(app, form("pulse"))).text()), [
          "Daily pulse 4 Mar: act now",
        ]);
        const brief = messages(await (await post(app, form("brief"))).text());
        assert.ok(brief.length >= 2, `${brief.length} messages`);
        assert.ok(brief.every((m) => m.length <= 1600));
        assert.ok(brief[0]!.startsWith("*Revenue is behind plan*"));
        assert.ok(brief.join("\n\n").includes("Insight 4:"));
      },
    );

    await t.step("status tells when data was synced and snapshotted", async () => {
      const [status] = messages(await (await post(app, form("status"))).text());
      assert.match(status!, /^No pipeline run yet\./);
      assert.match(status!, /No sync yet\./);
      assert.match(status!, /Latest KPI snapshot: as of 2026-03-04/);
      assert.match(status!, /Latest brief: written .* \(rules, no model\)\./);
    });

    await t.step("sync starts one pipeline run", async () => {
      const [broken] = messages(await (await post(app, form("sync"))).text());
      assert.match(broken!, /^Sync could not start: the pipeline is not set up here/);
      // pg_net reaches the functions with the URL and key from Vault (nothing listens here).
      await db.sql`select vault.create_secret('http://127.0.0.1:9', 'project_url')`;
      await db.sql`select vault.create_secret('test-service-key', 'service_role_key')`;
      const [queued] = messages(await (await post(app, form("sync"))).text());
      assert.match(
        queued!,
        /^Sync queued \(run [0-9a-f]{8}\): .* The pulse follows when it finishes\.$/,
      );
      const [again] = messages(await (await post(app, form("sync now"))).text());
      assert.match(again!, /^A run is already going \(run [0-9a-f]{8}\)/);
      const runs = await db.sql`select id::text, trigger from pipeline.runs`;
      assert.deepEqual(runs.map((r) => r.trigger), ["whatsapp"]);
      assert.ok(queued!.includes(runs[0]!.id.slice(0, 8)));
      const [status] = messages(await (await post(app, form("status"))).text());
      assert.match(status!, /^Last run [0-9a-f]{8} \(whatsapp\): running, .* Stages: sync /);
    });

    await t.step("dashboard hands out a signed link for the sender, valid a day", async () => {
      const [unset] = messages(await (await post(app, form("dashboard"))).text());
      assert.equal(unset, "The dashboard is not set up here yet. Please tell your admin.");
      const secret = "dashboard-link-secret-0123456789abcdef";
      const withSecret = webhook(db, {}, { DASHBOARD_LINK_SECRET: secret });
      const [reply] = messages(await (await post(withSecret, form("dashboard link pls"))).text());
      const url = /https:\/\/\S+/.exec(reply!)?.[0];
      assert.ok(url, reply);
      const link = new URL(url!);
      assert.equal(
        link.origin + link.pathname,
        "https://example.supabase.co/functions/v1/dashboard",
      );
      const [me] = await db.sql`select id::text from whatsapp.recipients where phone = ${EXEC}`;
      const grant = await verifyDashboardLink(link.searchParams, secret);
      assert.ok(typeof grant === "object", String(grant));
      assert.equal(grant.recipient, me!.id);
      const hours = (grant.expiresAt * 1000 - Date.now()) / 3_600_000;
      assert.ok(hours > 23.9 && hours <= 24, String(hours));
      assert.ok(!url!.includes(EXEC.slice(1)), "no phone number in the link");
      assert.equal(
        await verifyDashboardLink(link.searchParams, "another-secret-0123456789abcdef0"),
        "bad_signature",
      );
    });
  });
});
