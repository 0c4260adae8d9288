// The words of the synthetic reader database: an engineering-blog vocabulary in English and in
// Chinese, tags, and pools of paragraphs (HTML with its plain text) that entries are built from, so
// that a million entries of realistic size cost string joins rather than a million paragraphs.
import { prng } from '../../src/testing/random.js';

// The most frequent words of English prose, most frequent first.
const FUNCTION_WORDS = (
  'the of and to a in is that for it we on with as this are be by from or an not but have was ' +
  'which they more can has all one their when what there been if would about so into than its ' +
  'other some only also how new after first most over these two may then each because any time ' +
  'our at you your will our do does did just like very much many such even well still where why'
).split(' ');

// The subject's own words: each appears in a minority of posts, as real topical words do.
const DOMAIN_WORDS = (
  'request latency performance cache origin network server client data traffic edge proxy worker ' +
  'percentile median measure customers millions second requests headers function benchmark memory ' +
  'compute lookup connection protocol internet global faster slower distribution histogram tail ' +
  'users observability metrics dashboard alert incident regional deploy rollout configuration ' +
  'security threats attack mitigation firewall rules trust access gateway developers platform ' +
  'durable objects storage queue database replicas consistency index query planner rows columns ' +
  'transaction commit rollback snapshot isolation lock contention throughput backpressure retry ' +
  'timeout deadline scheduler thread kernel syscall buffer allocation garbage collector heap stack ' +
  'compiler runtime bytecode interpreter optimization inlining vector branch predictor pipeline ' +
  'container cluster node pod service mesh sidecar load balancer certificate handshake encryption ' +
  'key rotation secret vault token session cookie browser rendering layout paint script module ' +
  'package dependency release version changelog migration schema backup restore replication ' +
  'failover outage postmortem root cause monitoring tracing logging sampling budget error rate ' +
  'availability reliability capacity planning autoscaling region zone datacenter fiber routing ' +
  'peering bandwidth packet loss jitter congestion control model training inference dataset ' +
  'embedding search ranking relevance recommendation feature flag experiment canary ' +
  'engineer team design review proposal tradeoff prototype production feedback roadmap ' +
  'open source community contributor maintainer license documentation tutorial example guide ' +
  'terminal shell editor keyboard workflow automation build test coverage fuzzing linter ' +
  'parser tokenizer grammar syntax type checker generics closure async await promise stream ' +
  'file system block device disk flash write amplification compaction tree page eviction ' +
  'hardware processor core frequency power thermal energy efficiency cost saving pricing invoice'
).split(' ');

/**
 * A vocabulary by rank: the function words first, then the long tail with the subject's words
 * spread through it from rank `from`, one every `every` ranks, so that the commonest topical word is
 * in roughly a fifth of the posts and the rarest in a few in a thousand.
 */
function byRank(
  functionWords: string[],
  domain: string[],
  tail: string[],
  from: number,
  every: number,
): string[] {
  const words = [...new Set(functionWords)];
  const rest = tail.filter((w) => !domain.includes(w) && !words.includes(w));
  const topical = [...new Set(domain)].filter((w) => !words.includes(w));
  while (topical.length || rest.length) {
    const due = words.length >= from && (words.length - from) % every === 0;
    const next = (due && topical.length) || !rest.length ? topical.shift() : rest.shift();
    if (next !== undefined) words.push(next);
  }
  return words;
}

const SYLLABLES =
  'ba be bi bo ca co da de di do fa fe fi ga go ka ke ki ko la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi za zo'.split(
    ' ',
  );

/**
 * Every English word by rank: function words, the subject's words, then a long tail of made-up
 * words (names, jargon, rare words), so that a word's share of documents falls with its rank.
 */
const ENGLISH: string[] = (() => {
  const random = prng(1);
  const tail = new Set<string>();
  while (tail.size < 20_000) {
    let w = '';
    const n = 2 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)] ?? 'ra';
    if (random() < 0.3) w += 'n';
    tail.add(w);
  }
  return byRank(FUNCTION_WORDS, DOMAIN_WORDS, [...tail], 300, 12);
})();

