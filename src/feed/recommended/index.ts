// The recommended-feed directory shipped with Gleaner (assets/recommended-feeds.tsv): a name, a
// topic, a language and a URL that is either a feed or a site to discover the feed of.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '../../config/paths.js';

export interface RecommendedFeed {
  name: string;
  topic: string;
  language: string;
  url: string;
  /** 'feed' when the URL is the feed itself; 'site' when the feed must be discovered from the page. */
  kind: 'feed' | 'site';
}

/** Parses the directory's TSV: `name topic language url url_kind`, `#` lines are comments. */
export function parseRecommended(tsv: string): RecommendedFeed[] {
  const out: RecommendedFeed[] = [];
  for (const line of tsv.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name, topic, language, url, kind] = line.split('\t').map((f) => f.trim());
    if (!name || !topic || !url || !/^https?:\/\//i.test(url)) continue;
    out.push({ name, topic, language: language || 'en', url, kind: kind === 'site' ? 'site' : 'feed' });
  }
  return out;
}

export function loadRecommended(path = join(assetsDir, 'recommended-feeds.tsv')): RecommendedFeed[] {
  return parseRecommended(readFileSync(path, 'utf8'));
}
