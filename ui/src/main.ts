import { mount } from 'svelte';
import { isTauri } from '@tauri-apps/api/core';
import AppGate from './AppGate.svelte';
import { APP_HELP_KEY, TauriAppHelp } from './lib/appHelp';
import { TauriBackend, type Backend } from './lib/backend';
import { contextFor } from './lib/context';
import { SyncState } from './lib/sync.svelte';
import './app.css';

async function chooseBackend(): Promise<{ backend: Backend; preview: boolean }> {
  if (isTauri()) return { backend: new TauriBackend(), preview: false };
  // Opened in an ordinary browser (`npm run dev`): show sample data so the screens can be
  // worked on without the Rust side. The chunk is only loaded here.
  const { previewBackend } = await import('./lib/previewData');
  return { backend: previewBackend(), preview: true };
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

void chooseBackend().then(({ backend, preview }) => {
  const context = contextFor(backend, new SyncState(backend));
  // Version, diagnostics and updates come from the installed app; the browser preview has none.
  if (!preview) context.set(APP_HELP_KEY, new TauriAppHelp());
  mount(AppGate, { target, props: { preview }, context });
});
