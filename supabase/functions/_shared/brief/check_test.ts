import assert from "node:assert/strict";
import { checkSections, checkText } from "./check.ts";
import { factNumbers, formatNumber, type Payload, PayloadSchema } from "./facts.ts";

/** A small payload: revenue down 12% this month, a source, an owner, a deal. */
const PAYLOAD: Payload = {
  snapshot_id: "00000000-0000-4000-8000-000000000001",
  as_of: "2026-03-04",
  currency: "USD",
  facts: [
    { id: "revenue.mtd", value: 1_234_567, unit: "currency", period: "mtd" },
    { id: "revenue.mtd.growth", value: -12, unit: "pct", period: "mtd" },
    { id: "coverage.quarter", value: 0.69, unit: "ratio", period: "quarter" },
    { id: "response.median", value: null, unit: "hours", period: "mtd" },
    {
      id: "source.facebook.leads.mtd",
      label: "Facebook",
      value: 40,
      prev: 20,
      change_pct: 100,
      unit: "count",
      period: "mtd",
    },
    {
      id: "source.google_ads.conversion_days",
      label: "Google Ads",
      value: 14,
      prev: 11,
      change: 3,
      unit: "days",
      period: "month",
    },
    {
      id: "deal.42",
      label: "Acme Rollout",
      owner: "Priya Nair",
      stage: "Negotiation",
      value: 50_000,
      days: 31,
      unit: "currency",
      period: "as_of",
    },
  ],
};

function failed(text: string, facts?: string[]) {
  return checkText(text, PAYLOAD, facts).claims.filter((c) => !c.ok);
}

Deno.test("checkText() names a claim that says revenue up 45% when the fact says down 12%", () => {
  const bad = failed("Revenue up 45% this month.");
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.claim, "Revenue up 45% this month");
  assert.match(bad[0]!.reason, /45%/);
  // The right number with the wrong direction fails as a direction.
  const flipped = failed("Revenue up 12% this month.");
  assert.equal(flipped[0]!.kind, "direction");
  assert.match(flipped[0]!.reason, /revenue\.mtd\.growth/);
  assert.deepEqual(failed("Revenue down 12% this month."), []);
  assert.deepEqual(failed("Revenue fell 12% this month."), []);
});

Deno.test("checkText() accepts currency in any display form within its rounding", async (t) => {
  for (const ok of ["$1,234,567", "$1.2M", "$1.23M", "$1,235K", "1,234,567", "USD 1.2 million"]) {
    await t.step(ok, () => assert.deepEqual(failed(`Revenue is ${ok} this month.`), []));
  }
  for (const bad of ["$1.3M", "$1.24M", "$1,230,000", "$12M"]) {
    await t.step(`rejects ${bad}`, () => assert.equal(failed(`Revenue is ${bad}.`).length, 1));
  }
});

Deno.test("checkText() checks multipliers, days and ratios", () => {
  assert.deepEqual(failed("Facebook leads doubled to 40."), []);
  assert.deepEqual(failed("Facebook leads are up 2x."), []);
  assert.equal(failed("Facebook leads tripled.").length, 1);
  assert.ok(failed("Facebook leads halved.").some((c) => c.claim === "halved"));
  assert.deepEqual(failed("Coverage is 0.69x."), []);
  assert.deepEqual(failed("Coverage is 0.7x."), []);
  assert.equal(failed("Coverage is 0.8x.").length, 1);
  assert.deepEqual(failed("Priya Nair's Acme Rollout has sat 31 days in Negotiation."), []);
  assert.equal(failed("Acme Rollout has sat 13 days in Negotiation.").length, 1);
});

Deno.test("checkText() reads slowing as more days for durations", () => {
  assert.deepEqual(failed("Google Ads conversion is slowing, up 3 days to 14 days."), []);
  assert.deepEqual(failed("Google Ads conversions are slower by 3 days."), []);
  assert.equal(failed("Google Ads conversions got faster by 3 days.").length, 1);
  assert.equal(failed("Google Ads conversion time fell.").length, 1);
});

