/**
 * WhatsApp recipients: only opted-in rows get data. Issue 12's webhook records inbound messages
 * with `touchInbound`, which opens the 24-hour window for free text.
 */
import type postgres from "postgres";

/** A recipient row. */
export interface Recipient {
  id: string;
  name: string;
  phone: string;
  role: string;
  opted_in: boolean;
  time_zone: string;
  last_inbound_at: Date | null;
}

/** Every opted-in recipient, by name. */
export async function optedIn(sql: postgres.Sql): Promise<Recipient[]> {
  return await sql<Recipient[]>`
    select id, name, phone, role, opted_in, time_zone, last_inbound_at
    from whatsapp.recipients where opted_in order by name, id`;
}

/** The recipient with this E.164 phone, or undefined. */
export async function byPhone(sql: postgres.Sql, phone: string): Promise<Recipient | undefined> {
  const [row] = await sql<Recipient[]>`
    select id, name, phone, role, opted_in, time_zone, last_inbound_at
    from whatsapp.recipients where phone = ${phone}`;
  return row;
}

/** Records an inbound message time (never moves it backwards). */
export async function touchInbound(
  sql: postgres.Sql,
  inbound: { phone: string; at: Date },
): Promise<void> {
  const { phone, at } = inbound;
  await sql`
    update whatsapp.recipients set last_inbound_at = greatest(last_inbound_at, ${at}),
      updated_at = now()
    where phone = ${phone}`;
}

/** The recipient with this row id, or undefined. */
export async function byId(sql: postgres.Sql, id: string): Promise<Recipient | undefined> {
  const [row] = await sql<Recipient[]>`
    select id, name, phone, role, opted_in, time_zone, last_inbound_at
    from whatsapp.recipients where id = ${id}`;
  return row;
}

/** Opts the recipient with this phone into (true) or out of (false) the daily pulse. */
export async function setOptedIn(
  sql: postgres.Sql,
  { phone, on }: { phone: string; on: boolean },
): Promise<void> {
  await sql`update whatsapp.recipients set opted_in = ${on}, updated_at = now()
    where phone = ${phone}`;
}
