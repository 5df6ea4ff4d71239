/**
 * The kept first wins (analytics.f_first_wins, which the forecast's new business reads) stay equal
 * to their definition (analytics.first_wins) when two transactions write the same deal's facts at
 * once: each statement trigger recomputes a deal's row from the other table as its transaction
 * sees it, so two writers at once each recomputed from the other's old rows. One edits the deal's
 * Amount and holds its transaction open; the other records the deal's first Closed Won entry.
 */
import assert from "node:assert/strict";
import { createScratchDb } from "../../../scripts/local/scratch_db.ts";

const DEAL = "fw-race-1";

Deno.test("kept first wins follow two concurrent writers of one deal", async () => {
  const db = await createScratchDb("first_wins", { max: 4 });
  try {
    await db.sql`insert into analytics.f_deals (id, created_at, created_day, stage, amount,
        is_won, is_lost, is_closed)
      values (${DEAL}, '2026-01-05 10:00Z', '2026-01-05', 'Negotiation/Review', 100, false,
        false, false)`;
    await db.sql`insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage,
        last_entry_at)
      values (${DEAL}, 1, '2026-01-05 10:00Z', 'Negotiation/Review', '2026-01-05 10:00Z')`;

    let edited!: () => void;
    const editDone = new Promise<void>((resolve) => edited = resolve);
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    // The Amount edit: written, then its transaction held open until the win has been sent.
    const edit = db.sql.begin(async (tx) => {
      await tx`update analytics.f_deals set amount = 250 where id = ${DEAL}`;
      edited();
      await held;
    });
    await editDone;
    // The win, in a transaction of its own, while the edit is not yet committed.
    const win = db.sql.begin(async (tx) => {
      await tx`insert into analytics.f_stage_entries (deal_id, seq, entered_at, stage,
          last_entry_at)
        values (${DEAL}, 2, '2026-02-01 12:00Z', 'Closed Won', '2026-02-01 12:00Z')`;
    });
    // Give the win time to reach its trigger (it waits there for the edit, with the lock).
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([edit, win]);

    const kept = await db.sql`select won_at, amount from analytics.f_first_wins
      where deal_id = ${DEAL}`;
    const defined = await db.sql`select won_at, amount from analytics.first_wins
      where deal_id = ${DEAL}`;
    assert.equal(defined.length, 1, "the deal has a first win");
    assert.equal(Number(defined[0]!.amount), 250, "with the edited Amount");
    assert.deepEqual(
      kept.map((r) => [String(r.won_at), Number(r.amount)]),
      defined.map((r) => [String(r.won_at), Number(r.amount)]),
      "kept = defined after both committed",
    );
  } finally {
    await db.drop();
  }
});
