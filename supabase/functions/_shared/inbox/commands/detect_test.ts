import assert from "node:assert/strict";
import { detectCommand } from "./detect.ts";
import { COMMANDS } from "./index.ts";

/** [message, the command it asks for, or undefined for a question]. */
const TABLE: [string, string | undefined][] = [
  ["help", "help"],
  ["?", "help"],
  ["Hi", "help"],
  ["", "help"],
  ["pulse", "pulse"],
  ["Pulse please", "pulse"],
  ["brief", "brief"],
  ["brif", "brief"],
  ["send me the brief", "brief"],
  ["give me the brief", "brief"],
  ["can I get today's brief", "brief"],
  ["latest brief please", "brief"],
  ["give me the cro brief", "brief"],
  ["sync", "sync"],
  ["sync now", "sync"],
  ["update data", "sync"],
  ["status", "status"],
  ["pipeline status", "status"],
  ["pl status", "status"],
  ["dashboard", "dashboard"],
  ["dashbord", "dashboard"],
  ["dashboard link pls", "dashboard"],
  ["STOP", "stop"],
  ["unsubscribe", "stop"],
  ["start", "start"],
  ["opt in", "start"],
  // Questions, not commands.
  ["deal status", undefined],
  ["status of the Okafor deal", undefined],
  ["pipeline", undefined],
  ["rev mtd", undefined],
  ["please", undefined],
  ["stop the okafor deal", undefined],
  ["give me the pipeline", undefined],
  ["can you get me rev mtd", undefined],
];

Deno.test("detectCommand() knows each command's phrases, whole messages only", () => {
  const wrong = TABLE.filter(([text, want]) => detectCommand(text, COMMANDS)?.name !== want)
    .map(([text, want]) =>
      `${JSON.stringify(text)}: ${detectCommand(text, COMMANDS)?.name} ≠ ${want}`
    );
  assert.deepEqual(wrong, []);
});

Deno.test("the registry: unique names, no phrase asking for two commands, a help note each", () => {
  const names = COMMANDS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  const phrases = COMMANDS.flatMap((c) => c.phrases.map((p) => p.toLowerCase()));
  assert.equal(new Set(phrases).size, phrases.length);
  for (const c of COMMANDS) {
    assert.ok(c.help.length > 0 && c.help.length <= 20, c.name);
    assert.equal(detectCommand(c.name, COMMANDS), c, `${c.name} asks for itself`);
  }
});
