/** An EsclDirectory for tests: the endpoints a test names, changed when the test says. */
import type { EsclDirectory, EsclEndpoint } from '../devices/escl/endpoints.js';

export interface StaticDirectory extends EsclDirectory {
  set(endpoints: EsclEndpoint[]): void;
}

export function staticDirectory(initial: EsclEndpoint[] = []): StaticDirectory {
  let current = initial;
  const listeners = new Set<() => void>();
  return {
    endpoints: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(endpoints) {
      current = endpoints;
      for (const listener of listeners) listener();
    },
    async close() {
      listeners.clear();
    },
  };
}

/** A scanner listed by URL, as an administrator lists one. */
export const listed = (url: string, name = 'office scanner', uuid?: string): EsclEndpoint => ({ url, name, source: 'config', txt: {}, ...(uuid ? { uuid } : {}) });
