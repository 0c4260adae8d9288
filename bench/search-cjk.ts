// Which way of indexing Chinese gives the best search: FTS5's trigram tokenizer, words cut by jieba,
// single characters or character bigrams (each with unicode61 for the other scripts), against plain
// unicode61. Scored on a judged query set (Chinese and English), then timed on a large synthetic set.
//   node --import tsx bench/search-cjk.ts [--docs N] [--quick] [--verbose]
//   npm run bench -- search-cjk [--docs N] [--quick] [--verbose]
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import Database from 'better-sqlite3';
import { CORPUS_BASE_URL, corpusFeedsDir, loadCorpus } from '../src/feed/parse/conformance.js';
import { parseFeed } from '../src/feed/parse/index.js';
import { prepareEntries } from '../src/ingest/prepare.js';
import { indexText, parseQuery, toMatchQuery } from '../src/search/index.js';
import type { ParsedQuery, QueryTerm } from '../src/search/index.js';
import { prng } from '../src/testing/random.js';
import { describeMachine, fmt, measureSideBySide, percentiles, printTable } from './lib.js';
import { WORDS } from './inputs/words.js';

// ---------------------------------------------------------------------------------------------
// The judged material.

interface Doc {
  key: string;
  title: string;
  body: string;
}

// Chinese items in the style of the tech blogs and news sites Chinese readers subscribe to. Some hold
// a query's characters across a word boundary (国内存量 holds 内存, 北京东城区 holds 京东): those are
// the false positives of substring matching, listed with their query below.
const ZH_DOCS: [string, string, string][] = [
  [
    'ios-beta',
    '苹果发布 iOS 19 测试版，Apple Intelligence 支持中文',
    '苹果今天在 WWDC 上发布了 iOS 19 的首个开发者测试版。新版本的 Apple Intelligence 终于支持简体中文，本地运行的端侧模型参数量约为 30 亿。',
  ],
  [
    'iphone-teardown',
    'iPhone 17 Pro 拆解：内存升级到 12GB',
    '拆解显示，iPhone 17 Pro 的内存从 8GB 升级到 12GB，主要是为了运行更大的端侧模型。电池容量也略有提升。',
  ],
  [
    'weekly-350',
    '科技爱好者周刊（第 350 期）：程序员的护城河',
    '这里记录每周值得分享的科技内容，周五发布。本期讨论 AI 编程工具普及之后，程序员还剩下什么护城河。',
  ],
  [
    'stock-users',
    '国内存量用户见顶，互联网公司转向出海',
    '国内存量用户的争夺越来越激烈，多家互联网公司把增长目标放到了东南亚和中东市场。',
  ],
  ['jd-618', '京东发布 618 战报', '京东公布了今年 618 期间的成交数据，手机和家电品类增长最快。'],
  [
    'robotaxi-beijing',
    '北京东城区试点自动驾驶出租车',
    '北京东城区本周开始试点自动驾驶出租车，首批投放 50 辆，乘客可以通过手机 App 预约。',
  ],
  [
    'quake-alert',
    '日本地震预警系统如何做到提前几十秒报警',
    '日本地震预警系统依靠分布在全国的一千多个地震仪，在 P 波到达后几秒内估算震级，并通过手机推送警报。',
  ],
  [
    'ollama',
    '在本地运行大模型：Ollama 入门',
    '想在自己的电脑上本地运行大模型？Ollama 可以用一条命令下载并启动开源模型，比如 Qwen 和 Llama。',
  ],
  [
    'debian-13',
    'Debian 13 正式发行',
    'Debian 13 “Trixie” 正式发行，这个发行版默认使用 Linux 6.12 内核，并首次正式支持 RISC-V 架构。',
  ],
  [
    'layoffs',
    '软件开发行业的裁员潮还没有结束',
    '今年上半年，软件开发行业的招聘需求同比下降两成，初级程序员受影响最大。',
  ],
  [
    'alphafold',
    'AlphaFold 3 论文发表：研究生命科学的新工具',
    'DeepMind 团队用它研究生命科学中的蛋白质相互作用，模型代码已经开源，供学术研究使用。',
  ],
  [
    'grad-jobs',
    '研究生毕业找工作，算法岗还香吗',
    '一位计算机专业的研究生分享了今年秋招的经历：大模型方向的岗位很多，但竞争也更激烈。',
  ],
  [
    '3d-print',
    '3D 打印入门：切片之前先放大模型检查细节',
    '打印之前，最好在切片软件里放大模型，检查悬空结构和薄壁，避免打印失败。',
  ],
  [
    'mobile-pay',
    '移动支付十年：越来越多国人出门不带钱包',
    '调查显示，超过八成国人日常使用微信或支付宝付款，现金使用率持续下降。',
  ],
  [
    'pboc-ecny',
    '中国人民银行发布数字人民币新规',
    '中国人民银行发布数字人民币管理办法，明确钱包分级和数据保护要求。',
  ],
  [
    'nanjing-bridge',
    '南京市长江大桥接入城市大脑',
    '南京市长江大桥的车流数据已经接入城市大脑，交通部门可以实时调整信号灯配时。',
  ],
  [
    'shenzhen-mayor',
    '深圳市市长：支持开源鸿蒙生态发展',
    '深圳市市长在开发者大会上表示，将继续支持开源鸿蒙生态，推动更多手机和家电厂商接入。',
  ],
  [
    'rust-190',
    'Rust 1.90 发布：编译速度提升',
    'Rust 1.90 在 Linux 上默认使用 LLD 链接器，大型项目的增量编译速度提升了 30% 以上。',
  ],
  [
    'rust-rewrite',
    '用 Rust 重写之后，我们的编译时间翻了一倍',
    '团队把一个 Go 服务用 Rust 重写后，运行更快了，但 CI 上的编译时间从 4 分钟涨到 9 分钟。',
  ],
  [
    'tsgo',
    'TypeScript 原生编译器预览版发布',
    '微软发布了用 Go 重写的 TypeScript 编译器预览版，大型代码库的类型检查速度提升约 10 倍。',
  ],
  [
    'rust-kernel',
    'Rust 在 Linux 内核中的进展',
    '越来越多的驱动开始用 Rust 编写，但内核维护者对引入新语言仍有分歧。',
  ],
  [
    'pytorch',
    '深度学习框架 PyTorch 2.8 发布',
    'PyTorch 2.8 改进了 torch.compile，可以把模型编译成更快的内核，训练速度平均提升 20%。',
  ],
  [
    'deepseek',
    'DeepSeek 开源新一代大语言模型',
    '深度求索发布 DeepSeek-V4，采用混合专家架构，模型权重以 MIT 协议开源，推理成本进一步降低。',
  ],
  [
    'qwen3',
    '通义千问发布开源模型 Qwen3',
    '阿里云发布 Qwen3 系列开源模型，覆盖从 6 亿到 2350 亿参数的多个尺寸，支持 119 种语言。',
  ],
  [
    'gpt4o',
    'OpenAI发布GPT-4o模型，语音对话延迟降至300毫秒',
    'OpenAI发布GPT-4o，可以实时处理语音、图像和文字，免费用户也能使用。',
  ],
  [
    'price-war',
    '大模型价格战：每百万 token 只要一块钱',
    '国内大模型厂商纷纷降价，有的模型 API 价格降到每百万 token 一元，开发者的成本大幅下降。',
  ],
  [
    'hyperos',
    '小米发布澎湃 OS 2，打通手机和汽车',
    '小米发布澎湃 OS 2，手机、平板和小米汽车可以无缝流转应用，系统底层引入了自研的大模型。',
  ],
  [
    'harmony-5',
    '华为鸿蒙 5 正式版推送',
    '华为开始向 Mate 70 系列手机推送鸿蒙 5 正式版，这是第一个不再兼容安卓应用的版本。',
  ],
  [
    'byd-battery',
    '比亚迪发布新一代刀片电池',
    '比亚迪发布第二代刀片电池，能量密度提升 20%，新能源汽车续航有望突破 1000 公里。',
  ],
  [
    'ev-rural',
    '新能源汽车下乡：价格战蔓延到三四线城市',
    '多家车企推出下乡车型，新能源汽车在三四线城市的渗透率快速提升。',
  ],
  ['wechat-mini', '微信小程序支持鸿蒙系统', '微信宣布小程序可以在纯血鸿蒙系统上运行，开发者无需修改代码。'],
  ['alipay-ai', '支付宝上线 AI 助手', '支付宝推出基于大模型的生活助手，可以用自然语言办理挂号、缴费等业务。'],
  [
    'sqlite',
    'SQLite 为什么这么快',
    'SQLite 是世界上部署最广的数据库，几乎每台手机里都有几十个 SQLite 数据库文件。本文介绍它的 B 树存储结构和预写日志。',
  ],
  [
    'postgres-18',
    'PostgreSQL 18 发布：异步 I/O 与 UUIDv7',
    '这个开源数据库的新版本新增了异步 I/O 子系统，顺序扫描性能最高提升三倍，并内置 uuidv7() 函数。',
  ],
  [
    'resume-leak',
    '数据泄露事件：某招聘平台 2 亿条简历被公开售卖',
    '安全研究人员发现，某招聘平台的简历数据在暗网被公开售卖，涉及姓名、手机号和工作经历。',
  ],
  [
    'phone-slow',
    '为什么你的手机越用越卡',
    '手机越用越卡，主要原因是存储碎片和后台应用太多，而不是电池老化。',
  ],
  [
    'ml-intro',
    '机器学习入门：从线性回归开始',
    '机器学习的核心是从数据中学习规律。本文从最简单的线性回归讲起，不需要高深的数学。',
  ],
  [
    'ai-coders',
    '人工智能会取代程序员吗',
    '人工智能编程助手已经能写出大部分样板代码，但需求分析和系统设计仍然需要人来完成。',
  ],
  ['commit-msg', '一个程序员的自我修养：写好提交信息', '好的提交信息说明为什么修改，而不只是修改了什么。'],
  [
    'linux-tablet',
    'Linux 和平板电脑：开源系统的新机会',
    '随着 ARM 平板性能提升，Linux 和平板电脑的结合变得越来越现实，postmarketOS 已经支持几十款设备。',
  ],
  [
    'nobel-peace',
    '诺贝尔和平奖得主呼吁监管人工智能武器',
    '多位诺贝尔和平奖得主联名呼吁，各国应尽快就自主武器达成国际条约。',
  ],
  [
    'scheduler',
    '操作系统的进程调度是怎样工作的',
    '操作系统需要在多个进程之间分配 CPU 时间。本文介绍 Linux 的 CFS 调度器和新的 EEVDF 调度器。',
  ],
  [
    'harmony-bus',
    '鸿蒙操作系统的分布式软总线',
    '鸿蒙操作系统通过分布式软总线，让手机、手表和平板共享摄像头和算力。',
  ],
  [
    'ruanyf-lang',
    '阮一峰：如何学习一门新的编程语言',
    '学习新语言，最好的办法是用它写一个小项目。下面是我的一些经验。',
  ],
  [
    'sspai-tools',
    '少数派：我的 2025 年效率工具清单',
    '这一年我换了不少工具：笔记从 Notion 换到了 Obsidian，待办事项改用滴答清单。',
  ],
  [
    'v2ex-35',
    'V2EX 热议：大厂程序员的 35 岁危机',
    '一位 V2EX 网友发帖讨论 35 岁程序员的出路，回帖的人分享了转管理、做独立开发和考公等不同选择。',
  ],
  [
    'indie-dev',
    '独立开发者如何在 App Store 赚到第一笔钱',
    '一个独立开发者分享了他的经验：先解决自己的问题，再把应用定价为一次性买断。',
  ],
  [
    'ransomware',
    '网络安全：勒索软件攻击医院系统',
    '多家医院的信息系统遭到勒索软件攻击，门诊一度改为手工登记。',
  ],
  [
    'gpu-cloud',
    '云计算厂商下调 GPU 租赁价格',
    '随着新一代芯片大量交付，云计算厂商下调了 GPU 实例的租赁价格，训练大模型的成本有所下降。',
  ],
  ['chip-5nm', '国产芯片突破 5 纳米工艺', '国产芯片在 5 纳米工艺上取得突破，但良率和产能仍是主要挑战。'],
  [
    'vector-db',
    '一文读懂向量数据库',
    '向量数据库用于存储文本和图像的嵌入向量，是检索增强生成（RAG）系统的核心组件。',
  ],
  [
    'apple-q3',
    '苹果公司第三季度财报：服务收入创新高',
    '苹果公司公布第三季度财报，App Store 和 iCloud 等服务收入创下历史新高，iPhone 销量略有下滑。',
  ],
  [
    'apple-farm',
    '果农的苹果今年卖不动了',
    '陕西果农反映，今年苹果产量大增，但收购价跌到每斤一元多，电商直播成了新的销售渠道。',
  ],
  [
    'polars',
    '从 Python 到 Rust：数据处理管道的重写',
    '我们把数据处理管道从 Python 迁移到 Rust 写的 Polars 之后，内存占用下降了 70%。',
  ],
  [
    'compilers',
    '编译原理为什么难学',
    '编译原理课程涉及词法分析、语法分析和代码生成，很多学生在 LR 分析表那里卡住。',
  ],
  ['quantize', '深度学习模型的量化与部署', '把模型量化到 4 比特之后，可以在消费级显卡甚至手机上运行。'],
  [
    'robotaxi-wuhan',
    '自动驾驶出租车在武汉扩大运营范围',
    '萝卜快跑在武汉的运营范围扩大到全市，车队规模超过 500 辆。',
  ],
  [
    'burnout',
    '开源社区的维护者倦怠',
    '很多开源项目只靠一两个维护者支撑，维护者倦怠已经成为开源供应链的安全隐患。',
  ],
  [
    'service-mesh',
    '服务器和服务网格：Istio 入门',
    '服务网格把服务之间的通信从业务代码中剥离出来，用边车代理处理重试、熔断和加密。',
  ],
  [
    'kimono',
    '京都和服体验店推出线上预约',
    '京都的和服租赁店推出线上预约系统，游客可以提前选择款式和拍照套餐。',
  ],
  [
    'county-market',
    '县城市场成为家电品牌的新战场',
    '一二线市场饱和之后，家电品牌把渠道下沉到县城市场，直播带货是主要手段。',
  ],
  [
    'ecny-cities',
    '数字人民币试点扩大到更多城市',
    '数字人民币试点已经覆盖 26 个城市，用户可以在手机银行开通钱包。',
  ],
  ['iot', '物联网设备的安全隐患', '大量物联网设备使用默认密码，很容易被僵尸网络控制。'],
  [
    'quantum',
    '量子计算机离实用还有多远',
    '量子计算机需要极低的温度，目前的量子比特数量和纠错能力都还不足以破解常用的加密算法。',
  ],
  [
    'big-data-pricing',
    '大数据杀熟：算法定价如何监管',
    '平台利用大数据对老用户抬高价格，监管部门要求算法备案并公开定价规则。',
  ],
  [
    'data-law',
    '中华人民共和国数据安全法施行四周年',
    '中华人民共和国数据安全法施行四年来，各地陆续公布了重要数据目录。',
  ],
  [
    'rrr-cut',
    '人民银行下调存款准备金率',
    '人民银行宣布下调存款准备金率 0.5 个百分点，释放长期资金约一万亿元。',
  ],
  ['localization', '游戏本地化：汉化组的故事', '游戏本地化不只是翻译，还要处理字体、排版和文化差异。'],
  [
    'blogs-back',
    '网络日志的消亡与复兴',
    '曾经人人都写网络日志，后来被社交媒体取代。如今 RSS 和独立博客又开始复兴。',
  ],
  [
    'ruanyf-100k',
    '阮一峰的网络日志订阅量突破十万',
    '阮一峰的网络日志是中文互联网最受欢迎的技术博客之一，每周五更新科技爱好者周刊。',
  ],
  [
    'sspai-essay',
    '少数派年度征文：我的数字生活',
    '少数派发起年度征文活动，邀请读者分享自己的效率工具和数字生活方式。',
  ],
  [
    'foldable',
    '苹果和三星的折叠屏手机之争',
    '传闻苹果将在明年推出折叠屏 iPhone，与三星 Galaxy Z Fold 正面竞争。',
  ],
  [
    'vision-pro',
    'Vision Pro 国行版发售',
    '苹果 Vision Pro 在国内正式发售，售价 29999 元起，首批支持的中文应用超过 600 款。',
  ],
  [
    'gemini',
    '谷歌发布 Gemini 2.5，推理能力大幅提升',
    '谷歌发布 Gemini 2.5 Pro，在数学和编程基准上领先，并支持百万 token 上下文。',
  ],
  ['overwork', '程序员如何避免过劳', '长期加班会损害健康。几位程序员分享了他们坚持运动和规律作息的方法。'],
  [
    'ai-alliance',
    '中国人工智能产业发展联盟发布年度报告',
    '报告显示，中国人工智能核心产业规模接近 6000 亿元，大模型企业数量超过 200 家。',
  ],
  [
    'foreigners-pay',
    '外国人来华支付更方便了',
    '多家银行为外国人开通境外银行卡绑定微信和支付宝的服务，入境游客可以直接扫码付款。',
  ],
];

