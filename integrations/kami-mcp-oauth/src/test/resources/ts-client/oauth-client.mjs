// The TypeScript MCP SDK client with its OAuth support (client_credentials), against a KAMI
// server that answers 401 with a resource_metadata challenge. Run by TsSdkOAuthClientTest:
//   node oauth-client.mjs <server url> <issuer> <client id> <client secret>
// with NODE_PATH / cwd giving @modelcontextprotocol/sdk. Prints one JSON line on stdout.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';

const [url, issuer, clientId, clientSecret] = process.argv.slice(2);
const authProvider = new ClientCredentialsProvider({ clientId, clientSecret, expectedIssuer: issuer });
const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider });
const client = new Client({ name: 'ts-oauth', version: '1.0.0' });
const out = {};
try {
  await client.connect(transport);
  out.tools = (await client.listTools()).tools.map(t => t.name);
  const r = await client.callTool({ name: 'dev_kami_echo', arguments: { message: 'through oauth' } });
  out.echo = r.content.map(c => c.text).join('');
  out.isError = r.isError === true;
  try {
    await client.callTool({ name: 'dev_kami_sha256', arguments: { data: 'abc' } });
    out.sha = 'allowed';
  } catch (e) {
    out.sha = String(e.message || e);
  }
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await client.close().catch(() => {});
}
console.log(JSON.stringify(out));
