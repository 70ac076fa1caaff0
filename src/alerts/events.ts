import { logError } from "../lib/log.ts";

/** In-process publish/subscribe; Node keeps it in memory, Workers will plug in a shared channel. */
export interface EventBus {
  publish(topic: string, payload: unknown): void;
  /** Returns the function that ends the subscription. */
  subscribe(topic: string, fn: (payload: unknown) => void): () => void;
}

/** Delivers to this process's subscribers only; a subscriber that throws does not stop the others. */
export class MemoryEventBus implements EventBus {
  private readonly topics = new Map<string, Set<(payload: unknown) => void>>();

  publish(topic: string, payload: unknown): void {
    for (const fn of [...(this.topics.get(topic) ?? [])]) {
      try {
        fn(payload);
      } catch (error) {
        logError({ topic }, error);
      }
    }
  }

  subscribe(topic: string, fn: (payload: unknown) => void): () => void {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.topics.get(topic) === set) this.topics.delete(topic);
    };
  }

  /** Subscribers of a topic (for tests and diagnostics). */
  count(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }
}

// The deps object only as far as the bus goes: env.ts's AppDeps names EventBus, so importing AppDeps
// here would make the two modules import each other.
type WithEvents = { events?: EventBus };

const fallbacks = new WeakMap<WithEvents, EventBus>();

/** The app's event bus: `deps.events`, or one in-memory bus per app when none was given. */
export function eventsOf(deps: WithEvents): EventBus {
  if (deps.events) return deps.events;
  let bus = fallbacks.get(deps);
  if (!bus) fallbacks.set(deps, (bus = new MemoryEventBus()));
  return bus;
}

/** The topic every change of an alert is published on. */
export const ALERT_TOPIC = "alert";
