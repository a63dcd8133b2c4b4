import { render } from '@testing-library/svelte';
import type { Component, MountOptions } from 'svelte';
import type { Backend } from '../lib/backend';
import { contextFor } from '../lib/context';
import { SyncState } from '../lib/sync.svelte';

/** Mounts a component with a backend (and the sync state built on it) in context. */
export function renderWith<Props extends Record<string, unknown>>(component: Component<Props>, props: Props, backend: Backend) {
  const sync = new SyncState(backend);
  // Svelte types `props` conditionally on Props, which TypeScript cannot resolve for a generic.
  const options = { props, context: contextFor(backend, sync) } as Partial<MountOptions<Props>>;
  const result = render<Component<Props>>(component, options);
  return { ...result, sync, backend };
}

/** A promise the test settles by hand, to hold a backend call open. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
