import { invoke, isTauri } from '@tauri-apps/api/core';

// The cold-start probe (issue 25): the review list tells the shell, once per start, when it is
// first on screen with its data, so the time from launching the app to a usable list can be
// measured (the bench's `--cold-start`) and is in the log otherwise. Only the app reports: the
// browser preview and the component tests have no shell to tell.

/** What reaches the shell: reviews drawn, and the webview's clock (ms since the page began loading). */
export type DrawnReport = (reviews: number, webviewMs: number) => Promise<unknown>;

const toShell: DrawnReport = (reviews, webviewMs) => invoke('startup_drawn', { reviews, webviewMs });

let reported = false;

/** Called after the list's rows are in the document. A requestAnimationFrame callback runs just
 *  before the next paint; the timeout it sets runs once that frame is painted, so the figure
 *  includes drawing the list, not only building it. */
export function reviewListDrawn(reviews: number, report: DrawnReport | null = isTauri() ? toShell : null): void {
  if (reported || report === null) return;
  reported = true;
  requestAnimationFrame(() => {
    setTimeout(() => {
      // A failed report is only a missing figure: nothing for the person to see.
      report(reviews, performance.now()).catch(() => {});
    }, 0);
  });
}

/** For tests: as if the app had just started. */
export function resetStartupProbe(): void {
  reported = false;
}