interface ZhQuery {
  q: string;
  /** Documents that hold the query's characters but not the word (read, and judged not relevant). */
  notRelevant?: string[];
}

const ZH_QUERIES: ZhQuery[] = [
  { q: '苹果' },
  { q: '发布' },
  { q: '模型' },
  { q: '数据' },
  { q: '手机' },
  { q: '内存', notRelevant: ['stock-users'] },
  { q: '京东', notRelevant: ['robotaxi-beijing'] },
  { q: '本地', notRelevant: ['quake-alert'] },
  { q: '发行', notRelevant: ['layoffs'] },
  { q: '研究生', notRelevant: ['alphafold'] },
  { q: '大模型', notRelevant: ['3d-print'] },
  { q: '国人', notRelevant: ['pboc-ecny', 'ai-alliance', 'foreigners-pay'] },
  { q: '市长', notRelevant: ['nanjing-bridge'] },
  { q: '和服', notRelevant: ['service-mesh'] },
  { q: '城市', notRelevant: ['county-market'] },
  { q: '和平', notRelevant: ['linux-tablet', 'harmony-bus'] },
  { q: '平板' },
  { q: '编译' },
  { q: 'Rust 编译' },
  { q: '"开源模型"' },
  { q: '苹果 发布' },
  { q: '苹果 iPhone' },
  { q: '人工智能' },
  { q: '机器学习' },
  { q: '深度学习' },
  { q: '数据库' },
  { q: '程序员' },
  { q: 'GPT-4o' },
  { q: '鸿蒙' },
  { q: '操作系统' },
  { q: '人民银行' },
  { q: '人民共和国' },
  { q: '阮一峰' },
  { q: '网络日志' },
  { q: '少数派' },
  { q: '语言模型' },
  { q: '开源 -模型' },
  { q: '新能源汽车' },
  { q: '芯片' },
  { q: '支付宝' },
  { q: '独立开发' },
  { q: '周刊' },
  { q: '本地化' },
  { q: '云计算' },
];

