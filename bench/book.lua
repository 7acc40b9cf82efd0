-- Sends POST bodies of one ticket each, for a new user per request, so that neither the
-- per-user limit nor a replay rejects a booking.
--
-- Environment: BENCH_PATH (default /book) and BENCH_EVENT (default 1) name the target.
-- BENCH_RUN makes user ids unique across wrk runs. BENCH_DELAY_MS is a pause before each
-- request of a connection, which paces the load (default 0, no pause).
local path = os.getenv("BENCH_PATH") or "/book"
local event = os.getenv("BENCH_EVENT") or "1"
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local headers = { ["Content-Type"] = "application/json" }

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local prefix
local counter = 0
function init(args)
  prefix = "u" .. run .. "-" .. tostring(thread_id or 0) .. "-"
end

function request()
  counter = counter + 1
  local body = '{"eventId":' .. event .. ',"userId":"' .. prefix .. counter .. '","quantity":1}'
  return wrk.format("POST", path, headers, body)
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end
