import '@fastify/swagger';
import swagger from '@fastify/swagger';
import multipart from '@fastify/multipart';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { newId } from './domain/ids.js';
import { ApiError } from './http/api-error.js';
import { MULTIPART_LIMITS } from './http/multipart.js';
import { unstorableInputs } from './http/input-guard.js';
import type { AppDeps } from './app-deps.js';
import { consoleRoutes } from './console/console-routes.js';
import { billingRoutes } from './billing/routes/billing-routes.js';
import { connectionRoutes } from './routes/connections.js';
import { customerLinkRoutes } from './routes/customer-links.js';
import { invoiceRoutes } from './routes/invoices.js';
import { mappingRoutes } from './routes/product-mappings.js';
import { opsRoutes } from './routes/ops.js';
import { tenantRoutes } from './routes/tenants.js';
import { reconciliationRoutes } from './routes/reconciliation.js';
import { attachmentRoutes } from './routes/attachments.js';
import { webhookRoutes } from './routes/webhook.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Every route the app serves, method and URL pattern, as registered. The
     * fuzz suite walks it, so a route added later is fuzzed without anyone
     * listing it.
     */
    routeCatalog(): ReadonlyArray<{ method: string; url: string }>;
  }
}

/**
 * Builds the HTTP app (no listen): tests use `inject()`, main.ts listens.
 * zod validates every input (with messages that name the field); route
 * schemas only document the API for /docs.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    requestIdHeader: 'x-request-id',
    // One line per request, written below: at debug for answers that went well (an access log at
    // thousands of requests a second costs more than the request), at info for refusals, at error
    // for failures; slow answers always.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => `req_${newId()}`,
    bodyLimit: 5 * 1024 * 1024,
    ajv: { customOptions: { strict: false } },
    // Errors the router raises before any route runs get the API's error shape too.
    frameworkErrors: (error, _request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      if (error.code === 'FST_ERR_BAD_URL') {
        return reply
          .code(400)
          .send(ApiError.badInput([{ path: 'url', code: 'invalid_url', message: 'has a path segment that is not percent-encoded UTF-8 text; encode each one with encodeURIComponent' }]).toBody());
      }
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return reply.code(414).send({ error: { code: 'uri_too_long', message: 'A path segment of the URL is longer than any id ledgerlink uses (100 characters).' } });
      }
      return reply.code(400).send({ error: { code: 'bad_request', message: error.message } });
    },
  }) as unknown as FastifyInstance;

  // zod does the validating; the JSON schemas are for the OpenAPI document only.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
  });
  app.decorate('routeCatalog', () => [...routes]);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const ms = reply.elapsedTime;
    const line = { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(ms) };
    if (reply.statusCode >= 500) request.log.error(line, 'request failed');
    else if (reply.statusCode >= 400 || ms > 1000) request.log.info(line, 'request answered');
    else request.log.debug(line, 'request answered');
  });

  // What the database cannot store (NUL, lone surrogates) or the service cannot serialise
  // (absurd nesting) is a 400 naming every such field, on every route, before any route code runs.
  app.addHook('preValidation', async (request) => {
    const problems = [request.params, request.query, request.body].flatMap((part) => unstorableInputs(part));
    if (problems.length) throw ApiError.badInput(problems);
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send(error.toBody());
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = (error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : status === 413 ? 'body_too_large' : 'bad_request';
      const message =
        (error as FastifyError).code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'The request body is empty; send a JSON document.'
          : error instanceof SyntaxError || /JSON/.test(error.message)
            ? `The request body is not valid JSON: ${error.message}`
            : error.message;
      return reply.code(status).send({ error: { code: code === 'bad_request' && /JSON/.test(message) ? 'invalid_json' : code, message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal_error', message: `Something went wrong on our side; nothing you sent was lost. Quote request id ${request.id} when reporting it.` } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `There is no route ${request.method} ${request.url.split('?')[0]}.` } });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ledgerlink',
        version: '0.1.0',
        description: 'Posts the invoices hosts send into Procountor, Netvisor or any HTTP accounting endpoint, exactly once, and reports each status change back.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Invoices with their PDFs, and PDFs alone, may come as multipart/form-data; a file over the limit is
  // read as truncated and refused with the other problems (readMultipart), not thrown mid-stream.
  await app.register(multipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: false });

  tenantRoutes(app, deps);
  connectionRoutes(app, deps);
  webhookRoutes(app, deps);
  invoiceRoutes(app, deps);
  mappingRoutes(app, deps);
  customerLinkRoutes(app, deps);
  billingRoutes(app, deps);
  opsRoutes(app, deps);
  consoleRoutes(app, deps);
  attachmentRoutes(app, deps);
  if (deps.reconciliation) reconciliationRoutes(app, { ...deps, reconciliation: deps.reconciliation });
  return app;
}
