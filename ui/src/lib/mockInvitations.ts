import type { BackendError } from './backend';
import type { ErrorCode } from './errorCodes';
import type { ActivatedAccount, InvitationLink, InvitationSetup, Invitations } from './invitations';
import { invalid } from './mockRules';
import { LIMITS } from './tables';

// The in-memory invitee's side for the vitest suites and the browser preview. It follows the
// server's rules (issue 9): a code redeems once, with a password long enough (password.rs), and
// is then confirmed once with the authenticator's code; expired and withdrawn codes are refused.
// Any six-digit code but 000000 passes for the authenticator's, as at the mock's sign-in.

const MIN_PASSWORD = LIMITS.min_password_chars;
const DAY_MS = 86_400_000;

export type MockInvitation = {
  code: string;
  email: string;
  name: string;
  userId: string;
  expiresMs: number;
  cancelled?: boolean;
  redeemed?: { password: string; secret: string };
  confirmed?: boolean;
};

/** What the preview and the tests can redeem: one code waiting, one past its seven days. */
export const MOCK_INVITATION = { code: 'rkv4p-7mqtx-w2nzs-e8hja', email: 'ravi.castellano@example.org', name: 'Ravi Castellano' };
export const MOCK_EXPIRED_INVITATION = { code: 'nfd3q-9btwy-k5cvr-m6gup', email: 'nadia.fenwick@example.org', name: 'Nadia Fenwick' };

type Hooks = {
  online: () => boolean;
  now: () => Date;
  /** The backend's pretend network delay. */
  pause: () => Promise<void>;
  /** The account is on: from now it signs in with this password. */
  activated: (account: ActivatedAccount, password: string) => void;
};

function refused(code: ErrorCode, message: string): BackendError {
  return { code, message };
}

/** A base32 secret that differs per code, so two invitations never show the same one. */
function secretFor(code: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let h = 2166136261;
  let out = '';
  for (let i = 0; out.length < 32; i++) {
    h = Math.imul(h ^ code.charCodeAt(i % code.length) ^ i, 16777619) >>> 0;
    out += alphabet[h % 32];
  }
  return out;
}

export class MockInvitations implements Invitations {
  readonly invitations: MockInvitation[] = [];
  private next = 1;
  /** A link the app was "opened with"; tests set it, `takeLink` hands it over once. */
  pendingLink: InvitationLink | null = null;
  private linkHandlers = new Set<(link: InvitationLink) => void>();

  /** A link clicked while the app runs (tests): as the Rust side's event would deliver it. */
  openLink(link: InvitationLink) {
    for (const h of this.linkHandlers) h(link);
  }

  async takeLink() {
    const link = this.pendingLink;
    this.pendingLink = null;
    return link;
  }

  async onLink(handler: (link: InvitationLink) => void) {
    this.linkHandlers.add(handler);
    return () => void this.linkHandlers.delete(handler);
  }

  /** The `code@server` form only (the Rust side, qar_core::invitation_link, also reads links). */
  async readCode(text: string): Promise<InvitationLink> {
    const [code, server] = text.trim().split('@', 2) as [string, string | undefined];
    if (!code) throw invalid('This invitation has no code: ask your administrator for the invitation again.');
    if (server === undefined) return { serverUrl: null, code };
    if (!server || /\s/.test(server)) throw invalid('The server address in this invitation is not a web address.');
    return { serverUrl: /^https?:\/\//.test(server) ? server.replace(/\/+$/, '') : `https://${server.replace(/\/+$/, '')}`, code };
  }

  constructor(private hooks: Hooks) {
    const now = hooks.now().getTime();
    this.issue(MOCK_INVITATION.code, MOCK_INVITATION.email, MOCK_INVITATION.name, now + 7 * DAY_MS);
    this.issue(MOCK_EXPIRED_INVITATION.code, MOCK_EXPIRED_INVITATION.email, MOCK_EXPIRED_INVITATION.name, now - DAY_MS);
  }

  /** An administrator's invitation (the mock hub desk calls this with the code it shows). */
  issue(code: string, email: string, name: string, expiresMs: number, userId = `user-invited-${this.next++}`) {
    this.invitations.push({ code, email, name, userId, expiresMs });
  }

  async redeem(serverUrl: string, code: string, password: string): Promise<InvitationSetup> {
    await this.hooks.pause();
    this.reach(serverUrl);
    if ([...password].length < MIN_PASSWORD) throw refused('weak_password', `Choose a password of at least ${MIN_PASSWORD} characters.`);
    const inv = this.usable(code);
    if (inv.redeemed) {
      throw refused('code_used', 'This invitation code was already used to set a password. Finish with your authenticator code, or ask for a new invitation.');
    }
    inv.redeemed = { password, secret: secretFor(inv.code) };
    // As the server (totp-rs) writes it: issuer and account encoded on either side of the colon.
    return {
      email: inv.email,
      totpSecret: inv.redeemed.secret,
      otpauthUri: `otpauth://totp/QAR%20Field:${encodeURIComponent(inv.email)}?secret=${inv.redeemed.secret}&issuer=QAR%20Field`,
    };
  }

  async confirm(serverUrl: string, code: string, totpCode: string): Promise<ActivatedAccount> {
    await this.hooks.pause();
    this.reach(serverUrl);
    const inv = this.usable(code);
    if (!inv.redeemed) throw refused('not_redeemed', 'Set a password with this code first (redeem), then confirm.');
    const digits = totpCode.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(digits) || digits === '000000') {
      throw refused('invalid_totp', 'That authenticator code is not right. Check the time on your phone and try the next code.');
    }
    inv.confirmed = true;
    const account = { userId: inv.userId, name: inv.name, email: inv.email };
    this.hooks.activated(account, inv.redeemed.password);
    return account;
  }

  private reach(serverUrl: string) {
    const url = serverUrl.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//.test(url)) throw invalid('Server address has the wrong kind of value: expected an address starting with https://');
    if (!this.hooks.online()) {
      throw refused('offline', `can't reach the sync server at ${url}. Your work is saved on this laptop and will sync when the connection is back`);
    }
  }

  /** The server's order of refusals: unknown, used, withdrawn, expired. */
  private usable(code: string): MockInvitation {
    const inv = this.invitations.find((i) => i.code === code.trim());
    if (!inv) throw refused('unknown_code', 'This invitation code is not recognised. Check it, or ask your administrator for a new one.');
    if (inv.confirmed) throw refused('code_used', 'This invitation code was already used. Sign in with your email and password.');
    if (inv.cancelled) throw refused('invitation_cancelled', 'This invitation was withdrawn. Ask your administrator for a new one.');
    if (this.hooks.now().getTime() >= inv.expiresMs) throw refused('code_expired', 'This invitation code has expired. Ask your administrator for a new one.');
    return inv;
  }
}