interface EnQuery {
  q: string;
  /** The documents a reader would want for it: every form of the word, as judged here. */
  relevant: (text: string) => boolean;
}

/** Whole words (letters and digits of any script bound them; _ and - do not). */
const words = (pattern: string): ((text: string) => boolean) => {
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${pattern})(?![\\p{L}\\p{N}])`, 'iu');
  return (text) => re.test(text);
};

const EN_QUERIES: EnQuery[] = [
  { q: 'release', relevant: words('releas(?:e|es|ed|ing)') },
  { q: 'attack', relevant: words('attack(?:s|ed|ing|er|ers)?') },
  { q: 'security', relevant: words('secur(?:e|ity|ities|ed|ing)') },
  { q: '"open source"', relevant: words('open[ -]source') },
  { q: 'crypt*', relevant: words('crypt\\w*') },
  { q: 'art', relevant: words('arts?') },
  { q: 'go', relevant: words('go|goes|going|gone|went') },
  { q: 'run', relevant: words('run|runs|running|ran') },
  { q: 'cat', relevant: words('cats?') },
  { q: 'server', relevant: words('servers?') },
  {
    q: 'update -security',
    relevant: (t) => words('updat(?:e|es|ed|ing)')(t) && !words('secur(?:e|ity|ities|ed|ing)')(t),
  },
  { q: '"new york"', relevant: words('new york') },
  { q: 'climate', relevant: words('climates?') },
  { q: 'apple', relevant: words('apples?') },
  { q: 'measure', relevant: words('measur(?:e|es|ed|ing|ement|ements)') },
  { q: 'game', relevant: words('gam(?:e|es|ing)') },
  { q: 'trump', relevant: words('trump') },
  { q: 'linux', relevant: words('linux') },
  { q: 'music', relevant: words('music') },
  { q: 'price', relevant: words('pric(?:e|es|ed|ing)') },
  { q: 'war', relevant: words('wars?') },
  { q: 'car', relevant: words('cars?') },
  { q: 'podcast', relevant: words('podcasts?|podcasting') },
  { q: 'use', relevant: words('use|uses|used|using') },
  { q: 'film', relevant: words('films?|filmed|filming') },
];

const normalize = (text: string): string => text.normalize('NFKC').toLowerCase();
const HAS_CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;

/** Whether a document holds a term: CJK as a substring, other words as whole words (ASCII bounds). */
function holds(text: string, term: QueryTerm): boolean {
  const t = normalize(term.text);
  if (HAS_CJK.test(t)) return text.includes(t);
  const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![a-z0-9])${escaped}${term.prefix ? '' : '(?![a-z0-9])'}`).test(text);
}

