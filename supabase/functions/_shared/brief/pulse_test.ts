import assert from "node:assert/strict";
import { checkSections, draftSections } from "./check.ts";
import { extractNumbers } from "./claims.ts";
import { factNames, PayloadSchema } from "./facts.ts";
import type { Draft } from "./prompt.ts";
import { clip, composePulse, PULSE_TEMPLATE, renderTemplate } from "./pulse.ts";
import { rulesBrief } from "./rules.ts";
import { fullPayload, randomGen, rng } from "./testdata/payloads.ts";
import { createDataset } from "../../../../scripts/zoho-sim/dataset/dataset.ts";

/**
 * WhatsApp's limit for the pulse, written as the number, not as the constant pulse.ts uses: a
 * limit raised there by mistake must fail these tests.
 */
const LIMIT = 400;

const demo = PayloadSchema.parse(
  JSON.parse(await Deno.readTextFile(new URL("./testdata/demo_payload.json", import.meta.url))),
);

/** Every number the pulse states is a number the brief stated (as written there). */
function numbersOf(text: string): string[] {
  return extractNumbers(text).map((n) => n.text);
}

Deno.test("composePulse() on the demo brief: gap, action, key numbers, under 400", () => {
  const draft = rulesBrief(demo);
  const pulse = composePulse(draft, demo.as_of);
  assert.ok(pulse.text.length <= 400, `${pulse.text.length} chars`);
  assert.equal(renderTemplate(PULSE_TEMPLATE, pulse.variables), pulse.text);
  assert.ok(pulse.text.includes(draft.critical_gap.text));
  assert.ok(pulse.text.includes(draft.immediate_action.text));
});

Deno.test("composePulse() is at most 400 characters for any snapshot, and adds no number", () => {
  for (let seed = 1; seed <= 250; seed++) {
    const random = rng(seed);
    const nullRate = [0, 0.3, 0.7, 1][seed % 4]!;
    const payload = fullPayload(randomGen(random, nullRate));
    const draft = rulesBrief(payload);
    const check = checkSections(draftSections(draft), payload);
    assert.ok(
      check.ok,
      `seed ${seed}: rules brief fails its own check: ${
        JSON.stringify(check.claims.filter((c) => !c.ok))
      }`,
    );
    const pulse = composePulse(draft, payload.as_of, payload.facts.flatMap(factNames));
    assert.ok(pulse.text.length <= LIMIT, `seed ${seed}: ${pulse.text.length} chars`);
    // The pulse passes the same check against the facts the brief cited: nothing new.
    const parts = [draft.headline, draft.critical_gap, draft.immediate_action];
    const pulseCheck = checkSections([{
      section: "pulse",
      text: pulse.text.replace(payload.as_of, ""),
      facts: parts.flatMap((p) => p.facts),
    }], payload);
    assert.ok(
      pulseCheck.ok,
      `seed ${seed}: ${JSON.stringify(pulseCheck.claims.filter((c) => !c.ok))}`,
    );
    const briefNumbers = new Set(parts.flatMap((p) => numbersOf(p.text)));
    for (const n of numbersOf(pulse.text.replace(payload.as_of, ""))) {
      assert.ok(
        briefNumbers.has(n) || parts.some((p) => p.text.includes(n)),
        `seed ${seed}: pulse number ${n} is not in the brief`,
      );
    }
  }
});

Deno.test("composePulse() keeps 400 with model texts of the maximum length", () => {
  const long = (c: string) => ({ text: `${c} `.repeat(200).slice(0, 400), facts: [] });
  const draft: Draft = {
    headline: long("Revenue $1,234,567"),
    critical_gap: long("Gap"),
    immediate_action: long("日本語🚀"),
    insights: [long("a"), long("b"), long("c")],
  };
  const pulse = composePulse(draft, "2026-03-04");
  assert.ok(pulse.text.length <= LIMIT, `${pulse.text.length}`);
});

Deno.test("clip() never leaves a cut number or a dangling direction word", () => {
  assert.equal(clip("Revenue is up $1.2 million this month", 22), "Revenue…");
  assert.equal(clip("short", 10), "short");
  assert.ok(clip("x".repeat(500), 100).length <= 100);
});

Deno.test("composePulse() stays within 400 on the demo company's longest names and largest amounts", () => {
  // The simulator's demo company (scripts/zoho-sim): its longest deal, owner, stage and source
  // names, and the sum of every deal amount as each currency figure.
  const ds = createDataset();
  const longest = { deal: "", owner: "", stage: "", source: "" };
  const keep = (k: keyof typeof longest, v: unknown) => {
    if (typeof v === "string" && v.length > longest[k].length) longest[k] = v;
  };
  let total = 0;
  for (let i = 0; i < ds.count("Deals"); i++) {
    const d = ds.record("Deals", i);
    keep("deal", d.Deal_Name);
    keep("owner", (d.Owner as { name?: string } | null)?.name);
    keep("stage", d.Stage);
    keep("source", d.Lead_Source);
    total += typeof d.Amount === "number" ? d.Amount : 0;
  }
  for (let i = 0; i < ds.count("Leads"); i++) keep("source", ds.record("Leads", i).Lead_Source);
  assert.ok(longest.deal && longest.owner && longest.stage && longest.source && total > 0);
  const payload = {
    ...demo,
    facts: demo.facts.map((f) => ({
      ...f,
      ...(f.label ? { label: f.id.startsWith("deal.") ? longest.deal : longest.source } : {}),
      ...(f.owner ? { owner: longest.owner } : {}),
      ...(f.stage ? { stage: longest.stage } : {}),
      ...(f.unit === "currency" && f.value !== null ? { value: total + 0.99 } : {}),
      ...(f.unit === "pct" && f.value !== null ? { value: -9999.99 } : {}),
    })),
  };
  const pulse = composePulse(rulesBrief(payload), payload.as_of, payload.facts.flatMap(factNames));
  assert.ok(pulse.text.length <= 400, `${pulse.text.length} chars: ${pulse.text}`);
});

Deno.test("composePulse() is at most 400 characters on seeded random model texts", () => {
  const random = rng(400);
  const alphabet = [..."abcdefghij KLMNOP $1,234.5% 日本語🚀 -x\n"];
  const text = () =>
    Array.from(
      { length: Math.floor(random() * 1200) },
      () => alphabet[Math.floor(random() * alphabet.length)]!,
    ).join("");
  for (let i = 0; i < 500; i++) {
    const part = () => ({ text: text(), facts: [] });
    const draft: Draft = {
      headline: part(),
      critical_gap: part(),
      immediate_action: part(),
      insights: [part(), part(), part()],
    };
    const names = Array.from({ length: 3 }, () => text().slice(0, 60));
    const pulse = composePulse(draft, "2026-03-04", names);
    assert.ok(pulse.text.length <= 400, `draw ${i}: ${pulse.text.length} chars`);
  }
});