Deno.test("checkText() fails names that are invented or not cited", () => {
  const invented = failed("Instagram leads doubled.");
  assert.deepEqual(invented.map((c) => [c.kind, c.claim]), [["name", "Instagram"]]);
  const uncited = failed("Facebook leads doubled.", ["source.google_ads.conversion_days"]);
  assert.ok(
    uncited.some((c) => c.kind === "name" && /not in the facts this text cites/.test(c.reason)),
  );
  assert.deepEqual(failed("Push Priya Nair to close Acme Rollout."), []);
});

Deno.test("checkText() never accepts a number for a fact without a value", () => {
  const bad = failed("Median response is 4 hours.", ["response.median"]);
  assert.equal(bad.length, 1);
  assert.match(bad[0]!.reason, /no cited fact has a number of that kind/);
});

Deno.test("checkSections() fails citations of unknown fact ids", () => {
  const r = checkSections([{
    section: "headline",
    text: "Revenue is $1.2M.",
    facts: ["revenue.q9"],
  }], PAYLOAD);
  assert.equal(r.ok, false);
  assert.ok(r.claims.some((c) => c.kind === "citation" && c.claim === "revenue.q9"));
});

Deno.test("checkText() ignores dates, quarters, fact ids and the 24-hour window", () => {
  assert.deepEqual(failed("As of 2026-03-04 (Q1 2026), revenue.mtd is $1.2M."), []);
  assert.deepEqual(failed("Reply within 24 hours to keep the window open."), []);
});

/** One fact of each unit, checked one at a time (each text cites only its fact). */
const UNITS: Payload = {
  ...PAYLOAD,
  facts: [
    { id: "revenue.mtd.growth", value: 662.11, unit: "pct", period: "mtd" },
    { id: "revenue.mtd", value: 21_705, unit: "currency", period: "mtd" },
    { id: "pipeline.open_deals", value: 34, unit: "count", period: "as_of" },
    { id: "sales_cycle.median", value: 18.5, unit: "days", period: "year" },
    { id: "response.median", value: 5, unit: "hours", period: "mtd" },
    { id: "coverage.quarter", value: 0.69, unit: "ratio", period: "quarter" },
  ],
};

function verdicts(payload: Payload, text: string, facts: string[]) {
  return checkText(text, payload, facts).claims.filter((c) => !c.ok);
}

Deno.test("checkText() matches a number only in its fact's unit; another unit is a unit swap", async (t) => {
  const table: [string, string, string[]][] = [
    ["revenue.mtd.growth", "Revenue is up 662%.", ["$662", "662 days", "662 hours", "662"]],
    ["revenue.mtd", "Revenue is $21,705.", ["21,705%", "21,705 days", "21,705 hours"]],
    ["pipeline.open_deals", "There are 34 open deals.", ["$34", "34%", "34 days"]],
    ["sales_cycle.median", "The sales cycle is 18.5 days.", ["18.5%", "$18.5", "18.5 hours"]],
    ["response.median", "Median response is 5 hours.", ["5%", "$5", "5 days"]],
    ["coverage.quarter", "Coverage is 0.69x.", ["0.69%", "$0.69"]],
  ];
  for (const [id, right, wrongs] of table) {
    await t.step(`${id}: ${right}`, () => assert.deepEqual(verdicts(UNITS, right, [id]), []));
    for (const wrong of wrongs) {
      await t.step(`${id}: refuses ${wrong}`, () => {
        const bad = verdicts(UNITS, `The figure is ${wrong}.`, [id]);
        assert.deepEqual(bad.map((c) => [c.kind, c.error]), [["number", "unit_swap"]]);
      });
    }
  }
});

Deno.test("checkText() refuses a currency claim for a percentage fact ($662 for 662.11%)", () => {
  const bad = verdicts(UNITS, "March revenue is up $662 on February.", ["revenue.mtd.growth"]);
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.error, "unit_swap");
  assert.deepEqual(
    verdicts(UNITS, "March revenue is up 662% on February.", ["revenue.mtd.growth"]),
    [],
  );
});

