-- wrk script for the forum's performance harness (tests/perf/run).
--
-- Everything comes from the environment so that one script serves every scenario:
--   PERF_METHOD   GET (default) or POST
--   PERF_PATH     the path; "%d" in it is replaced by a random id in [PERF_ID_MIN, PERF_ID_MAX]
--   PERF_BODY     the form body of a POST (application/x-www-form-urlencoded)
--   PERF_COOKIE   a Cookie header to send
-- done() prints one JSON line: requests, seconds, latency percentiles (ms), errors.

local method = os.getenv("PERF_METHOD") or "GET"
local path = os.getenv("PERF_PATH") or "/"
local body = os.getenv("PERF_BODY")
local cookie = os.getenv("PERF_COOKIE")
local id_min = tonumber(os.getenv("PERF_ID_MIN") or "1")
local id_max = tonumber(os.getenv("PERF_ID_MAX") or "1")
local random_path = string.find(path, "%%d") ~= nil

wrk.method = method
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
if method == "POST" then wrk.headers["Content-Type"] = "application/x-www-form-urlencoded" end
if body then wrk.body = body end

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

if random_path then
  -- Only then a request() function: without one wrk sends one prebuilt request, faster.
  function init(args)
    math.randomseed(os.time() * 1000 + (tid or 0))
  end

  function request()
    return wrk.format(nil, string.format(path, math.random(id_min, id_max)))
  end
else
  wrk.path = path
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"mean_ms":%.3f,"status_errors":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"timeouts":%d,"bytes":%d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
