-- wrk script: each request is a one-mutation sync batch with a fresh document id and its own Idempotency-Key,
-- as a browser's outbox replays queued posts. Set TOKEN (a user token) in the environment, or TOKENS (comma-separated
-- user tokens: each request is sent as the next user in turn, as many users write to one shared collection).
local counter = 0
local thread_id = 0
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS") or os.getenv("TOKEN") or "", "[^,]+") do
  table.insert(tokens, t)
end

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  tid = tonumber(wrk.thread:get("tid")) or 0
end

function request()
  counter = counter + 1
  local id = "t" .. tid .. "-" .. counter
  local body = '{"mutations":[{"id":"' .. id .. '","op":"upsert","baseVersion":0,"doc":{"text":"post ' .. id ..
    ' written offline","author":"bench"}}]}'
  local headers = {}
  headers["Authorization"] = "Bearer " .. tokens[(counter + tid) % #tokens + 1]
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = '"' .. id .. '-' .. tostring(os.time()) .. '"'
  return wrk.format("POST", "/api/v1/sync/posts/mutations", headers, body)
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
