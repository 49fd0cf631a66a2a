-- wrk script (scripts/bench/http): every request of a run a different line of a file of request paths,
-- across all of wrk's threads and connections.
--
--   wrk -tT -cC -dD -s scripts/bench/distinct.lua URL -- PATHS T [gzip]
--
-- Each wrk thread has a Lua state of its own, and its connections share it. setup() numbers the threads
-- 0 .. T-1; thread k sends lines k, k + T, k + 2T, ... of PATHS (one counter for all its connections),
-- so no two requests carry the same line. A thread that comes to the end of its lines starts them
-- again: done() counts those repeats, and scripts/bench/http refuses a run that has any.
-- With "gzip", every request asks for gzip, as browsers do. done() prints one line of `key value`
-- pairs for the script to read.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  assert(file and nthreads, "distinct.lua needs: -- PATHS THREADS [gzip]")
  if args[3] == "gzip" then wrk.headers["Accept-Encoding"] = "gzip" end
  paths = {}
  local line_no = 0
  for line in io.lines(file) do
    if line_no % nthreads == id then paths[#paths + 1] = line end
    line_no = line_no + 1
  end
  npaths = #paths
  sent = 0
  repeated = 0
end

function request()
  sent = sent + 1
  local i = sent
  if i > npaths then
    repeated = repeated + 1
    i = (i - 1) % npaths + 1
  end
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local sent, repeated, npaths = 0, 0, 0
  for _, t in ipairs(threads) do
    sent = sent + t:get("sent")
    repeated = repeated + t:get("repeated")
    npaths = npaths + t:get("npaths")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "wrk requests %d seconds %.2f requests_per_s %.1f p50_ms %.2f p90_ms %.2f p99_ms %.2f max_ms %.2f " ..
    "errors_status %d errors_connect %d errors_read %d errors_write %d errors_timeout %d " ..
    "sent %d repeated %d paths %d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout, sent, repeated, npaths))
end
