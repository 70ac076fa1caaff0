/**
 * SHA-256 and HMAC-SHA256, synchronous and the same bytes everywhere: the draw runs this code on the
 * server, in `npm run verify-draw` and in the browser of anyone checking a published draw, so it
 * cannot use node:crypto or the asynchronous WebCrypto. The hashing itself is @noble/hashes (audited,
 * maintained, no dependencies); this module only fixes the few helpers the codebase shares.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** SHA-256 of `data` (32 bytes). */
export const sha256 = (data: Uint8Array): Uint8Array => nobleSha256(data);

/** HMAC-SHA256 (RFC 2104) of `message` under `key`. */
export const hmacSha256 = (key: Uint8Array, message: Uint8Array): Uint8Array =>
  hmac(nobleSha256, key, message);

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** Lower-case hexadecimal of bytes. */
export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);

/** SHA-256 of the UTF-8 bytes of `text`, as lower-case hex. */
export const sha256HexOf = (text: string): string => toHex(sha256(utf8(text)));
