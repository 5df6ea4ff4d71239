/** Generation context and the small helpers every module generator uses. */
import { USERS } from "./catalog.ts";
import { recordId } from "./ids.ts";
import { moduleByName, USER_CODE } from "./modules.ts";
import type { Plan } from "./plan.ts";
import { formatDate, formatDateTime } from "./time_format.ts";

/** Everything a generator needs: the plan (seed + sizes) and the org's UTC offset. */
export interface GenContext {
  plan: Plan;
  offset: string;
}

/** Id of record `index` of `module`. */
export function idOf(module: string, index: number): string {
  return recordId(moduleByName(module)?.code ?? 99, index);
}

/** A `{name, id}` lookup value. */
export function lookup(module: string, index: number, name: string): { name: string; id: string } {
  return { name, id: idOf(module, index) };
}

/** A user lookup `{name, id, email}`. */
export function userRef(u: number): { name: string; id: string; email: string } {
  const user = USERS[u % USERS.length] as (typeof USERS)[number];
  return { name: `${user.first} ${user.last}`, id: recordId(USER_CODE, u), email: user.email };
}

export function dt(ctx: GenContext, t: number): string {
  return formatDateTime(t, ctx.offset);
}

export function date(ctx: GenContext, t: number): string {
  return formatDate(t, ctx.offset);
}

/** Sales reps own records (users 2..6); user 1 manages; 0 is the admin. */
export function ownerOf(h: number): number {
  return 2 + (h % 5);
}

/** Standard system values shared by all generated records. */
export function systemValues(
  ctx: GenContext,
  owner: number,
  created: number,
  modified: number,
  modifiedBy = owner,
): Record<string, unknown> {
  return {
    Owner: userRef(owner),
    Created_By: userRef(owner),
    Modified_By: userRef(modifiedBy),
    Created_Time: dt(ctx, created),
    Modified_Time: dt(ctx, modified),
    Tag: [],
    Record_Status__s: "Available",
    Locked__s: false,
  };
}

/** Record-level `$` keys present on single-record reads. */
export function dollarKeys(approved = true): Record<string, unknown> {
  return {
    $approval_state: approved ? "approved" : "approval_process_pending",
    $editable: true,
    $locked_for_me: false,
    $in_merge: false,
    $process_flow: false,
    $review_process: { approve: false, reject: false, resubmit: false },
    $approval: { delegate: false, approve: false, reject: false, resubmit: false },
    $orchestration: false,
    $currency_symbol: "$",
  };
}
