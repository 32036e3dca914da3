// Peer (d): what a team would write in Node.js instead of Lightbridge. Same work per model call: verify the
// bearer token (RS256) against the same JWKS file, check the same role rule, run the same ONNX model with
// onnxruntime-node (the ORT version of the Java side), append the same JSON audit line, answer Open Inference
// Protocol v2. Usage: node server.js CONFIG.json PORT   (CONFIG is written by the harness; see NodePeerConfig.java)
import { readFileSync, openSync, writeSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import ort from 'onnxruntime-node';

const [configPath, portText] = process.argv.slice(2);
if (!configPath || !portText) {
  console.error('usage: node server.js CONFIG.json PORT');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));

// Only signing keys: an IdP's JWKS also carries encryption keys (use: enc). No jwksFile: no token is accepted.
const jwks = config.jwksFile ? JSON.parse(readFileSync(config.jwksFile, 'utf8')) : { keys: [] };
const keys = createLocalJWKSet({ keys: jwks.keys.filter((k) => (k.use ?? 'sig') === 'sig') });

const sessions = new Map();
for (const [name, path] of Object.entries(config.models ?? {})) {
  sessions.set(name, await ort.InferenceSession.create(path, {
    intraOpNumThreads: config.intraOpThreads ?? 1,
    interOpNumThreads: 1,
  }));
}
const audit = config.auditFile ? openSync(config.auditFile, 'a') : null;

// Lightbridge's audit line: the same fields in the same order, chained by SHA-256 (seq, prev, hash). Written with
// one synchronous write per call and no fsync (Lightbridge's default fsyncs each group of records).
let auditSeq = 0;
let auditPrev = '0'.repeat(64);
function auditLine(fields) {
  const prefix = JSON.stringify({ seq: ++auditSeq, ...fields, prev: auditPrev }).slice(0, -1);
  auditPrev = createHash('sha256').update(prefix).digest('hex');
  writeSync(audit, prefix + ',"hash":"' + auditPrev + '"}\n');
}

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
// Raw bodies: echo returns them as they came, and the audit line hashes exactly the bytes received.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => done(null, body));

const json = (reply, status, body) => reply.code(status).type('application/json').send(JSON.stringify(body));

app.get('/v2/health/live', (req, reply) => json(reply, 200, { live: true }));
app.get('/v2/health/ready', (req, reply) => json(reply, 200, { ready: true }));

if (config.diagnostics) {
  app.get('/lightbridge/diag/noop', (req, reply) => json(reply, 200, { live: true }));
  app.post('/lightbridge/diag/echo', async (req, reply) => {
    const sleepMs = Math.min(Number(req.query['sleep-ms'] ?? 0), 10000);
    if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));
    return reply.code(200).type(req.headers['content-type'] ?? 'application/octet-stream').send(req.body ?? Buffer.alloc(0));
  });
}

const TYPES = { FP32: [Float32Array, 'float32'], FP64: [Float64Array, 'float64'], INT64: [BigInt64Array, 'int64'] };
const DATATYPE = { float32: 'FP32', float64: 'FP64', int64: 'INT64' };

class CallerError extends Error {
  constructor(status, message, errorClass) {
    super(message);
    this.status = status;
    this.errorClass = errorClass;
  }
}

async function principal(req) {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) throw new CallerError(401, 'missing bearer token', 'auth:missing');
  try {
    const { payload } = await jwtVerify(header.slice(7), keys, {
      issuer: config.issuer, audience: config.audience, algorithms: ['RS256'],
    });
    return payload;
  } catch (e) {
    throw new CallerError(401, 'invalid token: ' + e.code, 'auth:' + (e.code ?? 'invalid'));
  }
}

function allowed(claims, model) {
  const roles = config.rolesClaim.split('.').reduce((v, k) => (v == null ? v : v[k]), claims) ?? [];
  return config.rules.find((r) => (r.models.includes(model) || r.models.includes('*'))
    && r.actions.includes('infer') && roles.includes(r.role));
}

function tensors(body) {
  let request;
  try { request = JSON.parse(body.toString('utf8')); } catch { throw new CallerError(400, 'body is not JSON', 'bad_request'); }
  if (!Array.isArray(request.inputs)) throw new CallerError(400, 'inputs missing', 'bad_request');
  const feeds = {};
  for (const input of request.inputs) {
    const type = TYPES[input.datatype];
    if (!type) throw new CallerError(400, 'unsupported datatype ' + input.datatype, 'bad_request');
    const data = type[0] === BigInt64Array ? BigInt64Array.from(input.data.flat(Infinity), BigInt) : type[0].from(input.data.flat(Infinity));
    feeds[input.name] = new ort.Tensor(type[1], data, input.shape);
  }
  return feeds;
}

app.post('/v2/models/:model/infer', async (req, reply) => {
  const started = process.hrtime.bigint();
  const requestId = req.headers['x-request-id'] ?? randomUUID();
  const model = req.params.model;
  const body = req.body ?? Buffer.alloc(0);
  let claims = null, rule = null, status = 200, errorClass = null, answer;
  try {
    claims = await principal(req);
    rule = allowed(claims, model);
    if (!rule) throw new CallerError(403, 'missing permission: infer on ' + model, 'forbidden');
    const session = sessions.get(model);
    if (!session) throw new CallerError(404, 'unknown model ' + model, 'not_found');
    const results = await session.run(tensors(body));
    answer = {
      model_name: model,
      model_version: config.modelVersion ?? '1',
      id: requestId,
      outputs: Object.entries(results).map(([name, t]) => ({
        name, shape: t.dims, datatype: DATATYPE[t.type] ?? t.type,
        data: t.type === 'int64' ? Array.from(t.data, Number) : Array.from(t.data),
      })),
    };
  } catch (e) {
    status = e instanceof CallerError ? e.status : 500;
    errorClass = e instanceof CallerError ? e.errorClass : 'internal';
    answer = { error: e instanceof CallerError ? e.message : 'internal error, request id ' + requestId };
  }
  if (audit !== null) {
    auditLine({
      time: new Date().toISOString(), request_id: requestId, traceparent: req.headers.traceparent ?? null,
      remote_addr: req.ip, subject: claims?.sub ?? null, client_id: claims?.azp ?? claims?.client_id ?? null,
      issuer: claims?.iss ?? null, jti: claims?.jti ?? null, model,
      model_version: status === 200 ? (config.modelVersion ?? '1') : null, action: 'infer',
      decision: rule != null ? 'allow' : 'deny', rule_id: rule?.id ?? null, status,
      latency_us: Number((process.hrtime.bigint() - started) / 1000n),
      body_sha256: createHash('sha256').update(body).digest('hex'), error_class: errorClass,
    });
  }
  reply.header('X-Request-Id', requestId);
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="lightbridge"');
  return json(reply, status, answer);
});

app.setNotFoundHandler((req, reply) => json(reply, 404, { error: 'no route for ' + req.method + ' ' + req.url }));

await app.listen({ host: '127.0.0.1', port: Number(portText) });
