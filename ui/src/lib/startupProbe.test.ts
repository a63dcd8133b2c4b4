import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetStartupProbe, reviewListDrawn } from './startupProbe';

describe('the cold-start probe', () => {
  afterEach(() => {
    resetStartupProbe();
    vi.useRealTimers();
  });

  it('reports the first drawn list once, after the frame is painted', async () => {
    const report = vi.fn((_reviews: number, _ms: number) => Promise.resolve());
    reviewListDrawn(5, report);
    reviewListDrawn(6, report);
    expect(report).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(report).toHaveBeenCalledTimes(1));
    expect(report.mock.calls[0][0]).toBe(5);
    expect(report.mock.calls[0][1]).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(report).toHaveBeenCalledTimes(1);
  });

  it('does nothing outside the app (no shell to tell) and swallows a failed report', async () => {
    reviewListDrawn(3, null);
    const failing = vi.fn(() => Promise.reject(new Error('no shell')));
    reviewListDrawn(3, failing);
    await vi.waitFor(() => expect(failing).toHaveBeenCalledTimes(1));
  });
});
