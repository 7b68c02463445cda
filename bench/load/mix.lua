-- wrk script of the load benchmark (bench/load_benchmark.py): a mix of kinds of request, paced or flat out,
-- with latency and answers counted per kind.
--
--   LOAD_REQUESTS=FILE LOAD_OUT=FILE LOAD_RATE=300 LOAD_THREADS=64 \
--     wrk -t 64 -c 64 -d 60s -s bench/load/mix.lua http://127.0.0.1:PORT
--
-- LOAD_REQUESTS: one request a line, tab-separated: kind, method, path, headers ("Name: value" joined by
-- "\1"), body. Kinds are drawn by their weight (first line of the file: "#weights<TAB>kind=share,..."). Each
-- wrk thread has ONE connection, so request() and response() alternate on a thread and the time between
-- them is that request's latency (monotonic clock through LuaJIT's ffi). RATE (requests/s over every
-- thread, 0 = as fast as the server answers; LOAD_THREADS is wrk's -t and -c) paces each connection on a schedule: a late answer makes the
-- next request leave at once, never in a burst of catch-up. LOAD_OUT gets every latency (microseconds)
-- and status counts per kind, written by done() in a plain text format the Python side reads.
-- LOAD_CONNECTION_CLOSE=1: every request asks to close its connection and wrk opens a new one for the next,
-- as nginx does towards gunicorn by default (HTTP/1.0 upstream, docs/deployment.md).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } lc_timespec;
int clock_gettime(int clk_id, lc_timespec *tp);
]]
local clock_spec = ffi.new("lc_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock_spec) -- CLOCK_MONOTONIC
  return tonumber(clock_spec.tv_sec) * 1000000 + tonumber(clock_spec.tv_nsec) / 1000
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state) -------------------------------------------------

local kinds = {}        -- ordered kind names
local cumulative = {}   -- cumulative weights, same order
local requests = {}     -- kind -> list of prepared request strings
local cursor = {}       -- kind -> next index
-- Read by done() through thread:get, which copies only flat tables: wrk 4.1 crashes on nested ones.
latencies = {}          -- kind -> flat list of microseconds, also global as "latency_<kind>"
statuses = {}           -- "kind|status" -> count
kind_names = ""         -- the kinds, comma-separated
local pending_kind, pending_start = nil, 0
local interval_ms, next_due = 0, 0

local function split(text, separator)
  local parts, start = {}, 1
  while true do
    local found = string.find(text, separator, start, true)
    if not found then
      table.insert(parts, string.sub(text, start))
      return parts
    end
    table.insert(parts, string.sub(text, start, found - 1))
    start = found + #separator
  end
end

local function load_requests(path, me, total_threads)
  local file = assert(io.open(path, "r"))
  local line_number = 0
  for line in file:lines() do
    if line_number == 0 then
      for pair in string.gmatch(split(line, "\t")[2], "[^,]+") do
        local name, share = string.match(pair, "([^=]+)=([%d.]+)")
        table.insert(kinds, name)
        local previous = cumulative[#cumulative] or 0
        table.insert(cumulative, previous + tonumber(share))
        requests[name], latencies[name] = {}, {}
        _G["latency_" .. name] = latencies[name]
        kind_names = kind_names == "" and name or (kind_names .. "," .. name)
      end
    else
      local fields = split(line, "\t")
      local kind, method, path_, header_text, body = fields[1], fields[2], fields[3], fields[4], fields[5]
      -- Registrations are real writes: each thread takes its own share, so no two threads send the same one.
      if kind ~= "registration" or (line_number % total_threads) == me then
        local headers = {}
        if header_text ~= "" then
          for _, header in ipairs(split(header_text, "\1")) do
            local name, value = string.match(header, "^([^:]+): (.*)$")
            headers[name] = value
          end
        end
        if body ~= "" then
          headers["Content-Type"] = "application/json"
        end
        if os.getenv("LOAD_CONNECTION_CLOSE") == "1" then
          headers["Connection"] = "close" -- one connection per request, as nginx sends them upstream
        end
        table.insert(requests[kind], wrk.format(method, path_, headers, body ~= "" and body or nil))
      end
    end
    line_number = line_number + 1
  end
  file:close()
  for _, name in ipairs(kinds) do
    cursor[name] = 1 + (me * 7919) % math.max(1, #requests[name])
  end
end

function init(args)
  local total_threads = tonumber(os.getenv("LOAD_THREADS") or "1")
  local me = id or 0
  math.randomseed(1000 + me)
  load_requests(os.getenv("LOAD_REQUESTS"), me, total_threads)
  local rate = tonumber(os.getenv("LOAD_RATE") or "0")
  if rate > 0 then
    interval_ms = 1000 * total_threads / rate
    next_due = now_us() / 1000 + math.random() * interval_ms
  end
end

local function draw_kind()
  local total = cumulative[#cumulative]
  local point = math.random() * total
  for index, name in ipairs(kinds) do
    if point < cumulative[index] and #requests[name] > 0 then
      return name
    end
  end
  return kinds[1]
end

function delay()
  if interval_ms <= 0 then
    return 0
  end
  local now = now_us() / 1000
  next_due = math.max(next_due + interval_ms, now - interval_ms)
  local wait = next_due - now
  return wait > 0 and math.floor(wait) or 0
end

function request()
  local kind = draw_kind()
  local list = requests[kind]
  local index = cursor[kind]
  cursor[kind] = index % #list + 1
  pending_kind, pending_start = kind, now_us()
  return list[index]
end

function response(status, headers, body)
  if pending_kind == nil then
    return
  end
  local kind = pending_kind
  local list = latencies[kind]
  list[#list + 1] = math.floor(now_us() - pending_start)
  local key = kind .. "|" .. status
  statuses[key] = (statuses[key] or 0) + 1
  pending_kind = nil
end

function done(summary, latency, requests_)
  local out = assert(io.open(os.getenv("LOAD_OUT"), "w"))
  out:write(string.format("summary\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", summary.duration, summary.requests,
    summary.bytes, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
  for _, thread in ipairs(threads) do
    for kind in string.gmatch(thread:get("kind_names"), "[^,]+") do
      local values = thread:get("latency_" .. kind)
      for first = 1, #values, 5000 do
        local chunk = {}
        for index = first, math.min(#values, first + 4999) do
          chunk[#chunk + 1] = values[index]
        end
        out:write("latency\t", kind, "\t", table.concat(chunk, ","), "\n")
      end
    end
    for key, count in pairs(thread:get("statuses")) do
      local kind, status = string.match(key, "^(.*)|(%d+)$")
      out:write(string.format("status\t%s\t%s\t%d\n", kind, status, count))
    end
  end
  out:close()
end
