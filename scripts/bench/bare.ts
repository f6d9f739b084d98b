import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.post('/v1/invoices', async (_req, reply) => reply.code(202).send({ id: 'x', status: 'queued' }));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
console.log('bare listening');
