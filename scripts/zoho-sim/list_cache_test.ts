import assert from "node:assert/strict";
import { startZohoSim, type ZohoSim } from "./server.ts";
import { accessToken } from "./testing.ts";

type Auth = { token: string; apiDomain: string };

/** Raw body texts of every page of a list walk (page_token after page 1). */
async function walk(auth: Auth, module: string, query: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const q: string = token ? `${query}&page_token=${token}` : query;
    const res = await fetch(`${auth.apiDomain}/crm/v7/${module}?${q}`, {
      headers: { Authorization: `Zoho-oauthtoken ${auth.token}` },
    });
    const text = await res.text();
    const type = res.headers.get("content-type");
    out.push(`${res.status} ${type} ${res.headers.get("content-length")} ${text}`);
    if (res.status !== 200) break;
    const info = JSON.parse(text).info;
    if (!info.more_records) break;
    token = info.next_page_token;
  }
  return out;
}

const fieldsOf = (sim: ZohoSim, module: string) =>
  sim.dataset.fields(module).map((f) => f.api_name);

/** Queries covering field groups, odd orders, duplicates, subforms, `$` names and sorting. */
function queries(sim: ZohoSim, module: string): string[] {
  const names = fieldsOf(sim, module);
  const common = "converted=both&approved=both&per_page=97";
  return [
    `fields=Modified_Time,${names.slice(0, 49).join(",")}&${common}`,
    `fields=Modified_Time,${names.slice(49, 98).join(",")}&${common}&sort_by=Modified_Time`,
    `fields=${[...names].reverse().slice(0, 50).join(",")}&${common}&sort_order=desc`,
    `fields=id,Last_Name,Last_Name,Nope,Created_Time,$has_more&${common}&sort_by=Created_Time`,
    `fields=$approval_state,Owner&${common}`,
    `fields=Modified_Time&per_page=200`,
    `fields=Last_Name,Cached_Flag__c,Lead_Age_Days,Email&${common}`,
  ];
}

async function pair(fn: (cached: ZohoSim, plain: ZohoSim) => Promise<void>) {
  const options = { port: 0, size: { leads: 400 } };
  const cached = await startZohoSim({ ...options, prerender: ["Leads"] });
  const plain = await startZohoSim(options);
  try {
    await fn(cached, plain);
  } finally {
    await cached.close();
    await plain.close();
  }
}

async function assertSame(cached: ZohoSim, plain: ZohoSim, modules: string[], label: string) {
  const [a, b] = [await accessToken(cached), await accessToken(plain)];
  for (const module of modules) {
    for (const q of queries(plain, module)) {
      const [got, want] = [await walk(a, module, q), await walk(b, module, q)];
      assert.equal(got.length, want.length, `${label} ${module} ${q}`);
      got.forEach((text, k) => {
        const other = want[k] as string;
        let at = 0;
        while (at < text.length && text[at] === other[at]) at++;
        const near = (s: string) => s.slice(Math.max(0, at - 300), at + 100);
        assert.equal(near(text), near(other), `${label} ${module} ${q} page ${k} at ${at}`);
      });
    }
  }
}

Deno.test("list cache: pages are byte-identical to uncached ones", async () => {
  await pair(async (cached, plain) => {
    assert.ok(cached.controls.listCache.enabled());
    assert.ok(!plain.controls.listCache.enabled());
    assert.ok(cached.controls.listCache.stats().entries > 300);
    await assertSame(cached, plain, ["Leads", "Deals", "Contacts", "Tasks"], "fresh");
    // Served from cache the second time round.
    const before = cached.controls.listCache.stats();
    await assertSame(cached, plain, ["Leads"], "again");
    const after = cached.controls.listCache.stats();
    assert.ok(after.hits > before.hits && after.misses === before.misses);
    cached.controls.behaviour.listDollarKeys = "requested";
    plain.controls.behaviour.listDollarKeys = "requested";
    await assertSame(cached, plain, ["Leads"], "requested $ keys");
  });
});

Deno.test("list cache: mutations show at once", async () => {
  await pair(async (cached, plain) => {
    const a = await accessToken(cached);
    const lead = (sim: ZohoSim, i: number) => sim.controls.records.idOf("Leads", i);
    const leadsQuery = `fields=Last_Name,Lead_Age_Days,Email&converted=both&approved=both`;
    const b = await accessToken(plain);
    // Both walk alike so the page tokens they issue stay in step; the first walk fills the cache.
    const walkBoth = (q: string) => Promise.all([walk(a, "Leads", q), walk(b, "Leads", q)]);
    await walkBoth(leadsQuery);
    const both = (f: (sim: ZohoSim) => void) => [cached, plain].forEach(f);
    both((s) => s.controls.records.update("Leads", lead(s, 3), { Last_Name: "Cachebuster" }));
    both((s) =>
      s.controls.records.update("Leads", lead(s, 4), { Email: "q@x.io" }, { bump: false })
    );
    both((s) => s.controls.records.update("Leads", lead(s, 7), { Last_Name: "Zoë 😀 Ünï" }));
    both((s) => s.controls.records.delete("Leads", lead(s, 5)));
    both((s) => s.controls.records.delete("Leads", lead(s, 6)));
    both((s) => s.controls.records.restore("Leads", lead(s, 6)));
    both((s) => s.controls.records.create("Leads", { Last_Name: "Newcomer" }));
    both((s) => {
      const i = [...Array(50).keys()].find((k) => {
        const rec = s.controls.records.get("Leads", lead(s, k));
        return rec && rec.Converted__s === false;
      }) as number;
      s.controls.records.convert(lead(s, i));
    });
    const body = (await walkBoth(leadsQuery))[0].join("\n");
    assert.ok(body.includes("Cachebuster") && body.includes("q@x.io") && body.includes("Newcomer"));
    assert.ok(body.includes("Zoë 😀 Ünï"));
    assert.ok(!body.includes(`"id":"${lead(cached, 5)}"`));
    assert.ok(body.includes(`"id":"${lead(cached, 6)}"`));
    await assertSame(cached, plain, ["Leads", "Deals", "Contacts", "Accounts"], "mutated");
    both((s) =>
      s.controls.fields.add(
        "Leads",
        { api_name: "Cached_Flag__c", data_type: "boolean" },
        (i) => i % 2 === 0,
      )
    );
    const [flagged] = await walkBoth("fields=Cached_Flag__c,Last_Name&converted=both");
    assert.ok(flagged[0]?.includes(`"Cached_Flag__c":true`));
    await assertSame(cached, plain, ["Leads"], "field added");
    // Lead_Age_Days moves with the clock, without any mutation.
    both((s) => s.controls.clock.advance(3 * 86400 + 5));
    await assertSame(cached, plain, ["Leads"], "clock moved");
  });
});
