import { describe, expect, it } from 'vitest';
import { MOCK_PASSWORD, MockBackend } from './mockBackend';
import { MOCK_EXPIRED_INVITATION, MOCK_INVITATION } from './mockInvitations';

const SERVER = 'https://sync.example.org';
const PASSWORD = 'harbour violet compass 7';
const admin = { userId: 'user-admin', name: 'Ada Admin', email: 'admin@example.org', serverUrl: SERVER, roles: [{ role: 'admin' as const }], deviceName: 'Laptop', signedInAt: '' };

describe('invitations, the invitee side (mock, as the server)', () => {
  it('a code the hub desk issues is redeemed once, confirmed once, and the person then signs in with their own password and role', async () => {
    const backend = new MockBackend({ session: admin });
    const issued = await backend.hubAdmin().invite({ email: 'Ravi.Castellano@example.org', name: 'Ravi Castellano', role: { role: 'hub_coordinator', hub_id: 'hub-north' } });
    const invites = backend.invitations();

    const setup = await invites.redeem(SERVER, ` ${issued.code} `, PASSWORD);
    expect(setup.email).toBe('ravi.castellano@example.org');
    expect(setup.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUri).toBe(`otpauth://totp/QAR%20Field:ravi.castellano%40example.org?secret=${setup.totpSecret}&issuer=QAR%20Field`);
    await expect(invites.redeem(SERVER, issued.code, PASSWORD)).rejects.toMatchObject({ code: 'code_used' });

    await expect(invites.confirm(SERVER, issued.code, '000000')).rejects.toMatchObject({ code: 'invalid_totp' });
    await expect(invites.confirm(SERVER, issued.code, '12345')).rejects.toMatchObject({ code: 'invalid_totp' });
    const account = await invites.confirm(SERVER, issued.code, '314 159');
    expect(account).toEqual({ userId: issued.user.id, name: 'Ravi Castellano', email: 'ravi.castellano@example.org' });
    await expect(invites.confirm(SERVER, issued.code, '314159')).rejects.toMatchObject({ code: 'code_used', message: expect.stringContaining('Sign in with your email') });
    expect((await backend.hubAdmin().listUsers()).find((p) => p.id === issued.user.id)?.status).toBe('active');

    const signIn = (password: string) => backend.signIn({ serverUrl: SERVER, email: setup.email, password, totpCode: '271828' });
    await expect(signIn(MOCK_PASSWORD)).rejects.toMatchObject({ code: 'invalid_credentials' });
    const session = await signIn(PASSWORD);
    expect(session).toMatchObject({ userId: issued.user.id, name: 'Ravi Castellano', roles: [{ role: 'hub_coordinator', hubId: 'hub-north' }] });
  });

  it('refuses as the server does: unknown, expired, not yet redeemed, short password, bad address, offline', async () => {
    const backend = new MockBackend({ session: null });
    const invites = backend.invitations();
    await expect(invites.redeem(SERVER, 'aaaaa-bbbbb-ccccc-ddddd', PASSWORD)).rejects.toMatchObject({ code: 'unknown_code' });
    await expect(invites.redeem(SERVER, MOCK_EXPIRED_INVITATION.code, PASSWORD)).rejects.toMatchObject({ code: 'code_expired' });
    await expect(invites.confirm(SERVER, MOCK_INVITATION.code, '123456')).rejects.toMatchObject({ code: 'not_redeemed' });
    await expect(invites.redeem(SERVER, MOCK_INVITATION.code, 'eleven char')).rejects.toMatchObject({
      code: 'weak_password',
      message: 'Choose a password of at least 12 characters.',
    });
    await expect(invites.redeem('sync.example.org', MOCK_INVITATION.code, PASSWORD)).rejects.toMatchObject({ code: 'invalid' });
    backend.setOnline(false);
    await expect(invites.redeem(SERVER, MOCK_INVITATION.code, PASSWORD)).rejects.toMatchObject({ code: 'offline' });
    // None of the refusals used the code up.
    backend.setOnline(true);
    await expect(invites.redeem(SERVER, MOCK_INVITATION.code, PASSWORD)).resolves.toMatchObject({ email: MOCK_INVITATION.email });
  });
});
