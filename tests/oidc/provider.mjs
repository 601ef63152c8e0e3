// A real OpenID Connect provider (the npm package oidc-provider) for the single sign-on tests:
// started on 127.0.0.1 by tests/sso.py, stopped when the tests end. Never used outside the tests.
//
// Environment: PORT; CLIENT_ID, CLIENT_SECRET and REDIRECT_URIS (comma-separated) of the one
// client, CSP Action Plan. Its sign-in page asks only for an e-mail address (anyone may be
// anyone here): the person's e-mail claim is what they type, verified, with a name made from it.
// It prints "ready <issuer>" once it listens.

import { generateKeyPairSync } from "node:crypto";

import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };

function nameFrom(email) {
  const words = email.split("@")[0].split(/[._-]+/).filter(Boolean);
  const cap = (word) => word.charAt(0).toUpperCase() + word.slice(1);
  return { given_name: cap(words[0] || ""), family_name: words.slice(1).map(cap).join(" ") };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: process.env.REDIRECT_URIS.split(","),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: ["test-only-cookie-key"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["given_name", "family_name"],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, ...nameFrom(id) };
      },
    };
  },
  // Consent is taken as given: the test's person only signs in.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

// The provider's sign-in page: one field, the e-mail address.
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return next();
  if (ctx.method === "GET" && !match[2]) {
    const { uid } = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = "html";
    ctx.body = `<!doctype html><html lang="en"><head><title>Test provider</title></head><body>
<main><h1>Test organisation: sign in</h1>
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="email">E-mail address</label> <input id="email" name="email" type="email" required>
<button type="submit">Sign in</button></form></main></body></html>`;
    return undefined;
  }
  if (ctx.method === "POST" && match[2]) {
    const form = await readForm(ctx.req);
    const email = (form.get("email") || "").trim();
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: email } },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
    return undefined;
  }
  return next();
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
