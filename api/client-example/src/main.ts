/**
 * The client example, run end to end against a live server:
 *
 *   node --experimental-websocket build/main.js http://127.0.0.1:8000
 *
 * Registers, logs in, creates a room, lists rooms, follows the room's events over the
 * WebSocket, and shows the answers a frontend must handle (problem details, token rotation).
 * Prints one line per step; exits non-zero at the first step that does not go as documented.
 */
import { connect, ok, ProblemError } from "./api.js";
import type { RoomOut, RoomSocketMessage } from "../../openapi/schema.js";

const baseUrl = process.argv[2] ?? process.env["RHYTHM_API_URL"] ?? "http://127.0.0.1:8000";
const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
let steps = 0;

function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`expected: ${what}`);
  }
}

function step(name: string, detail: string): void {
  steps += 1;
  console.log(`ok ${steps} ${name}: ${detail}`);
}

async function expectProblem(status: number, call: () => Promise<unknown>): Promise<ProblemError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ProblemError && error.problem.status === status) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected a ${status} problem`);
}

/** Opens the room's event socket; `next()` resolves with each message in turn. */
function follow(roomId: number, token: string) {
  const url = new URL(`/api/v1/rooms/${roomId}/events`, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("token", token); // browsers cannot set headers on a WebSocket
  const socket = new WebSocket(url);
  const queue: RoomSocketMessage[] = [];
  let wake = (): void => {};
  socket.addEventListener("message", (event: MessageEvent<string>) => {
    queue.push(JSON.parse(event.data) as RoomSocketMessage);
    wake();
  });
  async function next(): Promise<RoomSocketMessage> {
    const deadline = Date.now() + 10_000;
    while (queue.length === 0) {
      if (Date.now() > deadline || socket.readyState === WebSocket.CLOSED) {
        throw new Error("no message from the room socket");
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return queue.shift() as RoomSocketMessage;
  }
  return { socket, next };
}

async function main(): Promise<void> {
  const alice = connect(baseUrl);
  const { api } = alice;

  const health = ok(await api.GET("/health/ready"));
  check(health.status === "ready", "the server is ready");
  step("healthReady", `migration ${health.migration ?? "?"}`);

  const email = `ada-${unique}@example.com`;
  const password = "correct horse battery staple";
  const registered = ok(
    await api.POST("/api/v1/auth/register", { body: { email, display_name: "Ada", password } }),
  );
  check(registered.user.role === "USER" && registered.token_type === "Bearer", "a USER session");
  step("register", `user ${registered.user.id}`);

  const duplicate = await expectProblem(409, async () =>
    ok(await api.POST("/api/v1/auth/register", { body: { email, display_name: "Ada", password } })),
  );
  check(duplicate.problem.type === "about:blank", "problem details");
  step("register again", `${duplicate.problem.status} ${duplicate.problem.detail ?? ""}`);

  const invalid = await expectProblem(400, async () =>
    ok(
      await api.POST("/api/v1/auth/register", {
        body: { email: `x-${email}`, display_name: "Ada", password: "short" },
      }),
    ),
  );
  check("password" in invalid.fieldErrors(), "a field error for password");
  step("validation", JSON.stringify(invalid.fieldErrors()));

  const noToken = await api.GET("/api/v1/users/me");
  check(noToken.response.status === 401, "401 without a token");
  check(noToken.response.headers.get("www-authenticate") === "Bearer", "WWW-Authenticate");
  step("no token", `${noToken.response.status} ${noToken.error?.detail ?? ""}`);

  alice.session.start(ok(await api.POST("/api/v1/auth/login", { body: { email, password } })));
  const me = ok(await api.GET("/api/v1/users/me"));
  check(me.email === email, "the profile of the logged-in user");
  step("login + getMe", `${me.display_name} <${me.email}>`);

  const rotated = alice.session.refreshToken;
  check(rotated !== null, "a refresh token");
  await alice.session.refresh();
  check(alice.session.refreshToken !== rotated, "a new refresh token on every refresh");
  const reuse = await api.POST("/api/v1/auth/refresh", { body: { refresh_token: rotated } });
  check(reuse.response.status === 401, "a rotated refresh token is refused");
  await expectProblem(401, () => alice.session.refresh()); // reuse ended the whole session
  step("refresh rotation", "old token refused, its session ended");

  alice.session.start(ok(await api.POST("/api/v1/auth/login", { body: { email, password } })));
  const room: RoomOut = ok(
    await api.POST("/api/v1/rooms", {
      body: { name: `Friday night ${unique}`, max_players: 4, difficulty: "HARD" },
    }),
  );
  check(room.host_id === me.id && room.members.length === 1, "the creator hosts the room");
  step("createRoom", `room ${room.id} "${room.name}" (seq ${room.event_seq})`);

  const page = ok(await api.GET("/api/v1/rooms", { params: { query: { limit: 100 } } }));
  check(
    page.items.some((item) => item.id === room.id),
    "the new room is listed",
  );
  step("listRooms", `${page.items.length} rooms, next ${page.next ?? "null"}`);

  const token = await alice.session.accessToken();
  check(token !== null, "an access token");
  const events = follow(room.id, token);
  // The snapshot comes first and is the state as of its seq: act on the room only after it.
  const snapshot = await events.next();
  check(snapshot.type === "snapshot" && snapshot.room.id === room.id, "a snapshot first");
  const bob = connect(baseUrl);
  bob.session.start(
    ok(
      await bob.api.POST("/api/v1/auth/register", {
        body: { email: `bob-${unique}@example.com`, display_name: "Bob", password },
      }),
    ),
  );
  ok(await bob.api.POST("/api/v1/rooms/{room_id}/join", { params: { path: { room_id: room.id } } }));
  const joined = await events.next();
  events.socket.close(1000);
  check(joined.type === "member_joined", "then the join");
  check(joined.seq === snapshot.seq + 1, "seq grows by one");
  step("room events", `snapshot seq ${snapshot.seq}, ${joined.type} seq ${joined.seq}`);

  ok(await api.POST("/api/v1/auth/logout"));
  const afterLogout = await api.POST("/api/v1/auth/refresh", {
    body: { refresh_token: alice.session.refreshToken ?? "" },
  });
  check(afterLogout.response.status === 401, "logout revokes the refresh token");
  step("logout", "refresh token revoked");

  console.log(`client example: ${steps} steps passed`);
}

main().catch((error: unknown) => {
  console.error(`client example failed after ${steps} steps:`, error);
  process.exit(1);
});
