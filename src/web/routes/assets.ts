import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assets } from '../assets.js';
import { notFound } from './page.js';

function send(name: string, req: FastifyRequest, reply: FastifyReply, immutable: boolean): FastifyReply {
  const asset = assets().get(name);
  if (!asset) return notFound(reply);
  const etag = `"${asset.etag}"`;
  reply.header('ETag', etag);
  reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}

export function registerAssetRoutes(app: FastifyInstance): void {
  app.get<{ Params: { name: string }; Querystring: { v?: string } }>('/assets/:name', async (req, reply) =>
    send(req.params.name, req, reply, req.query.v !== undefined),
  );
  // The service worker and the manifest must keep stable URLs; the worker's scope is the site.
  app.get('/sw.js', async (req, reply) => send('sw.js', req, reply, false));
  app.get('/manifest.webmanifest', async (req, reply) => send('manifest.webmanifest', req, reply, false));
  app.get('/favicon.ico', async (_req, reply) => reply.redirect('/assets/icon.svg', 301));
}