function judgeZh(docs: Doc[], query: ZhQuery): Set<string> {
  const parsed = parseQuery(query.q);
  const out = new Set<string>();
  for (const doc of docs) {
    const text = normalize(`${doc.title}\n${doc.body}`);
    const ok =
      parsed.groups.every((g) => g.some((t) => holds(text, t))) &&
      !parsed.excluded.some((t) => holds(text, t));
    if (ok && !query.notRelevant?.includes(doc.key)) out.add(doc.key);
  }
  for (const key of query.notRelevant ?? []) {
    const doc = docs.find((d) => d.key === key);
    if (!doc || !normalize(`${doc.title}\n${doc.body}`).includes(normalize(query.q)))
      throw new Error(`judged set: ${key} does not hold ${query.q}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The approaches.

/** A query as one approach runs it: an FTS5 MATCH, plus substring filters FTS5 cannot answer. */
interface Compiled {
  match: string | null;
  /** Each must hold (negated: must not) in the title or the body, checked by scanning. */
  filters: { text: string; negated: boolean }[];
  /** The query cannot be answered at all. */
  impossible?: boolean;
}

interface Approach {
  name: string;
  tokenize: string;
  /** What goes into the FTS column. */
  index: (text: string) => string;
  compile: (query: string) => Compiled;
  /** Built and timed on the large set (the others differ only in ways the judged set shows). */
  timed: boolean;
}

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const chars = (s: string): number => Array.from(s).length;

/** Writes a parsed query with `term` rendering each term (null: the term cannot match anything). */
function compileWith(query: string, term: (t: QueryTerm) => string | null, filterShort = 0): Compiled {
  const parsed: ParsedQuery = parseQuery(query);
  const filters: Compiled['filters'] = [];
  const groups: string[] = [];
  let impossible = false;
  const cleaned = (t: QueryTerm): string => normalize(t.text).trim();
  for (const group of parsed.groups) {
    // A group holding a term too short for the index becomes a scan (only one-term groups here).
    const short = group.find((t) => filterShort > 0 && chars(cleaned(t)) < filterShort);
    if (short && group.length === 1) {
      filters.push({ text: cleaned(short), negated: false });
      continue;
    }
    const parts = group.map(term).filter((p): p is string => p !== null);
    if (parts.length === 0) impossible = true;
    else groups.push(parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`);
  }
  const excluded: string[] = [];
  for (const t of parsed.excluded) {
    if (filterShort > 0 && chars(cleaned(t)) < filterShort) filters.push({ text: cleaned(t), negated: true });
    else {
      const p = term(t);
      if (p !== null) excluded.push(p);
    }
  }
  let match = groups.length ? `(${groups.join(' AND ')})` : null;
  if (match && excluded.length) match = `${match} NOT (${excluded.join(' OR ')})`;
  if (!match && filters.every((f) => f.negated)) impossible = true;
  return { match, filters, impossible };
}