/** Facts with a previous value: a rise from zero (no change field), a fall, a flat one. */
const MOVES: Payload = {
  ...PAYLOAD,
  facts: [
    {
      id: "source.website.pipeline_created.mtd",
      label: "Website",
      value: 25_911,
      prev: 0,
      unit: "currency",
      period: "mtd",
    },
    {
      id: "source.google_ads.pipeline_created.mtd",
      label: "Google Ads",
      value: 22_028,
      prev: 25_877,
      change_pct: -14.87,
      unit: "currency",
      period: "mtd",
    },
    {
      id: "source.referral.leads.mtd",
      label: "Referral",
      value: 15,
      prev: 10,
      change_pct: 50,
      unit: "count",
      period: "mtd",
    },
  ],
};

Deno.test("checkText() refuses a direction against a fact's previous value", async (t) => {
  await t.step("a fact with prev and no change field", () => {
    const ids = ["source.website.pipeline_created.mtd"];
    const bad = verdicts(MOVES, "Website pipeline fell to $25,911 this month.", ids);
    assert.deepEqual(bad.map((c) => [c.kind, c.error]), [["direction", "flipped_direction"]]);
    assert.match(bad[0]!.reason, /from \$0 to \$25,911/);
    assert.deepEqual(verdicts(MOVES, "Website pipeline rose to $25,911 this month.", ids), []);
    assert.equal(verdicts(MOVES, "Website pipeline shrank this month.", ids).length, 1);
    assert.deepEqual(verdicts(MOVES, "Website pipeline grew this month.", ids), []);
  });
  await t.step("every fact of the demo payload with a previous value", async () => {
    const demo = PayloadSchema.parse(JSON.parse(
      await Deno.readTextFile(new URL("./testdata/demo_payload.json", import.meta.url)),
    ));
    const moved = demo.facts.filter((f) =>
      typeof f.prev === "number" && typeof f.value === "number" && f.value !== f.prev && f.label
    );
    assert.ok(moved.length >= 10);
    for (const f of moved) {
      const level = formatNumber(f.value!, factNumbers(f)[0]!.kind, demo.currency);
      const [right, wrong] = f.value! > f.prev! ? ["rose", "fell"] : ["fell", "rose"];
      const say = (word: string) => `${f.label} ${word} to ${level} this month.`;
      assert.deepEqual(verdicts(demo, say(right), [f.id]), [], say(right));
      const bad = verdicts(demo, say(wrong), [f.id]);
      assert.deepEqual(bad.map((c) => c.error), ["flipped_direction"], `${f.id}: ${say(wrong)}`);
    }
  });
});

Deno.test("checkText() accepts a multiplier only within the rounding of the ratio it restates", () => {
  const ids = ["source.referral.leads.mtd"]; // +50%: a 1.5x rise
  assert.deepEqual(verdicts(MOVES, "Referral leads grew 1.5x.", ids), []);
  for (
    const loose of [
      "Referral leads grew 2x.",
      "Referral leads doubled.",
      "Referral leads grew 1.6x.",
    ]
  ) {
    const bad = verdicts(MOVES, loose, ids);
    assert.deepEqual(bad.map((c) => c.error), ["loose_multiplier"], loose);
  }
  assert.deepEqual(failed("Facebook leads grew 2x."), []); // +100%
  assert.deepEqual(failed("Coverage is 0.7x."), []);
  assert.equal(failed("Coverage is 0.75x.")[0]!.error, "loose_multiplier");
});

Deno.test("checkText() refuses last period's number said of this period", () => {
  const ids = ["source.facebook.leads.mtd"]; // 20 last month, 40 this month
  const bad = verdicts(PAYLOAD, "Facebook brought 20 leads this month.", ids);
  assert.deepEqual(bad.map((c) => [c.kind, c.error]), [["number", "wrong_period"]]);
  assert.deepEqual(verdicts(PAYLOAD, "Facebook brought 40 leads this month, up from 20.", ids), []);
  assert.deepEqual(verdicts(PAYLOAD, "Facebook leads went from 20 to 40.", ids), []);
  assert.deepEqual(verdicts(PAYLOAD, "Facebook had 20 leads last month.", ids), []);
  const pipeline = ["source.google_ads.pipeline_created.mtd"];
  assert.equal(
    verdicts(MOVES, "Google Ads created $25,877 of pipeline this month.", pipeline)[0]!.error,
    "wrong_period",
  );
});
