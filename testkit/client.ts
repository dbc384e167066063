/** A GraphQL client over real HTTP that keeps its session cookie, like a browser. */
import assert from 'node:assert/strict';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class Client {
  cookie: string | null = null;

  constructor(readonly baseUrl: string) {}

  async post(body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0];
      // An expiry in the past (logout) clears the cookie, as a browser would.
      this.cookie = /expires=Thu, 01 Jan 1970/i.test(setCookie) ? null : pair;
    }
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { errors: [{ message: text }] };
    }
    return { status: response.status, ...(parsed as object) } as GraphQLResponse;
  }

  /** A GET of a path on the server with this client's session (a file download). */
  async download(
    pathAndQuery: string,
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${this.baseUrl}${pathAndQuery}`, {
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    return this.post({ query, variables });
  }

  /** The data of a request that must succeed. */
  async ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await this.gql<T>(query, variables);
    assert.equal(response.errors, undefined, JSON.stringify(response.errors));
    return response.data as T;
  }

  /** The message of a request that must be refused with `code`. */
  async refused(code: string, query: string, variables?: Record<string, unknown>): Promise<string> {
    const response = await this.gql(query, variables);
    assert.ok(response.errors && response.errors.length > 0, `expected ${code}, got data`);
    assert.equal(response.errors[0].extensions?.code, code, JSON.stringify(response.errors));
    assert.ok(response.status < 500, `status ${response.status}`);
    return response.errors[0].message;
  }
}