const TECH_NAMES = [
  'SQLite',
  'PostgreSQL',
  'Rust',
  'Go',
  'TypeScript',
  'Node.js',
  'Linux',
  'Kubernetes',
  'QUIC',
  'HTTP/3',
  'TLS 1.3',
  'WebAssembly',
  'Redis',
  'Kafka',
  'eBPF',
  'LLVM',
  'V8',
  'React',
  'Nginx',
  'ClickHouse',
];

// Chinese by rank as well: particles, the subject's words, then two-character words made of common
// characters, all written without spaces as Chinese is.
const CHINESE_FUNCTION =
  '的 了 在 是 和 我们 一个 这个 可以 没有 因为 所以 但是 如果 已经 通过 进行 使用 需要 问题'.split(' ');
const CHINESE_DOMAIN = (
  '数据 数据库 性能 网络 服务器 客户端 缓存 延迟 吞吐量 请求 响应 用户 系统 架构 设计 实现 ' +
  '测试 部署 监控 日志 告警 故障 恢复 备份 安全 加密 证书 密钥 访问 控制 权限 认证 ' +
  '人工智能 机器学习 模型 训练 推理 向量 检索 搜索 排序 推荐 算法 优化 编译器 运行时 内存 ' +
  '线程 进程 调度 内核 文件 存储 磁盘 索引 查询 事务 并发 锁 一致性 可用性 扩展 集群 节点 ' +
  '容器 微服务 云计算 边缘 流量 带宽 协议 开源 社区 文档 版本 发布 迁移 工程师 团队 产品 ' +
  '开发者 平台 工具 框架 代码 函数 接口 模块 依赖 构建 自动化 流水线 效率 成本 指标 分析 ' +
  '实验 结果 发现 提升 下降 百分之 毫秒 秒 每秒 大约 显著 稳定 复杂 简单 重要 关键 核心'
).split(' ');
const CHINESE_CHARS =
  '人大中国年上生到时地为子出就会要家学对下能过方后多经么去法然而心前所动同工也全面定现当' +
  '行样理起还想作种开美总从新见将其分高民长把物等机最外无天理化重点文力部利些间影使明海' +
  '意业相应情关实信路气手小少老东问知道主结果发展社会活体制度空条特色品水通市场际系统合作';
const CHINESE: string[] = (() => {
  const random = prng(2);
  const tail = new Set<string>();
  const chars = Array.from(CHINESE_CHARS);
  while (tail.size < 8000) {
    const a = chars[Math.floor(random() * chars.length)] ?? '人';
    const b = chars[Math.floor(random() * chars.length)] ?? '大';
    tail.add(a + b);
  }
  return byRank(CHINESE_FUNCTION, CHINESE_DOMAIN, [...tail], 150, 10);
})();

const CHINESE_PUNCT = ['，', '，', '，', '。', '；', '、'];

/** About 300 tags, as feeds write categories (mixed case, some with spaces). */
export const TAGS: string[] = (() => {
  const base = [
    ...TECH_NAMES,
    'Performance',
    'Security',
    'Databases',
    'Networking',
    'AI',
    'Machine Learning',
    'Open Source',
    'DevOps',
    'Cloud',
    'Programming',
    'Web',
    'Privacy',
    'Hardware',
    'Career',
    'Postmortem',
    'Release Notes',
    'Tutorial',
    'Deep Dive',
    'Product News',
    'Observability',
    '数据库',
    '人工智能',
    '性能优化',
    '网络',
    '安全',
    '开源',
    '云计算',
    '编程',
  ];
  const random = prng(300);
  const tags = new Set(base);
  while (tags.size < 300) {
    const a = DOMAIN_WORDS[Math.floor(random() * DOMAIN_WORDS.length)] ?? 'data';
    const b = DOMAIN_WORDS[Math.floor(random() * DOMAIN_WORDS.length)] ?? 'cache';
    tags.add(random() < 0.5 ? a : `${a} ${b}`);
  }
  return [...tags];
})();

/** A paragraph as stored: its HTML and the plain text an entry's content_text holds. */
export interface Paragraph {
  html: string;
  text: string;
}

export interface Pools {
  english: Paragraph[];
  chinese: Paragraph[];
}

/** A word by Zipf's law: rank r drawn with probability ∝ 1/r (log-uniform over the ranks). */
function zipfPick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(Math.exp(random() * Math.log(list.length + 1))) - 1] as T;
}

