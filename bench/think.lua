-- Loaded by the page scripts: with BENCH_THINK_MS set and above 0, each connection is an
-- operator who reads the page before asking for the next one, for a random time with that
-- mean (exponential, so arrivals look like many independent people). wrk's latency covers
-- the request only, never the wait. Unset or 0: the next request leaves as soon as the answer
-- arrives, as before (the server's saturation).
local think_ms = tonumber(os.getenv("BENCH_THINK_MS") or "0") or 0
if think_ms > 0 then
  delay = function()
    return math.floor(-think_ms * math.log(1 - math.random()))
  end
end
