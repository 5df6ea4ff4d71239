import assert from "node:assert/strict";
import { checkSections, draftSections } from "./check.ts";
import { extractNumbers } from "./claims.ts";
import { factNames, PayloadSchema } from "./facts.ts";
import type { Draft } from "./prompt.ts";
import { clip, composePulse, PULSE_MAX, PULSE_TEMPLATE, renderTemplate } from "./pulse.ts";
import { rulesBrief } from "./rules.ts";
import { fullPayload, randomGen, rng } from "./testdata/payloads.ts";

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
  assert.ok(pulse.text.length <= PULSE_MAX);
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
    assert.ok(pulse.text.length <= PULSE_MAX, `seed ${seed}: ${pulse.text.length} chars`);
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
  assert.ok(pulse.text.length <= PULSE_MAX, `${pulse.text.length}`);
});

Deno.test("clip() never leaves a cut number or a dangling direction word", () => {
  assert.equal(clip("Revenue is up $1.2 million this month", 22), "Revenue…");
  assert.equal(clip("short", 10), "short");
  assert.ok(clip("x".repeat(500), 100).length <= 100);
});
