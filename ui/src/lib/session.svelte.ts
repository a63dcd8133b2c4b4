import { errorMessage, type Backend, type Session, type SignInInput } from './backend';

/** Who is signed in on this laptop, shared by the header, the sign-in screen and the screens that ask. */
export class SessionState {
  session = $state<Session | null>(null);
  /** The first answer to `session()` has arrived. */
  loaded = $state(false);
  /** The session could not be read at all (not "nobody signed in"). */
  problem = $state<string | null>(null);

  isCoordinator = $derived((this.session?.roles ?? []).some((r) => r.role === 'hub_coordinator'));

  constructor(private readonly backend: Backend) {}

  async load() {
    try {
      this.session = await this.backend.session();
      this.problem = null;
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.loaded = true;
    }
  }

  /** Rejects as the backend does (the sign-in screen branches on the code). */
  async signIn(input: SignInInput): Promise<Session> {
    const session = await this.backend.signIn(input);
    this.session = session;
    this.loaded = true;
    return session;
  }

  async signOut() {
    await this.backend.signOut();
    this.session = null;
  }

  /** 'You' for the signed-in person (and notes written here before anyone signed in). */
  isMe(userId: string): boolean {
    return userId.trim() === '' || userId === this.session?.userId;
  }
}
