/**
 * HS256 JSON Web Tokens with WebCrypto: enough to mint Supabase-style anon and service_role keys
 * and to verify them in the gateway the way Supabase's `verify_jwt` does.
 */

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** Claims the local stack puts in and reads from a key. */
export interface JwtClaims {
  role?: string;
  exp?: number;
  iat?: number;
  iss?: string;
  [claim: string]: unknown;
}

/** Signs claims with HS256. */
export async function signJwt(claims: JwtClaims, secret: string): Promise<string> {
  const header = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const payload = base64url(encoder.encode(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    encoder.encode(`${header}.${payload}`),
  );
  return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
}

/** Why a token was refused; the gateway answers 401 with this message. */
export class JwtError extends Error {
  override name = "JwtError";
}

/** Verifies an HS256 token (signature, algorithm, expiry) and returns its claims. */
export async function verifyJwt(
  token: string,
  secret: string,
  { now = Date.now() }: { now?: number } = {},
): Promise<JwtClaims> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("Invalid JWT: expected three dot-separated parts");
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string };
  let claims: JwtClaims;
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64url(h)));
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(p)));
  } catch {
    throw new JwtError("Invalid JWT: header or payload is not base64url JSON");
  }
  if (header.alg !== "HS256") {
    throw new JwtError(`Invalid JWT: unsupported algorithm ${header.alg}`);
  }
  let signature: Uint8Array;
  try {
    signature = fromBase64url(s);
  } catch {
    throw new JwtError("Invalid JWT: signature is not base64url");
  }
  const ok = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    signature as Uint8Array<ArrayBuffer>,
    encoder.encode(`${h}.${p}`),
  );
  if (!ok) throw new JwtError("Invalid JWT: signature does not match");
  if (typeof claims.exp === "number" && claims.exp * 1000 <= now) {
    throw new JwtError("Invalid JWT: token has expired");
  }
  return claims;
}

/** Supabase's local demo keys: role anon / service_role, issuer supabase-demo, far expiry. */
export async function localKeys(secret: string): Promise<{ anon: string; serviceRole: string }> {
  const exp = 1983812996; // the expiry the Supabase CLI's demo keys carry (2032-11-11)
  return {
    anon: await signJwt({ iss: "supabase-demo", role: "anon", exp }, secret),
    serviceRole: await signJwt({ iss: "supabase-demo", role: "service_role", exp }, secret),
  };
}
