/**
 * Ask `probe` again and again until `ok` holds for its answer, and answer it.
 * No time limit of its own: the test runner's hang guard ends a wait that
 * never comes true (the same helper as the client's browser tests have).
 */
export async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, everyMs = 50): Promise<T> {
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
