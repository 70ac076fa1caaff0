// An unfinished filing kept in this browser (the server has no drafts), per signed-in user.

/** Reads, writes (debounced) and forgets one JSON value under `key()`. */
export function draftStore<T>(key: () => string, delayMs = 250) {
  let timer: number | undefined;
  return {
    read(): T | null {
      try {
        const raw = localStorage.getItem(key());
        return raw ? (JSON.parse(raw) as T) : null;
      } catch {
        return null;
      }
    },
    /** Saves what `value()` gives a moment after the last change. */
    saveSoon(value: () => T) {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        try {
          localStorage.setItem(key(), JSON.stringify(value()));
        } catch {
          // Storage full or disabled: the filing then lives as long as the page.
        }
      }, delayMs);
    },
    discard() {
      window.clearTimeout(timer);
      try {
        localStorage.removeItem(key());
      } catch {
        // nothing stored
      }
    },
  };
}
