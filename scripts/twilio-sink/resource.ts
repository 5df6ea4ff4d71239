/** A message the sink keeps, and its Message resource JSON as Twilio's API answers it. */

/** A kept message. */
export interface SinkMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  /** The text as delivered: the Body, or the content template rendered with its variables. */
  body: string;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  statusCallback: string | null;
  status: string;
  dateCreated: Date;
}

/** The Message resource (2010-04-01 API, JSON, snake_case, RFC 2822 dates). */
export function toResource(m: SinkMessage): Record<string, unknown> {
  const date = m.dateCreated.toUTCString().replace("GMT", "+0000");
  const uri = `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: m.accountSid,
    api_version: "2010-04-01",
    body: m.body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: null,
    num_media: "0",
    num_segments: "1",
    price: null,
    price_unit: "USD",
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: uri.replace(".json", "/Media.json") },
    to: m.to,
    uri,
  };
}
