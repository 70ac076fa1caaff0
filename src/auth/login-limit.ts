import type { Context } from "hono";
import type { AppEnv } from "../env.ts";

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export type LoginReservation =
  | {
      allowed: false;
      retryAfterMs: number;
      /** True only for the first refusal of this client (for this account) in the window. */
      firstRefusal: boolean;
    }
  | { allowed: true; succeeded(): Promise<void>; failed(): Promise<void> };

/**
 * The sign-in limits. A client is an IPv4 address or an IPv6 /64 (`loginClient`). In each 15-minute
 * window:
 * - per account and client, `LOGIN_FAILURES_PER_15_MIN` failures (default 10); then that client is
 *   refused for that account (429): guessing one account's password from one address;
 * - per client, `LOGIN_CLIENT_FAILURES_PER_15_MIN` failures over all accounts (default 50); then that
 *   client is refused for every account: one address trying many accounts;
 * - per account alone only a slow-down: once it has `LOGIN_ACCOUNT_FAILURES_PER_15_MIN` failures from
 *   anywhere (default 100), each client gets a single try at it until the window ends, so guessing
 *   from many addresses gets one guess per address. A client with no failure still signs in with the
 *   right password: failures elsewhere never lock the account's owner (or the administrator) out.
 *
 * Each attempt reserves its slots before the password is checked: scrypt takes tens of milliseconds,
 * and counting only after it let a parallel flood through uncounted. A refused attempt gives its
 * slots back (it checked nothing), a success gives them back and clears its client's failures for
 * the account, a failure keeps them and counts against the account. Refusals are not counted; the
 * first one of each client (and account) in a window is marked so that only it is audited.
 */
export async function reserveLogin(c: Context<AppEnv>, username: string): Promise<LoginReservation> {
  const limiter = c.var.deps.rateLimiter;
  const config = c.var.deps.config;
  const account = username.toLowerCase();
  const client = loginClient(c.var.clientIp);
  // The client first: it never holds a space, so no username can make two pairs share a key.
  const pairKey = `login:pair:${client} ${account}` as const;
  const clientKey = `login:client:${client}` as const;
  const accountKey = `login:account:${account}` as const;
  const W = LOGIN_WINDOW_MS;
  // A refused client may go on knocking without end; the audit log hears of it once per window.
  const first = async (who: string) => (await limiter.hit(`login:refused:${who}`, 1, W)).allowed;

  // The client first, so one address cannot create pair counters without end.
  const perClient = await limiter.hit(clientKey, config.loginClientFailuresPerWindow, W);
  if (!perClient.allowed) {
    await limiter.release(clientKey, W);
    return {
      allowed: false,
      retryAfterMs: perClient.retryAfterMs,
      firstRefusal: await first(`client:${client}`),
    };
  }
  const underAttack = (await limiter.peek(accountKey, W)) >= config.loginAccountFailuresPerWindow;
  const pair = await limiter.hit(pairKey, underAttack ? 1 : config.loginFailuresPerWindow, W);
  if (!pair.allowed) {
    await Promise.all([limiter.release(pairKey, W), limiter.release(clientKey, W)]);
    const firstRefusal = await first(`pair:${client} ${account}`);
    return { allowed: false, retryAfterMs: pair.retryAfterMs, firstRefusal };
  }
  return {
    allowed: true,
    async succeeded() {
      await Promise.all([limiter.reset(pairKey), limiter.release(clientKey, W)]);
    },
    async failed() {
      await limiter.hit(accountKey, config.loginAccountFailuresPerWindow, W);
    },
  };
}

/**
 * The client a login counts against: its IPv4 address, or the /64 of its IPv6 address. One subscriber
 * is usually given a whole /64, so counting single IPv6 addresses would hand out a fresh allowance
 * (and a fresh try at an account under attack) per address for free.
 */
export function loginClient(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":")) return address;
  const [head = "", tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
