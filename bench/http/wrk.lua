-- wrk script for bench/http: one connection per wrk thread, each thread acting as one user.
-- Arguments (after --): MODE FILE. FILE has one line per thread: "<access token> <room id> <user id>"
-- (the user id, as X-User-Id, names the user to the bare app without authentication).
-- MODE "get:<path>" sends GET <path>; MODE "joinleave" alternates POST join / POST leave on
-- the thread's own room (one connection per thread, so a leave always follows its join).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  local mode, file = args[1], args[2]
  local n, token, room, user = 0, nil, nil, nil
  for line in io.lines(file) do
    n = n + 1
    if n == id then
      token, room, user = line:match("^(%S+) (%S+) (%S+)$")
    end
  end
  local headers = { ["Authorization"] = "Bearer " .. token, ["X-User-Id"] = user }
  if mode == "joinleave" then
    local base = "/api/v1/rooms/" .. room
    requests = {
      wrk.format("POST", base .. "/join", headers),
      wrk.format("POST", base .. "/leave", headers),
    }
  else
    requests = { wrk.format("GET", mode:sub(5), headers) }
  end
  turn = 0
end

function request()
  turn = turn % #requests + 1
  return requests[turn]
end
