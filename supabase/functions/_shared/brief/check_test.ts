import assert from "node:assert/strict";
import { checkSections, checkText } from "./check.ts";
import type { Payload } from "./facts.ts";

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
