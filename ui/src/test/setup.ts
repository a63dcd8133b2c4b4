import '@testing-library/jest-dom/vitest';
// Unmounts rendered components after each test (automatic only with vitest globals).
import '@testing-library/svelte/vitest';
import { afterEach } from 'vitest';

afterEach(() => {
  window.location.hash = '';
});
