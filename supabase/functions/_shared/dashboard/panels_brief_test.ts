import assert from "node:assert/strict";
import { factPanel, markClaims } from "./panels_brief.ts";

const claim = (text: string, facts: string[], reason = "matches") => ({
  kind: "number",
  ok: true,
  claim: text,
  facts,
  reason,
  section: "headline",
});

Deno.test("markClaims() marks each checked number in order and links it to its fact", () => {
  const html = markClaims("Revenue is $43,380, 36.2% of the $120,000 target; <b>", [
    claim("$43,380", ["revenue.qtd"]),
    claim("36.2%", ["revenue.qtd.attainment"]),
    claim("$120,000", ["revenue.qtd.target"]),
  ]);
  assert.equal(
    html,
    'Revenue is <mark class="checked" title="Checked: matches"><a href="#fact-revenue.qtd">' +
      '$43,380</a></mark>, <mark class="checked" title="Checked: matches"><a href="#fact-revenue.' +
      'qtd.attainment">36.2%</a></mark> of the <mark class="checked" title="Checked: matches">' +
      '<a href="#fact-revenue.qtd.target">$120,000</a></mark> target; &lt;b&gt;',
  );
});

Deno.test("markClaims() marks a repeated number at each of its places, once per claim", () => {
  const html = markClaims("$0 then $0", [claim("$0", ["a"]), claim("$0", ["b"])]);
  assert.equal((html.match(/<mark /g) ?? []).length, 2);
  assert.ok(html.indexOf("#fact-a") < html.indexOf("#fact-b"));
  assert.equal(markClaims("nothing here", [claim("$5", ["x"])]), "nothing here");
});

Deno.test("factPanel() links facts to the panel that charts them", () => {
  assert.equal(factPanel("revenue.qtd"), "tiles");
  assert.equal(factPanel("coverage.quarter"), "coverage");
  assert.equal(factPanel("forecast.gap"), "forecast");
  assert.equal(factPanel("deal.5725767130000000578"), "risky-deals");
  assert.equal(factPanel("deals.stale"), "risky-deals");
  assert.equal(factPanel("leads.untouched_recent"), "data-quality");
  assert.equal(factPanel("leads.mtd"), "leads-by-source");
  assert.equal(factPanel("source.facebook.leads.mtd"), "leads-by-source");
  assert.equal(factPanel("source.website.won_revenue.mtd"), "revenue-by-month");
  assert.equal(factPanel("source.website.pipeline_created.mtd"), "pipeline-by-month");
  assert.equal(factPanel("anomaly.leads.facebook"), "anomalies");
});
