// The reader's static files (stylesheet, script, icons, manifest, service worker), read once at
// start-up and served from memory with content-hash URLs, so browsers may cache them for good.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '../config/paths.js';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  webmanifest: 'application/manifest+json',
  png: 'image/png',
};

export const ASSET_NAMES = [
  'app.css',
  'app.js',
  'icon.svg',
  'manifest.webmanifest',
  'sw.js',
  'publish.css',
] as const;

let loaded: Map<string, Asset> | null = null;

export function assets(): Map<string, Asset> {
  if (loaded) return loaded;
  loaded = new Map();
  for (const name of ASSET_NAMES) {
    const body = readFileSync(join(assetsDir, 'web', name));
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const etag = createHash('sha256').update(body).digest('base64url').slice(0, 16);
    loaded.set(name, { body, type: TYPES[ext] ?? 'application/octet-stream', etag });
  }
  return loaded;
}

/** The URL of an asset, versioned by its content. */
export function assetUrl(name: (typeof ASSET_NAMES)[number]): string {
  return `/assets/${name}?v=${assets().get(name)?.etag ?? ''}`;
}
