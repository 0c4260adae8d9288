// The WebSub callback (see refresh/websub.ts), /websub/FEED/TOKEN: a hub's verification of intent
// (GET, answered with its challenge when it confirms what Gleaner asked) and the documents it sends
// (POST, stored as a refresh stores a fetch when signed with the subscription's secret). Hubs have
// no session: the address's token and the signature are their credentials.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Store, WebSubState } from '../../store/index.js';
import { callbackToken, LEASE_BOUNDS_SECONDS, LEASE_SECONDS, pushedDocument } from '../../refresh/websub.js';
import { sameToken } from '../auth.js';
import type { RouteContext } from '../server.js';

/** The largest document a hub may send: a feed's limit. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/**
 * The least time between two documents a feed's hub sends that are stored. A hub sends as often as
 * its publisher publishes, seldom more than once a minute; a hostile feed's own hub could send as
 * fast as it can post. One sent sooner is answered 429 with Retry-After, which hubs retry. The time
 * is kept with the feed (Store.claimWebSubPush), so the limit holds across the processes of
 * `gleaner serve --workers`.
 */
const MIN_PUSH_SPACING_SECONDS = 30;

interface Subscribed extends WebSubState {
  secret: string;
  topic: string;
}

/** The subscription a callback's address names, or null when it names none (a feed gone, an old secret). */
async function subscriptionAt(store: Store, feedParam: string, token: string): Promise<Subscribed | null> {
  const feedId = Number(feedParam);
  if (!/^\d{1,15}$/.test(feedParam) || !Number.isSafeInteger(feedId)) return null;
  const state = await store.webSubOf(feedId);
  if (!state?.secret || state.topic === null) return null;
  if (!sameToken(callbackToken(state.secret), token)) return null;
  return { ...state, secret: state.secret, topic: state.topic };
}

const SIGNATURE = /^(sha1|sha256|sha384|sha512)=([0-9a-f]{40,128})$/i;

/** Whether `body` carries the hub's signature (X-Hub-Signature) made with the subscription's secret. */
function signedBy(secret: string, body: Uint8Array, header: string | undefined): boolean {
  const m = SIGNATURE.exec(header?.trim() ?? '');
  if (!m?.[1] || !m[2]) return false;
  const expected = createHmac(m[1].toLowerCase(), secret).update(body).digest();
  const sent = Buffer.from(m[2], 'hex');
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

export function registerWebSubRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock, log } = ctx.deps;

  // The hub's verification of intent: its challenge echoed when it confirms the subscription
  // Gleaner asked for, 404 otherwise (the specification's answer for one it did not ask).
  app.get<{ Params: { feedId: string; token: string }; Querystring: Record<string, unknown> }>(
    '/websub/:feedId/:token',
    async (req, reply) => {
      const state = await subscriptionAt(store, req.params.feedId, req.params.token);
      const q = req.query;
      if (state && q['hub.mode'] === 'denied') {
        log.info('WebSub hub denied the subscription', {
          feedId: req.params.feedId,
          reason: typeof q['hub.reason'] === 'string' ? q['hub.reason'].slice(0, 200) : '',
        });
        return reply.code(200).type('text/plain').send('');
      }
      const challenge = q['hub.challenge'];
      if (
        !state ||
        q['hub.mode'] !== 'subscribe' ||
        q['hub.topic'] !== state.topic ||
        typeof challenge !== 'string' ||
        challenge === '' ||
        challenge.length > 1024
      )
        return reply.code(404).type('text/plain').send('no such subscription');
      const asked = Number(q['hub.lease_seconds']);
      const seconds = Number.isFinite(asked)
        ? Math.min(LEASE_BOUNDS_SECONDS.max, Math.max(LEASE_BOUNDS_SECONDS.min, asked))
        : LEASE_SECONDS;
      await store.recordWebSubLease(Number(req.params.feedId), clock() + seconds * 1000);
      return reply.code(200).type('text/plain').send(challenge);
    },
  );

  // What the hub sends: the feed's document, whatever its type, read as bytes (the signature is
  // made over them).
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, next) =>
      next(null, body),
    );
    scope.post<{ Params: { feedId: string; token: string } }>(
      '/websub/:feedId/:token',
      { config: { csrf: false } },
      async (req, reply) => {
        const state = await subscriptionAt(store, req.params.feedId, req.params.token);
        // Gone: the hub stops sending to an address that no longer subscribes.
        if (!state) return reply.code(410).type('text/plain').send('no such subscription');
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const feedId = Number(req.params.feedId);
        const feed = await store.getFeed(feedId);
        // Unsigned or signed otherwise: ignored, acknowledged as the specification allows (so that
        // the secret cannot be guessed by trying).
        if (!feed || !signedBy(state.secret, body, req.headers['x-hub-signature'] as string | undefined)) {
          log.info('WebSub document ignored: not signed with the subscription’s secret', { feedId });
          return reply.code(202).send();
        }
        // Paused by everyone who follows it: not fetched, and what its hub sends is not stored either.
        if (!state.followed) return reply.code(202).send();
        const wait = await store.claimWebSubPush(feedId, clock(), MIN_PUSH_SPACING_SECONDS * 1000);
        if (wait > 0)
          return reply
            .code(429)
            .header('Retry-After', String(Math.ceil(wait / 1000)))
            .send();
        const header = req.headers['content-type'];
        const document = pushedDocument(feed, body, typeof header === 'string' ? header : null);
        await ctx.deps.refreshNow([feedId], new Map([[feedId, document]]));
        return reply.code(202).send();
      },
    );
    done();
  });
}