const escapeText = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function englishWords(random: () => number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      random() < 0.003
        ? (TECH_NAMES[Math.floor(random() * TECH_NAMES.length)] as string)
        : zipfPick(ENGLISH, random),
    );
  return out;
}

function chineseRun(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s +=
      random() < 0.004
        ? (TECH_NAMES[Math.floor(random() * TECH_NAMES.length)] as string)
        : zipfPick(CHINESE, random);
  }
  return s;
}

/** An English title of 40–90 characters. */
export function englishTitle(random: () => number): string {
  const target = 40 + Math.floor(random() * 51);
  let s = '';
  while (s.length < target) {
    const word = englishWords(random, 1)[0] as string;
    s = s ? `${s} ${word}` : word.charAt(0).toUpperCase() + word.slice(1);
  }
  return s.length > 90 ? s.slice(0, 90).trimEnd() : s;
}

/** A Chinese title of 14–40 characters. */
export function chineseTitle(random: () => number): string {
  const target = 14 + Math.floor(random() * 27);
  let s = '';
  while (Array.from(s).length < target) s += chineseRun(random, 1);
  return Array.from(s).slice(0, 40).join('');
}

function englishParagraph(random: () => number): Paragraph {
  const htmlParts: string[] = [];
  const textParts: string[] = [];
  const sentences = 2 + Math.floor(random() * 5);
  for (let s = 0; s < sentences; s++) {
    const words = englishWords(random, 8 + Math.floor(random() * 18));
    words[0] = (words[0] ?? 'the').charAt(0).toUpperCase() + (words[0] ?? 'the').slice(1);
    const plain = `${words.join(' ')}.`;
    textParts.push(plain);
    // Some inline markup: a link, code or emphasis around a few of the words.
    const roll = random();
    if (roll < 0.25) {
      const at = 1 + Math.floor(random() * (words.length - 2));
      const slug = words
        .slice(at, at + 3)
        .join('-')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '');
      const linked = words.slice(at, at + 3).join(' ');
      htmlParts.push(
        `${escapeText(words.slice(0, at).join(' '))} <a href="https://example.org/${slug}">${escapeText(linked)}</a> ${escapeText(words.slice(at + 3).join(' '))}.`,
      );
    } else if (roll < 0.35) {
      const at = Math.floor(random() * words.length);
      htmlParts.push(
        `${escapeText(words.slice(0, at).join(' '))} <code>${escapeText(words[at] ?? '')}</code> ${escapeText(words.slice(at + 1).join(' '))}.`,
      );
    } else if (roll < 0.42) {
      htmlParts.push(`<strong>${escapeText(plain)}</strong>`);
    } else htmlParts.push(escapeText(plain));
  }
  return { html: `<p>${htmlParts.join(' ')}</p>`, text: textParts.join(' ') };
}

function chineseParagraph(random: () => number): Paragraph {
  const htmlParts: string[] = [];
  const textParts: string[] = [];
  const clauses = 3 + Math.floor(random() * 8);
  for (let c = 0; c < clauses; c++) {
    const run = chineseRun(random, 4 + Math.floor(random() * 10));
    const punct =
      c === clauses - 1 ? '。' : (CHINESE_PUNCT[Math.floor(random() * CHINESE_PUNCT.length)] as string);
    textParts.push(run + punct);
    htmlParts.push(
      random() < 0.12
        ? `<a href="https://example.cn/p/${Math.floor(random() * 1e6)}">${run}</a>${punct}`
        : run + punct,
    );
  }
  return { html: `<p>${htmlParts.join('')}</p>`, text: textParts.join('') };
}

/** Paragraph pools, deterministic for a seed. */
export function buildPools(seed: number, english = 6000, chinese = 3000): Pools {
  const random = prng(seed);
  return {
    english: Array.from({ length: english }, () => englishParagraph(random)),
    chinese: Array.from({ length: chinese }, () => chineseParagraph(random)),
  };
}

/** Searches a reader would type: common and rarer topical words, a phrase, a name, Chinese. */
export const SEARCH_TERMS = [
  'latency',
  'database replication',
  '"load balancer"',
  'kubernetes',
  'garbage collector',
  '数据库',
  '人工智能',
  '性能 优化',
];
