-- wrk script for the Lightbridge harness (io.lightbridge.bench.load.Wrk writes it next to each run).
-- Request shape from the environment, so one script serves every peer:
--   LB_METHOD          GET or POST
--   LB_BODY_FILE       file whose bytes are the request body (optional)
--   LB_HEADERS_FILE    file of "Name: value" lines added to every request (optional)
--   LB_TOKENS_FILE     file of bearer tokens, one a line: one token → sent every time (built once);
--                      several → a different token on every request, in turn (optional)
-- done() prints one line "LBJSON {...}" with the summary, the answers by status and latency percentiles in
-- microseconds. Counting by status needs response(), which makes wrk copy each answer's head: the same cost for
-- every peer, and the only way to tell a shed request (503/504) from a failure (500).

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

wrk.method = os.getenv("LB_METHOD") or "GET"
local body_file = os.getenv("LB_BODY_FILE")
if body_file and #body_file > 0 then wrk.body = read_file(body_file) end
local headers_file = os.getenv("LB_HEADERS_FILE")
if headers_file and #headers_file > 0 then
  for _, line in ipairs(lines(headers_file)) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

local tokens = {}
local tokens_file = os.getenv("LB_TOKENS_FILE")
if tokens_file and #tokens_file > 0 then tokens = lines(tokens_file) end
if #tokens == 1 then wrk.headers["Authorization"] = "Bearer " .. tokens[1] end

if #tokens > 1 then
  local i = 0
  request = function()
    i = i + 1
    wrk.headers["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]
    return wrk.format()
  end
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local e = summary.errors
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    parts[#parts + 1] = string.format('"%d":%d', status, n)
  end
  io.write(string.format(
    'LBJSON {"requests":%d,"duration_us":%d,"bytes":%d,"statuses":{%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p99.9":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, table.concat(parts, ","),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