/** Trigram: every term is a substring; under 3 characters it matches nothing, or is scanned for. */
function trigramTerm(t: QueryTerm): string | null {
  const text = normalize(t.text).trim();
  return chars(text) >= 3 ? quote(text) : null;
}

let jieba: Jieba | null = null;
const HMM = true;
function cutter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}
const TOKEN = /[\p{L}\p{N}]/u;

/** jieba: the index holds the search-mode cut (words and their sub-words), a query its plain cut. */
function jiebaIndex(text: string): string {
  return cutter()
    .cutForSearch(text.normalize('NFKC'), HMM)
    .filter((w) => TOKEN.test(w))
    .join(' ');
}
function jiebaTerm(t: QueryTerm): string | null {
  const tokens = cutter()
    .cut(t.text, HMM)
    .filter((w) => TOKEN.test(w))
    .map((w) => w.replace(/"/g, ''));
  if (tokens.length === 0) return null;
  return `${quote(tokens.join(' '))}${t.prefix && !HAS_CJK.test(t.text) ? '*' : ''}`;
}

/** Plain unicode61: a CJK run is one token, so a query matches only a whole run. */
function plainTerm(t: QueryTerm): string | null {
  const text = t.text.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return text ? `${quote(text)}${t.prefix ? '*' : ''}` : null;
}

const CJK_RUN = /(?:(?=[\p{L}\p{N}])[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}])+/gu;
/** Single characters: every CJK character a token, a query a phrase of them. */
function unigramIndex(text: string): string {
  return text.normalize('NFKC').replace(CJK_RUN, (run) => ` ${Array.from(run).join(' ')} `);
}
function unigramTerm(t: QueryTerm): string | null {
  const text = unigramIndex(t.text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return text ? `${quote(text)}${t.prefix && !HAS_CJK.test(t.text) ? '*' : ''}` : null;
}

const bigram = (q: string): Compiled => ({ match: toMatchQuery(q).match, filters: [] });

const APPROACHES: Approach[] = [
  {
    name: 'unicode61 alone',
    tokenize: 'unicode61 remove_diacritics 2',
    index: (t) => t.normalize('NFKC'),
    compile: (q) => compileWith(q, plainTerm),
    timed: false,
  },
  {
    name: 'trigram',
    tokenize: 'trigram remove_diacritics 1',
    index: (t) => t.normalize('NFKC'),
    compile: (q) => compileWith(q, trigramTerm),
    timed: false,
  },
  {
    name: 'trigram + scan <3',
    tokenize: 'trigram remove_diacritics 1',
    index: (t) => t.normalize('NFKC'),
    compile: (q) => compileWith(q, trigramTerm, 3),
    timed: true,
  },
  {
    name: 'jieba + porter',
    tokenize: 'porter unicode61 remove_diacritics 2',
    index: jiebaIndex,
    compile: (q) => compileWith(q, jiebaTerm),
    timed: true,
  },
  {
    name: 'unigram + porter',
    tokenize: 'porter unicode61 remove_diacritics 2',
    index: unigramIndex,
    compile: (q) => compileWith(q, unigramTerm),
    timed: true,
  },
  {
    name: 'bigram, no porter',
    tokenize: 'unicode61 remove_diacritics 2',
    index: indexText,
    compile: bigram,
    timed: false,
  },
  {
    name: 'bigram + porter (chosen)',
    tokenize: 'porter unicode61 remove_diacritics 2',
    index: indexText,
    compile: bigram,
    timed: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Running a query, building an index.

interface Built {
  db: Database.Database;
  indexMs: number;
  transformMs: number;
  bytes: number;
}

function build(approach: Approach, docs: { id: number; title: string; body: string }[]): Built {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL);
    CREATE VIRTUAL TABLE fts USING fts5(title, body, content='', contentless_delete=1, tokenize='${approach.tokenize}');`);
  const insertDoc = db.prepare('INSERT INTO docs (id, title, body) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const d of docs) insertDoc.run(d.id, d.title, d.body);
  })();
  let start = performance.now();
  const rows = docs.map((d) => [d.id, approach.index(d.title), approach.index(d.body)] as const);
  const transformMs = performance.now() - start;
  start = performance.now();
  const insert = db.prepare('INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) insert.run(...r);
  })();
  db.exec("INSERT INTO fts (fts) VALUES ('optimize')");
  const indexMs = performance.now() - start;
  const { bytes } = db.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'fts%'").get() as {
    bytes: number;
  };
  return { db, indexMs, transformMs, bytes };
}

const SCAN = '(instr(lower(d.title), ?) > 0 OR instr(lower(d.body), ?) > 0)';

/** The ids a query finds: all of them (limit 0), or the first `limit` by bm25 (by recency for scans). */
function run(db: Database.Database, compiled: Compiled, limit = 0): number[] {
  if (compiled.impossible) return [];
  const conditions = compiled.filters.map((f) => (f.negated ? `NOT ${SCAN}` : SCAN));
  const params: unknown[] = compiled.filters.flatMap((f) => [f.text, f.text]);
  const tail = limit > 0 ? ` LIMIT ${limit}` : '';
  let sql: string;
  if (compiled.match === null) {
    sql = `SELECT d.id AS id FROM docs d WHERE ${conditions.join(' AND ')} ORDER BY d.id DESC${tail}`;
  } else {
    params.unshift(compiled.match);
    const join = conditions.length ? ' JOIN docs d ON d.id = fts.rowid' : '';
    const where = ['fts MATCH ?', ...conditions].join(' AND ');
    sql = `SELECT fts.rowid AS id FROM fts${join} WHERE ${where} ORDER BY ${limit > 0 ? 'rank' : 'fts.rowid'}${tail}`;
  }
  return (db.prepare(sql).all(...params) as { id: number }[]).map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// Scoring.

interface Score {
  precision: number;
  recall: number;
  f1: number;
  perfect: number;
  total: number;
  misses: string[];
}

/** Macro-averaged precision and recall (a query with nothing relevant and nothing found: 1 and 1). */
function score(results: { q: string; found: Set<string>; relevant: Set<string> }[]): Score {
  let p = 0;
  let r = 0;
  let perfect = 0;
  const misses: string[] = [];
  for (const { q, found, relevant } of results) {
    const hits = [...found].filter((k) => relevant.has(k)).length;
    const precision = found.size === 0 ? (relevant.size === 0 ? 1 : 0) : hits / found.size;
    const recall = relevant.size === 0 ? 1 : hits / relevant.size;
    p += precision;
    r += recall;
    if (precision === 1 && recall === 1) perfect++;
    else {
      const extra = [...found].filter((k) => !relevant.has(k));
      const missed = [...relevant].filter((k) => !found.has(k));
      misses.push(
        `${q}: found ${found.size}, relevant ${relevant.size}` +
          (extra.length ? `; wrong: ${extra.slice(0, 4).join(' ')}${extra.length > 4 ? ' …' : ''}` : '') +
          (missed.length ? `; missed: ${missed.slice(0, 4).join(' ')}${missed.length > 4 ? ' …' : ''}` : ''),
      );
    }
  }
  const n = results.length;
  const precision = p / n;
  const recall = r / n;
  return {
    precision,
    recall,
    f1: (2 * precision * recall) / (precision + recall || 1),
    perfect,
    total: n,
    misses,
  };
}

// ---------------------------------------------------------------------------------------------
// The large synthetic set: Chinese items made of the judged set's words, English ones of the blog
// vocabulary the other benchmarks use.

const EXTRA_EN = [
  'AI',
  'Go',
  'open',
  'source',
  'release',
  'released',
  'releases',
  'security',
  'zero',
  'trust',
];
const ZH_FILLERS = [
  '的',
  '了',
  '是',
  '在',
  '和',
  '我们',
  '一个',
  '这个',
  '可以',
  '已经',
  '没有',
  '因为',
  '所以',
];

function synthetic(count: number, seed: number): { id: number; title: string; body: string }[] {
  const random = prng(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)] as T;
  const zhWords = ZH_DOCS.flatMap(([, title, body]) => cutter().cut(`${title}。${body}`, false)).filter((w) =>
    HAS_CJK.test(w),
  );
  const enWords = [...WORDS, ...EXTRA_EN];
  const zhSentence = (): string => {
    let s = '';
    for (let n = int(6, 16); n > 0; n--) {
      const r = random();
      s += r < 0.25 ? pick(ZH_FILLERS) : r < 0.3 ? ` ${pick(enWords)} ` : pick(zhWords);
    }
    return s.trim() + pick(['。', '。', '，', '！', '？']);
  };
  const enSentence = (n: number): string => {
    const s = Array.from({ length: n }, () => pick(enWords)).join(' ');
    return s.charAt(0).toUpperCase() + s.slice(1) + '.';
  };
  const docs = [];
  for (let id = 1; id <= count; id++) {
    if (random() < 0.5) {
      let body = '';
      for (let n = int(4, 12); n > 0; n--) body += zhSentence();
      docs.push({ id, title: zhSentence().slice(0, int(8, 24)), body });
    } else {
      let body = '';
      for (let n = int(4, 10); n > 0; n--) body += enSentence(int(8, 20)) + ' ';
      docs.push({ id, title: enSentence(int(4, 10)), body: body.trim() });
    }
  }
  return docs;
}

/** Queries timed on the large set, by kind. */
const TIMED_QUERIES: [string, string][] = [
  ['zh 2 chars', '数据'],
  ['zh 2 chars', '模型'],
  ['zh 2 chars', '手机'],
  ['zh 2 chars, none', '熊猫'],
  ['zh 1 char', '云'],
  ['zh 3+ chars', '人工智能'],
  ['zh 3+ chars', '大模型'],
  ['zh phrase', '"开源模型"'],
  ['zh two terms', '苹果 发布'],
  ['mixed', 'Rust 编译'],
  ['en word', 'latency'],
  ['en word', 'security'],
  ['en 2 letters', 'AI'],
  ['en 2 letters, none', 'v8'],
  ['en phrase', '"zero trust"'],
  ['en prefix', 'perf*'],
  ['en two terms', 'cache origin'],
  ['en exclusion', 'edge -network'],
];

// ---------------------------------------------------------------------------------------------

interface Options {
  docs: number;
  runs: number;
  verbose: boolean;
}

function parseArgs(args: string[]): Options {
  const quick = args.includes('--quick');
  const at = args.indexOf('--docs');
  const docs = at >= 0 ? Number(args[at + 1]) : quick ? 20_000 : 100_000;
  if (!Number.isInteger(docs) || docs < 100) throw new Error('--docs takes a whole number of at least 100');
  return { docs, runs: quick ? 5 : 9, verbose: args.includes('--verbose') };
}

function loadCorpusEntries(repoRoot: string): Doc[] {
  const docs: Doc[] = [];
  for (const d of loadCorpus(corpusFeedsDir(repoRoot))) {
    const feed = parseFeed(d.bytes, { url: CORPUS_BASE_URL });
    prepareEntries(feed, CORPUS_BASE_URL, 0).forEach((e, i) =>
      docs.push({ key: `${d.category}/${d.name}#${i}`, title: e.title, body: e.contentText }),
    );
  }
  return docs;
}

export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const corpus = loadCorpusEntries(repoRoot);
  const zhDocs: Doc[] = ZH_DOCS.map(([key, title, body]) => ({ key, title, body }));
  const docs = [...zhDocs, ...corpus];
  const withId = docs.map((d, i) => ({ ...d, id: i + 1 }));
  const corpusCjk = corpus.filter((d) => HAS_CJK.test(d.title + d.body)).length;

  console.log(describeMachine());
  console.log(
    `Judged set: ${zhDocs.length} Chinese tech-news items written for it, and the ${corpus.length} entries of ` +
      `the feed corpus (parsed and prepared as the ingest stage does; ${corpusCjk} hold CJK text). ` +
      `${ZH_QUERIES.length} Chinese queries judged by the word being present (a substring, less the ` +
      `${ZH_QUERIES.reduce((n, q) => n + (q.notRelevant?.length ?? 0), 0)} items that hold its characters ` +
      `across a word boundary), ${EN_QUERIES.length} English queries judged by every form of the word. ` +
      `Precision and recall are averaged over queries.`,
  );

  const zhJudged = ZH_QUERIES.map((q) => ({ q: q.q, relevant: judgeZh(docs, q) }));
  const enJudged = EN_QUERIES.map((q) => ({
    q: q.q,
    relevant: new Set(docs.filter((d) => q.relevant(`${d.title}\n${d.body}`)).map((d) => d.key)),
  }));

  const quality = new Map<string, { zh: Score; plain: Score; en: Score }>();
  const trapped = new Set(ZH_QUERIES.filter((q) => q.notRelevant?.length).map((q) => q.q));
  for (const approach of APPROACHES) {
    const { db } = build(approach, withId);
    const keys = (ids: number[]): Set<string> => new Set(ids.map((id) => (withId[id - 1] as Doc).key));
    const answer = (q: string): Set<string> => keys(run(db, approach.compile(q)));
    const zh = zhJudged.map((j) => ({ ...j, found: answer(j.q) }));
    quality.set(approach.name, {
      zh: score(zh),
      plain: score(zh.filter((j) => !trapped.has(j.q))),
      en: score(enJudged.map((j) => ({ ...j, found: answer(j.q) }))),
    });
    db.close();
  }
  const pct = (n: number): string => `${(100 * n).toFixed(0)}%`;
  console.log('\nQuality on the judged set');
  printTable([
    [
      '',
      'zh precision',
      'zh recall',
      'zh F1',
      'zh exact',
      'no-trap F1',
      'exact',
      'en precision',
      'en recall',
      'en F1',
      'en exact',
    ],
    ...[...quality].map(([name, { zh, plain, en }]) => [
      name,
      pct(zh.precision),
      pct(zh.recall),
      pct(zh.f1),
      `${zh.perfect}/${zh.total}`,
      pct(plain.f1),
      `${plain.perfect}/${plain.total}`,
      pct(en.precision),
      pct(en.recall),
      pct(en.f1),
      `${en.perfect}/${en.total}`,
    ]),
  ]);
  console.log(
    `  exact: queries whose results are exactly the relevant items. no-trap: the ${ZH_QUERIES.length - trapped.size} ` +
      `Chinese queries with no item planted to hold their characters across a word boundary.`,
  );
  if (options.verbose) {
    for (const [name, { zh, en }] of quality) {
      console.log(`\n${name}: the queries it gets wrong`);
      for (const m of [...zh.misses, ...en.misses]) console.log(`  ${m}`);
    }
  }

  const large = synthetic(options.docs, 7);
  const textMb = large.reduce((n, d) => n + Buffer.byteLength(d.title) + Buffer.byteLength(d.body), 0) / 1e6;
  console.log(
    `\nLarge set: ${large.length} synthetic items, ${fmt(textMb)} MB of text, half Chinese (the judged set's ` +
      `words in new orders), half English (the blog vocabulary). Index: a contentless FTS5 table (title, ` +
      `body) after 'optimize', its size from dbstat; build: the text transform in JavaScript, then the ` +
      `inserts and the merge. Latency: each query's median of ${options.runs} rounds (every index in each round), the first 50 by ` +
      `bm25 (a scan finds the newest 50, unranked: it stops early when the term is common and reads ` +
      `every item when it is rare or absent).`,
  );
  const timed = APPROACHES.filter((a) => a.timed);
  const rows: string[][] = [['', 'index MB', 'transform s', 'insert s', 'p50 ms', 'max ms']];
  const perQuery: string[][] = [
    ['query (ms)', 'kind', ...timed.map((a) => a.name)],
    ...TIMED_QUERIES.map(([kind, q]) => [q, kind]),
  ];
  // Every index stays open while the queries run, each query timed on all of them in the same rounds,
  // so that a busy spell of the machine falls on all alike.
  const built = timed.map((approach) => build(approach, large));
  const medians: number[][] = timed.map(() => []);
  for (const [i, [, q]] of TIMED_QUERIES.entries()) {
    const runs = timed.map((approach, a) => {
      const compiled = approach.compile(q);
      const db = (built[a] as Built).db;
      return () => run(db, compiled, 50);
    });
    const timings = await measureSideBySide(runs, { warmup: 1, runs: options.runs });
    timings.forEach((t, a) => {
      medians[a]?.push(t.median);
      perQuery[i + 1]?.push(fmt(t.median));
    });
  }
  timed.forEach((approach, a) => {
    const b = built[a] as Built;
    const ms = medians[a] ?? [];
    b.db.close();
    rows.push([
      approach.name,
      fmt(b.bytes / 1e6),
      fmt(b.transformMs / 1000),
      fmt(b.indexMs / 1000),
      fmt(percentiles(ms).p50),
      fmt(Math.max(...ms)),
    ]);
  });
  printTable(rows);
  console.log('');
  printTable(perQuery, [0, 1]);

  const before = process.memoryUsage().rss;
  const start = performance.now();
  Jieba.withDict(dict);
  console.log(
    `\njieba: loading its dictionary takes ${fmt(performance.now() - start)} ms and ` +
      `${fmt((process.memoryUsage().rss - before) / 1e6)} MB per instance.`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main(process.argv.slice(2));
