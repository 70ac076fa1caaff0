import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../src/auth/password.ts";
import { PASSWORD, TEST_PASSWORD_HASH } from "./helpers.ts";

describe("password hashes", () => {
  it("verifies a production hash with the cost written in it", async () => {
    const stored = await hashPassword(PASSWORD);
    expect(stored).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, stored)).toBe(false);
  });

  it("verifies the tests' low-cost hash the same way (the cost is read from the hash)", async () => {
    expect(await verifyPassword(PASSWORD, TEST_PASSWORD_HASH)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, TEST_PASSWORD_HASH)).toBe(false);
    // The same key under another cost is another key: the parameters are part of what is checked.
    expect(await verifyPassword(PASSWORD, TEST_PASSWORD_HASH.replace("$1024$", "$2048$"))).toBe(false);
  });

  it("refuses a stored value that is not a hash", async () => {
    for (const stored of ["", "plain", "bcrypt$x", "scrypt$1024$8$1$$"]) {
      expect(await verifyPassword(PASSWORD, stored)).toBe(false);
    }
  });
});
