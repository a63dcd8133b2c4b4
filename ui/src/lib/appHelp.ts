import { invoke } from '@tauri-apps/api/core';
import { getContext } from 'svelte';
import { toBackendError } from './backend';

// The installed app looking after itself (issue 21): its version, "Copy diagnostics" for a
// support e-mail, and signed updates. The Rust side checks the update's signature and holds
// every save still while it installs; the screens only offer, explain and pass on the click.

import type { AppInfo, UpdateOffer } from './generated';
export type { AppInfo, UpdateOffer } from './generated';

export interface AppHelp {
  appInfo(): Promise<AppInfo>;
  /** Plain text: version, system, sync state, recent problems and the end of the log. */
  diagnostics(): Promise<string>;
  /** The newer version on offer, or null when this is the newest. Rejects with 'update_failed'. */
  checkForUpdate(): Promise<UpdateOffer | null>;
  /** Downloads, verifies, installs and restarts. Rejects with 'update_not_verified' (the
   *  signature does not match: nothing installed) or 'update_failed'. */
  installUpdate(): Promise<void>;
}

async function call<T>(command: string): Promise<T> {
  try {
    return await invoke<T>(command);
  } catch (e) {
    throw toBackendError(e);
  }
}

export class TauriAppHelp implements AppHelp {
  appInfo() {
    return call<AppInfo>('app_info');
  }
  diagnostics() {
    return call<string>('diagnostics');
  }
  checkForUpdate() {
    return call<UpdateOffer | null>('check_for_update');
  }
  installUpdate() {
    return call<void>('install_update');
  }
}

const APP_HELP = Symbol('app-help');

/** The app's help, when the app provides one (screens mounted on their own in tests may have none). */
export function getAppHelp(): AppHelp | undefined {
  return getContext<AppHelp | undefined>(APP_HELP);
}

/** The context key the app (main.ts) and tests put an `AppHelp` under. */
export const APP_HELP_KEY = APP_HELP;

/**
 * Puts text on the clipboard. The asynchronous clipboard API first; WebKitGTK can refuse it
 * outside a secure context, so a hidden textarea and the copy command are the fallback.
 */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // fall through to the older way
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('The clipboard refused the text.');
}
