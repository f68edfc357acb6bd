/**
 * A small typed event emitter that runs in browsers and Node alike (the SDK
 * may not import Node's `events`). A listener that throws does not stop the
 * others; its error is rethrown on a fresh task so it still shows in the
 * console as the application's own bug.
 *
 * An emitter may hold the events of some names until someone listens: a job
 * starts emitting before the application has the object to call on() with,
 * and its first events (the first page's progress) must not be lost. The
 * first listener of such a name gets the held events, in order, on a
 * microtask after on() returned (never from inside on()), before any later
 * event; listeners after it get events from then on.
 */
export type Listener<T> = (data: T) => void;

/** Events held per name at most; beyond, the oldest are dropped. */
const HELD_MAX = 1000;

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  /** Events of held names that nobody has listened to yet. */
  readonly #held = new Map<keyof Events, unknown[]>();

  /** Hold the events of `names` until their first listener (call from the constructor). */
  protected holdUntilListened(...names: Array<keyof Events>): void {
    for (const name of names) this.#held.set(name, []);
  }

  /** Listen to `name`; answers a function that stops listening. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    const held = this.#held.get(name) as Events[K][] | undefined;
    if (held) {
      this.#held.delete(name);
      set.add(this.#replaying(name, held, listener) as Listener<never>);
    } else set.add(listener as Listener<never>);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: Listener<Events[K]>): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const entry of set) if (entry === listener || (entry as { listener?: unknown }).listener === listener) set.delete(entry);
  }

  protected emit<K extends keyof Events>(name: K, data: Events[K]): void {
    const held = this.#held.get(name);
    if (held) {
      held.push(data);
      if (held.length > HELD_MAX) held.shift();
      return;
    }
    for (const listener of [...(this.#listeners.get(name) ?? [])]) call(listener as Listener<Events[K]>, data);
  }

  /** `listener` behind a queue that starts with the held events and empties on a microtask. */
  #replaying<K extends keyof Events>(name: K, held: Events[K][], listener: Listener<Events[K]>): Listener<Events[K]> {
    type T = Events[K];
    let queue: T[] | null = held;
    const wrapped = ((data: T) => {
      if (queue) queue.push(data);
      else call(listener, data);
    }) as Listener<T> & { listener: Listener<T> };
    wrapped.listener = listener;
    queueMicrotask(() => {
      // Events emitted meanwhile were queued behind the held ones, so the order holds.
      // A listener removed meanwhile (off()) gets nothing more.
      for (let i = 0; queue && i < queue.length && this.#listeners.get(name)?.has(wrapped as Listener<never>); i += 1) call(listener, queue[i]!);
      queue = null;
    });
    return wrapped;
  }
}

function call<T>(listener: Listener<T>, data: T): void {
  try {
    listener(data);
  } catch (err) {
    setTimeout(() => {
      throw err;
    });
  }
}
