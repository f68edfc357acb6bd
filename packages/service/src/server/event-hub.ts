/** Fan-out of pushed events to the WebSockets subscribed to a session. */
import type { EventEnvelope, EventName, EventData } from '@scanbridge/protocol';

type Listener = (envelope: EventEnvelope) => void;

export class EventHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(sessionId: string, listener: Listener): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) this.listeners.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sessionId);
    };
  }

  /** A closed session's sockets hear nothing more about it. */
  drop(sessionId: string): void {
    this.listeners.delete(sessionId);
  }

  /** Sessions with at least one socket listening. */
  get size(): number {
    return this.listeners.size;
  }

  /** To every subscribed session (news that is not about one session, such as the device list). */
  publishAll<E extends EventName>(event: E, data: EventData<E>): void {
    for (const sessionId of [...this.listeners.keys()]) this.publish(sessionId, event, data);
  }

  publish<E extends EventName>(sessionId: string, event: E, data: EventData<E>): void {
    const set = this.listeners.get(sessionId);
    if (!set) return;
    const envelope = { event, id: sessionId, data } as EventEnvelope;
    for (const listener of set) listener(envelope);
  }
}
