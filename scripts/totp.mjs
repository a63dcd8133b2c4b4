// The six-digit code an authenticator app shows for a demo account (RFC 6238: SHA-1, 30 s),
// so the tests sign in the way a person does. Demo secrets are synthetic and public.
import { createHmac } from 'node:crypto';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function totpCode(secret, atMs = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

/** Demo accounts (store/demo.rs in qar-server): password and authenticator secret. */
export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO = {
  lead: { email: 'anika.marsh@example.org', secret: 'QARDEMOANIKAMARSHLEADREVIEWER234', name: 'Dr Anika Marsh' },
  reviewer: { email: 'owen.pritchard@example.org', secret: 'QARDEMOOWENPRITCHARDREVIEWER2345', name: 'Owen Pritchard' },
  coordinator: { email: 'hollie.brennan@example.org', secret: 'QARDEMOHOLLIEBRENNANHUBCOORD2345', name: 'Hollie Brennan' },
  admin: { email: 'admin@example.org', secret: 'QARDEMOADMINISTRATORCPCENTRAL234', name: 'Demo Administrator' },
};

// `node scripts/totp.mjs anika` (or an email, or a base32 secret) prints the current code.
if (import.meta.url === `file://${process.argv[1]}`) {
  const who = process.argv[2] ?? '';
  const account = Object.values(DEMO).find((a) => a.email.startsWith(who) || a.email === who);
  const secret = account?.secret ?? who;
  if (!secret) {
    console.error('usage: node scripts/totp.mjs <anika|owen|hollie|email|BASE32SECRET>');
    process.exit(2);
  }
  const left = 30 - Math.floor(Date.now() / 1000) % 30;
  console.log(`${totpCode(secret)}   (${account ? account.email : 'secret'}; changes in ${left} s)`);
}
