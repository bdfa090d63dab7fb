// A real OpenID Provider (panva's oidc-provider) for the single sign-on tests, on loopback only.
//
// Started by tests/sso/oidc.py with one argument: a JSON file holding
//   port, issuer            where to listen (127.0.0.1) and the issuer it signs tokens as
//   clients                 oidc-provider client metadata (client_id, client_secret, redirect_uris)
//   accounts                { accountId: { claims: {...}, amr: [...], acr: "..." } }
//   tamper                  { client_id: { claim: value } }: claims overwritten in the ID tokens issued
//                           to that client, re-signed with this provider's own key, so the tests can
//                           show that a validly signed token with a wrong aud, iss or nonce is refused
// It prints "ready <issuer>" once it listens.
//
// The login page is this script's own, not oidc-provider's development pages: one form naming the
// account, and the grant (openid email profile) is given at once, so a browser or `requests` signs in
// with a single POST.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};
const tamper = config.tamper || {};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    response_types: ['code'], grant_types: ['authorization_code'], ...c,
  })),
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['tests-only-cookie-key'] },
  pkce: { required: () => true },
  // Put email and the rest in the ID token, as Google does (the app also reads userinfo when it is not).
  conformIdTokenClaims: config.conformIdTokenClaims ?? false,
  // acr, amr and auth_time in every ID token, as Entra ID sends them.
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    email: ['email', 'email_verified', 'xms_edov'],
    profile: ['name', 'given_name', 'family_name', 'role', 'groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account.claims }; } };
  },
});

// Tests only: overwrite claims in the ID token of a tampered client's token response.
provider.use(async (ctx, next) => {
  await next();
  const wanted = ctx.oidc?.client && tamper[ctx.oidc.client.clientId];
  if (ctx.path !== '/token' || !wanted || !ctx.body?.id_token) return;
  const payload = { ...decodeJwt(ctx.body.id_token), ...wanted };
  const header = decodeProtectedHeader(ctx.body.id_token);
  const key = await importJWK(signingJwk, 'RS256');
  ctx.body = { ...ctx.body, id_token: await new SignJWT(payload).setProtectedHeader(header).sign(key) };
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, problem) {
  return `<!doctype html><html lang="en"><head><title>Test provider sign-in</title></head><body>
<h1>Test provider sign-in</h1>${problem ? `<p role="alert">${escape(problem)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label for="login">Account</label> <input id="login" name="login" autocomplete="off">
<button type="submit">Sign in at the provider</button></form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(details.uid));
    return;
  }
  const accountId = (await readForm(req)).get('login') || '';
  const account = accounts[accountId];
  if (!account) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(details.uid, `No test account is called "${accountId}".`));
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope('openid email profile');
  const grantId = await grant.save();
  const login = { accountId, amr: account.amr, acr: account.acr };
  await provider.interactionFinished(req, res, { login, consent: { grantId } },
    { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${err.message}`);
    });
    return;
  }
  callback(req, res);
});
server.listen(config.port, '127.0.0.1', () => console.log(`ready ${config.issuer}`));
