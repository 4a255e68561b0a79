/**
 * A typed client for rhythm-backend: openapi-fetch on the types generated from the OpenAPI
 * document. Every path, parameter, body and answer used with it is checked by tsc against
 * ../../openapi/schema.d.ts, so a change of the API that breaks a caller breaks its build.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { paths, Problem, SessionOut } from "../../openapi/schema.js";

export type Api = Client<paths>;

/** Refresh this long before the access token expires, so no request goes out with a stale one. */
const REFRESH_MARGIN_MS = 30_000;

/** The operations that take no access token (the document says `security: []` for them). */
const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  "/api/v1/auth/register",
  "/api/v1/auth/login",
  "/api/v1/auth/refresh",
]);

/** An error answer of the API: RFC 9457 problem details (`application/problem+json`). */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`);
    this.name = "ProblemError";
  }

  /** Validation messages by field (`errors[].key`), for showing next to form inputs. */
  fieldErrors(): Record<string, string[]> {
    const byField: Record<string, string[]> = {};
    for (const error of this.problem.errors ?? []) {
      (byField[error.key ?? ""] ??= []).push(error.message);
    }
    return byField;
  }
}

type Result<T> =
  | { data: T; error?: never; response: Response }
  | { data?: never; error: Problem; response: Response };

/** The data of a successful answer; an error answer is thrown as a ProblemError. */
export function ok<T>(result: Result<T>): T {
  if (result.error !== undefined) {
    throw new ProblemError(result.error);
  }
  return result.data;
}

/**
 * The tokens of one signed-in user. Access tokens live minutes: this refreshes them shortly
 * before they expire (one refresh at a time, whoever asks), and once more on a 401.
 */
export class Session {
  #tokens: SessionOut | null = null;
  #expiresAt = 0; // local clock: expires_in counted from receipt, immune to clock skew
  #refreshing: Promise<void> | null = null;

  constructor(private readonly api: Api) {}

  get user(): SessionOut["user"] | null {
    return this.#tokens?.user ?? null;
  }

  /** The refresh token to keep (e.g. in storage) to resume the session after a reload. */
  get refreshToken(): string | null {
    return this.#tokens?.refresh_token ?? null;
  }

  start(tokens: SessionOut): void {
    this.#tokens = tokens;
    this.#expiresAt = Date.now() + tokens.expires_in * 1000;
  }

  end(): void {
    this.#tokens = null;
  }

  async accessToken(): Promise<string | null> {
    if (this.#tokens !== null && this.#expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      await this.refresh();
    }
    return this.#tokens?.access_token ?? null;
  }

  /** Trade the refresh token for a new pair. Refresh tokens are single use: never run two
   * refreshes with the same one, or the server takes it as stolen and ends the session. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const refresh_token = this.refreshToken;
    if (refresh_token === null) {
      return;
    }
    const { data, error } = await this.api.POST("/api/v1/auth/refresh", {
      body: { refresh_token },
    });
    if (error !== undefined) {
      this.end(); // expired, revoked or reused: the user must log in again
      throw new ProblemError(error);
    }
    this.start(data);
  }
}

/** Authorization on every protected request; on a 401, one refresh and one retry. */
function bearer(session: Session): Middleware {
  const retries = new Map<string, Request>();
  return {
    async onRequest({ request, schemaPath, id }) {
      if (PUBLIC_PATHS.has(schemaPath)) {
        return request;
      }
      const token = await session.accessToken();
      if (token !== null) {
        request.headers.set("Authorization", `Bearer ${token}`);
        retries.set(id, request.clone());
      }
      return request;
    },
    async onResponse({ response, id }) {
      const retry = retries.get(id);
      retries.delete(id);
      if (response.status !== 401 || retry === undefined) {
        return response;
      }
      try {
        await session.refresh();
      } catch {
        return response; // the refresh failed too: this 401 stands
      }
      const token = await session.accessToken();
      if (token === null) {
        return response;
      }
      retry.headers.set("Authorization", `Bearer ${token}`);
      return fetch(retry);
    },
    onError({ id }) {
      retries.delete(id);
    },
  };
}

/** A client for the API at `baseUrl` (e.g. "http://127.0.0.1:8000"), with its session. */
export function connect(baseUrl: string): { api: Api; session: Session } {
  const api = createClient<paths>({ baseUrl });
  const session = new Session(api);
  api.use(bearer(session));
  return { api, session };
}
