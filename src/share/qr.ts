import QRCode from "qrcode";
import { Lru } from "../lib/lru.ts";

const cache = new Lru<string, Promise<Buffer | string>>(500);

/** QR codes are pure functions of their text, so rendered images are kept (bounded, oldest out). */
function cached<T extends Buffer | string>(key: string, render: () => Promise<T>): Promise<T> {
  let hit = cache.get(key);
  if (hit) return hit as Promise<T>;
  hit = render();
  cache.set(key, hit);
  hit.catch(() => cache.delete(key));
  return hit as Promise<T>;
}

/** An SVG QR code (error correction M, quiet zone of 2 modules). */
export function qrSvg(text: string): Promise<string> {
  return cached(`svg:${text}`, () =>
    QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2 }),
  );
}

/** A PNG QR code `size` pixels wide. */
export function qrPng(text: string, size: number): Promise<Buffer> {
  return cached(`png:${size}:${text}`, () =>
    QRCode.toBuffer(text, { type: "png", errorCorrectionLevel: "M", margin: 2, width: size }),
  );
}
