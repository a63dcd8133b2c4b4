import { getContext, setContext } from 'svelte';
import type { Backend } from './backend';
import type { SessionState } from './session.svelte';
import type { SyncState } from './sync.svelte';

// Components reach the backend and the shared sync state through context, so tests can hand
// them the in-memory MockBackend instead of Tauri.
const BACKEND = Symbol('backend');
const SYNC = Symbol('sync');
const SESSION = Symbol('session');

export function setBackend(backend: Backend) {
  setContext(BACKEND, backend);
}

export function getBackend(): Backend {
  const backend = getContext<Backend | undefined>(BACKEND);
  if (!backend) throw new Error('No backend in context: wrap the component in the app or pass one in tests');
  return backend;
}

export function setSync(sync: SyncState) {
  setContext(SYNC, sync);
}

export function getSync(): SyncState {
  const sync = getContext<SyncState | undefined>(SYNC);
  if (!sync) throw new Error('No sync state in context');
  return sync;
}

export function setSession(session: SessionState) {
  setContext(SESSION, session);
}

/** The shared session, when the app provides one (components tested on their own may have none). */
export function getSession(): SessionState | undefined {
  return getContext<SessionState | undefined>(SESSION);
}

/** The context map for mounting a component on its own (tests, previews). */
export function contextFor(backend: Backend, sync?: SyncState, session?: SessionState): Map<symbol, unknown> {
  const map = new Map<symbol, unknown>([[BACKEND, backend]]);
  if (sync) map.set(SYNC, sync);
  if (session) map.set(SESSION, session);
  return map;
}
