/**
 * A small typed event emitter that runs in browsers and Node alike (the SDK
 * may not import Node's `events`). A listener that throws does not stop the
 * others; its error is rethrown on a fresh task so it still shows in the
 * console as the application's own bug.
 */
export type Listener<T> = (data: T) => void;

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Listen to `name`; answers a function that stops listening. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(name)?.delete(listener as Listener<never>);
  }

  protected emit<K extends keyof Events>(name: K, data: Events[K]): void {
    for (const listener of [...(this.#listeners.get(name) ?? [])]) {
      try {
        (listener as Listener<Events[K]>)(data);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
  }
}
