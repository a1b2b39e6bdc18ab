/**
 * `POST /api`: the TR50 envelope. Every key of the body is a command id holding
 * `{command, params}`; each is answered under its id, always over HTTP 200. The caller
 * comes from `{"auth": {"sessionId"}}`, the `sessionId` header, or a native key header,
 * resolved once per envelope and only when a command needs it; an `api.authenticate`
 * command runs first (under `auth`, or wherever it is) and later commands use its session.
 * A body that is not an envelope gets one top-level `{"success": false, ...}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitError } from '../../core/errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../http/json-body.js';
import { header, nativeSecret } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { authenticateCommand, historyCommand } from './commands.js';
import { TR50_CODES, Tr50Error, toTr50Failure, type Tr50Failure } from './errors.js';
import { success, type Tr50Success } from './presenter.js';
import { callerFromSecret, resumeSession, type Caller } from './session.js';
import { tr50Schema } from './schema.js';

/** Bounds of an envelope. */
export const ENVELOPE_LIMITS = { bodyBytes: 1024 * 1024, commands: 100, idChars: 128 } as const;

type Answer = Tr50Success<unknown> | Tr50Failure;
type Envelope = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function badEnvelope(message: string): Tr50Error {
  return new Tr50Error(TR50_CODES.invalidRequest, message);
}

/** The body as an envelope: a JSON object of at most 100 command ids. */
function parseEnvelope(body: unknown): Envelope {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    if (nestsDeeperThan(body)) throw badEnvelope(`The body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badEnvelope('The body is not valid JSON.');
    }
  }
  if (!isObject(parsed)) throw badEnvelope('The body must be a JSON object keyed by command id.');
  const ids = Object.keys(parsed);
  if (ids.length > ENVELOPE_LIMITS.commands)
    throw badEnvelope(`At most ${ENVELOPE_LIMITS.commands} commands per request.`);
  if (ids.some((id) => id.length === 0 || id.length > ENVELOPE_LIMITS.idChars))
    throw badEnvelope(`Command ids must have 1-${ENVELOPE_LIMITS.idChars} characters.`);
  return parsed;
}

/** `auth` that carries a session id rather than a command. */
function sessionBlock(envelope: Envelope): Record<string, unknown> | null {
  const auth = envelope['auth'];
  return isObject(auth) && !('command' in auth) ? auth : null;
}

/** The caller of an envelope, resolved lazily and at most once; replaced by api.authenticate. */
class Credentials {
  private caller: Promise<Caller> | null = null;

  constructor(private readonly resolve: () => Promise<Caller>) {}

  get(): Promise<Caller> {
    this.caller ??= this.resolve();
    return this.caller;
  }

  set(caller: Caller): void {
    this.caller = Promise.resolve(caller);
  }
}

function resolverFor(ctx: AppContext, req: FastifyRequest, envelope: Envelope): () => Promise<Caller> {
  return async () => {
    const block = sessionBlock(envelope);
    if (block !== null) {
      if (!('sessionId' in block))
        throw badEnvelope('auth must hold a sessionId or an api.authenticate command.');
      return resumeSession(ctx, block['sessionId']);
    }
    const sessionId = header(req, 'sessionid');
    if (sessionId !== null) return resumeSession(ctx, sessionId);
    const secret = nativeSecret(req);
    if (secret !== null) return callerFromSecret(ctx, secret);
    throw new Tr50Error(
      TR50_CODES.notAuthenticated,
      'Not authenticated: send api.authenticate first, then its sessionId (header or auth block).',
    );
  };
}

async function runCommand(ctx: AppContext, entry: unknown, creds: Credentials): Promise<Answer> {
  if (!isObject(entry)) throw badEnvelope('A command must be an object with command and params.');
  const command = entry['command'];
  if (typeof command !== 'string' || command.length === 0)
    throw badEnvelope('command must be a non-empty string.');
  switch (command) {
    case 'api.authenticate': {
      const { answer, caller } = await authenticateCommand(ctx, entry['params']);
      creds.set(caller);
      return success(answer);
    }
    case 'usage.api.history':
      return success(await historyCommand(ctx, await creds.get(), entry['params']));
    default:
      throw new Tr50Error(
        TR50_CODES.unknownCommand,
        `Unknown command ${JSON.stringify(command.slice(0, 100))}; Tally serves api.authenticate and usage.api.history.`,
      );
  }
}

async function answerEnvelope(ctx: AppContext, req: FastifyRequest): Promise<Envelope> {
  const envelope = parseEnvelope(req.body);
  const creds = new Credentials(resolverFor(ctx, req, envelope));
  const ids = Object.keys(envelope).filter((id) => !(id === 'auth' && sessionBlock(envelope) !== null));
  // An authenticate under `auth` runs first, as deviceWISE clients put it there to log in.
  const order = ids.includes('auth') ? ['auth', ...ids.filter((id) => id !== 'auth')] : ids;
  const answers = new Map<string, Answer>();
  for (const id of order) {
    try {
      answers.set(id, await runCommand(ctx, envelope[id], creds));
    } catch (err) {
      // A rate-limited key fails the whole envelope with HTTP 429 (tr50ErrorHandler).
      if (err instanceof RateLimitError) throw err;
      const { failure, internal } = toTr50Failure(err);
      if (internal) req.log.error({ err }, `tr50 command ${id} failed`);
      answers.set(id, failure);
    }
  }
  // Answer in the envelope's own key order; fromEntries defines even "__proto__" as a plain key.
  return Object.fromEntries(ids.map((id) => [id, answers.get(id)]));
}

/** Every TR50 failure is HTTP 200 with `success: false`, except a rate limit: 429 (with Retry-After). */
export function tr50ErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { failure, internal } = toTr50Failure(err);
  if (internal) req.log.error({ err }, 'tr50 request failed');
  void reply.status(err instanceof RateLimitError ? 429 : 200).send(failure);
}

/** Register `POST /api` with its own body parser (any content type, JSON text) and error shape. */
export function tr50Routes(app: FastifyInstance): void {
  // TR50 clients do not all send application/json; the body is read as text and parsed here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: ENVELOPE_LIMITS.bodyBytes },
    (_req, body, done) => {
      done(null, body);
    },
  );
  app.post('/api', tr50Schema, (req) => answerEnvelope(app.ctx, req));
}
