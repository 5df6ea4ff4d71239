import assert from "node:assert/strict";
import { INTENTS } from "../ask/intents.ts";
import { nearestIntents } from "../ask/nearest.ts";
import { COMMANDS } from "./commands/index.ts";
import { areaIntents, HELP_AREAS, helpText, unknownText } from "./help.ts";

Deno.test("help fits one phone screen: at most 15 short lines", () => {
  const lines = helpText(COMMANDS).split("\n");
  assert.ok(lines.length <= 15, `${lines.length} lines`);
  assert.ok(helpText(COMMANDS).length <= 800, `${helpText(COMMANDS).length} characters`);
  for (const line of lines) assert.ok(line.length <= 100, line);
  assert.match(helpText(COMMANDS), /Commands: pulse \(today's\)[^]*· help \(this list\)$/);
  for (const c of COMMANDS) assert.ok(helpText(COMMANDS).includes(`${c.name} (${c.help})`));
});

Deno.test("help: every area shows two ways to ask, examples of the registry", () => {
  const examples = new Set(INTENTS.map((i) => i.example));
  for (const { label, words } of HELP_AREAS) {
    const shown = areaIntents(words);
    assert.equal(shown.length, 2, label);
    for (const i of shown) {
      assert.ok(examples.has(i.example));
      assert.ok(helpText(COMMANDS).includes(i.example), i.example);
    }
  }
});

const nearest = (text: string) => nearestIntents(text).map((i) => i.name);

Deno.test("nearest questions: three, on the message's subject", () => {
  const leads = nearest("how are leads trending");
  assert.equal(leads.length, 3);
  assert.ok(leads.some((n) => n.startsWith("leads")), leads.join());
  assert.ok(nearest("pipeline health").every((n) => n.startsWith("pipeline")));
  assert.ok(nearest("money coming in").some((n) => n.startsWith("revenue")));
  assert.ok(nearest("which rep is best at closing").includes("owner_leaderboard"));
  // Nothing shared: the registry's first questions, still three.
  assert.deepEqual(nearest("weather in Lisbon"), INTENTS.slice(0, 3).map((i) => i.name));
});

Deno.test("an unknown question is answered with the three nearest and a way to more", () => {
  const text = unknownText("how are leads trending");
  const lines = text.split("\n");
  assert.equal(lines[0], "I can't answer that yet. Closest I can answer:");
  assert.equal(lines.length, 5);
  const shown = nearestIntents("how are leads trending").map((i) => `• ${i.example}`);
  assert.deepEqual(lines.slice(1, 4), shown);
  assert.equal(lines[4], "(send help for more)");
  assert.ok(!text.includes("Commands:"), "not the whole help");
});
