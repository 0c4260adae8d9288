// The vocabulary of generated feeds: words, categories and authors of an engineering blog.

export const WORDS = (
  'the a of to and in is that for it we on with as this are our at be by from request latency ' +
  'performance cache origin network server client data time traffic edge proxy rust worker ' +
  'percentile p99 median measure customers millions per second requests headers function ' +
  'benchmark CPU memory compute saving microseconds lookup connection TLS QUIC HTTP/3 ' +
  'internet Cloudflare’s Pingora global faster slower distribution histogram tail users ' +
  'observability metrics dashboard alert incident regional deploy rollout configuration ' +
  'security threats attack mitigation DDoS bot firewall rules zero trust access gateway ' +
  'developers platform Workers durable objects storage queue database replicas consistency'
).split(' ');
export const CATEGORIES = [
  'Internet Performance',
  'Latency',
  'Open Source',
  'Observability',
  'TTFB',
  'Rust',
  'Pingora',
  'Performance',
  'Cloudflare Workers',
  'Developers',
  'Security',
  'DDoS',
  'AI',
  'Network',
  'Deep Dive',
  'Product News',
  'Speed & Reliability',
  'Zero Trust',
  'QUIC',
  'Engineering',
];
export const AUTHORS = [
  'Kevin Guthrie',
  'Ana Ferreira',
  'Wei Zhang',
  'Olusegun Adeyemi',
  'Marta Nowak',
  'Jens Müller',
  'Priya Raman',
  'Tomás O’Brien',
];
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
