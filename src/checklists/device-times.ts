/**
 * The device's clock beside the server's (issue 17). Work done offline reaches the server late, so
 * the time the phone says an event happened is kept with the time the server received it; a phone
 * whose clock is off by more than the configured limit gets the checklist flagged, not refused.
 */
export interface DeviceTime {
  event: "start" | "photo" | "submit";
  deviceAt: string;
  serverAt: string;
  /** Device minus server at the moment the request arrived, in ms (positive: the phone runs ahead). */
  skewMs: number;
  location?: { latitude: number; longitude: number; accuracy?: number };
}

export interface DeviceClock {
  deviceTime?: string;
  /** When the event happened on the device, if it was queued offline (else it is deviceTime). */
  happenedAt?: string;
  location?: DeviceTime["location"];
}

/**
 * The entry for one event, or null without a device time. `sentAt` is the device's clock when it
 * sent the request: against the server's clock now, it measures the skew even for events recorded
 * hours earlier offline (whose own time is `happenedAt`).
 */
export function deviceTimeEntry(
  event: DeviceTime["event"],
  clock: DeviceClock,
  serverNow: number,
): DeviceTime | null {
  const sent = clock.deviceTime ? Date.parse(clock.deviceTime) : NaN;
  if (Number.isNaN(sent)) return null;
  const happened = clock.happenedAt ? Date.parse(clock.happenedAt) : sent;
  return {
    event,
    deviceAt: new Date(Number.isNaN(happened) ? sent : happened).toISOString(),
    serverAt: new Date(serverNow).toISOString(),
    skewMs: sent - serverNow,
    ...(clock.location ? { location: clock.location } : {}),
  };
}

/** Whether the device's clock is off by more than `limitMinutes`. */
export function skewed(entry: DeviceTime, limitMinutes: number): boolean {
  return Math.abs(entry.skewMs) > limitMinutes * 60_000;
}
