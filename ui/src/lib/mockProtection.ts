import type { HandoverExport, Protection, ProtectionMode, VaultState, VaultStatus } from './protection';

// In-memory store protection for vitest and the browser preview, with the app's rules: a
// passphrase of at least 8 characters, wrong ones refused, handover files sealed under their own
// passphrase and applied once, and no wipe while work is unsent unless the person confirms.

export type MockProtectionHost = {
  /** The review id of every change not yet acknowledged, one entry per change. */
  unsent(): string[];
  /** Queues changes carried in by a handover file. */
  queue(reviewIds: string[]): void;
  /** Empties the laptop (the mock's store). */
  wipe(): void;
};

export const MIN_PASSPHRASE_CHARS = 8;
/** The app's words for a store a newer release wrote (qar_dbkit's `TooNew`). */
const TOO_NEW = 'this database was written by a newer version of QAR Field (schema 16, this app knows up to 15); update the app before opening it';

type SealedFile = { id: number; passphrase: string; reviewIds: string[] };

export class MockProtection implements Protection {
  state: VaultState;
  mode: ProtectionMode;
  /** The store passphrase, or in keychain mode the sign-in password the idle lock checks. */
  secret: string;
  idleLockSecs: number;
  /** Whether the keychain gives the key when asked again (after a 'keychain_error'). */
  keychainAnswers = false;
  /** "Files" written by exports, by path; tests may put their own. */
  readonly files = new Map<string, SealedFile>();
  private imported = new Set<number>();
  private nextFile = 1;

  constructor(
    private host: MockProtectionHost,
    options: { state?: VaultState; mode?: ProtectionMode; secret?: string; idleLockSecs?: number } = {},
  ) {
    this.state = options.state ?? 'unlocked';
    this.mode = options.mode ?? 'passphrase';
    this.secret = options.secret ?? 'field-notes-2026';
    this.idleLockSecs = options.idleLockSecs ?? 600;
  }

  async status(): Promise<VaultStatus> {
    const unlocked = this.state === 'unlocked';
    return {
      state: this.state,
      protection: unlocked ? this.mode : null,
      description: unlocked
        ? this.mode === 'keychain'
          ? 'Review data on this laptop is encrypted; the key is kept in this computer’s keychain.'
          : 'Review data on this laptop is encrypted; no keychain is available here, so it is unlocked with your passphrase.'
        : null,
      message:
        this.state === 'keychain_error'
          ? 'keychain: the keychain did not answer'
          : this.state === 'needs_newer_app'
            ? TOO_NEW
            : null,
      idleLockSecs: this.idleLockSecs,
      minPassphraseChars: MIN_PASSPHRASE_CHARS,
      defaultHandoverPath: '/home/reviewer/qar-field-unsent-work.qarhandover',
    };
  }

  async unlock(passphrase?: string): Promise<VaultStatus> {
    switch (this.state) {
      case 'unlocked':
        break;
      case 'wiped':
        throw { code: 'wiped', message: 'This laptop was wiped: close the app and open it again to start afresh' };
      case 'needs_newer_app':
        throw { code: 'app_too_old', message: TOO_NEW };
      case 'keychain_error':
        if (!this.keychainAnswers) throw { code: 'vault', message: 'keychain: the keychain did not answer' };
        this.mode = 'keychain';
        this.state = 'unlocked';
        break;
      case 'needs_new_passphrase':
        if (passphrase === undefined) throw needed();
        checkLength(passphrase);
        this.secret = passphrase;
        this.mode = 'passphrase';
        this.state = 'unlocked';
        break;
      case 'needs_passphrase':
        if (passphrase === undefined) throw needed();
        if (passphrase !== this.secret) throw { code: 'wrong_passphrase', message: 'That passphrase is not the right one' };
        this.state = 'unlocked';
        break;
    }
    return this.status();
  }

  async unlockIdle(secret: string): Promise<void> {
    if (this.state !== 'unlocked') throw { code: 'locked', message: 'The store is not open yet' };
    if (secret === this.secret) return;
    throw this.mode === 'passphrase'
      ? { code: 'wrong_passphrase', message: 'That passphrase is not the right one' }
      : { code: 'wrong_password', message: 'That password is not the right one' };
  }

  async exportUnsent(path: string, passphrase: string, reviewId: string | null): Promise<HandoverExport> {
    checkLength(passphrase);
    if (!path.trim()) throw { code: 'vault', message: 'Choose where to save the file' };
    const reviewIds = this.host.unsent().filter((id) => reviewId === null || id === reviewId);
    this.files.set(path, { id: this.nextFile++, passphrase, reviewIds });
    return { ops: reviewIds.length, files: 0, path };
  }

  async importHandover(path: string, passphrase: string): Promise<number> {
    const file = this.files.get(path);
    if (!file) throw { code: 'vault', message: `could not read ${path}: No such file or directory (os error 2)` };
    if (file.passphrase !== passphrase) throw { code: 'wrong_passphrase', message: 'That passphrase is not the right one' };
    if (this.imported.has(file.id)) return 0;
    this.imported.add(file.id);
    this.host.queue(file.reviewIds);
    return file.reviewIds.length;
  }

  async startAfresh(): Promise<string> {
    if (this.state !== 'needs_passphrase') throw { code: 'vault', message: 'only a store locked with a passphrase can be set aside' };
    // The real app moves the locked files aside; to the mock that is an empty laptop again.
    this.host.wipe();
    this.state = 'needs_new_passphrase';
    return '/home/reviewer/.local/share/qar-field/set-aside/locked-2026-12-07-091500';
  }

  async wipe(discardUnsent: boolean): Promise<void> {
    const n = this.host.unsent().length;
    if (n > 0 && !discardUnsent) {
      throw { code: 'unsent_work', message: `${n} change(s) on this laptop have not reached the server: export them first, or confirm that they may be lost` };
    }
    this.host.wipe();
    this.state = 'wiped';
  }
}

function needed() {
  return { code: 'passphrase_needed', message: 'Enter the passphrase that protects review data on this laptop' };
}

function checkLength(passphrase: string) {
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) {
    throw { code: 'vault', message: `choose a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters` };
  }
}
