/**
 * The local Twilio sink's credentials and sender: fixed, well-formed and obviously local (they
 * are printed by `deno task status`, like the local Supabase keys). Never real Twilio values.
 */

/** What a client needs to talk to the sink as to Twilio. */
export interface SinkCredentials {
  accountSid: string;
  authToken: string;
  whatsappFrom: string;
  pulseContentSid: string;
}

/** The local credentials: AC/HX + 32 hex digits, Twilio's WhatsApp sandbox sender. */
export function localTwilioCredentials(): SinkCredentials {
  return {
    accountSid: `AC${"10ca1".padStart(32, "0")}`,
    authToken: "local-twilio-auth-token-not-a-secret",
    whatsappFrom: "whatsapp:+14155238886",
    pulseContentSid: `HX${"70c1".padStart(32, "0")}`,
  };
}
