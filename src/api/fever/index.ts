import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../../web/server.js';

export function registerFeverApi(_app: FastifyInstance, _ctx: RouteContext): void {}
