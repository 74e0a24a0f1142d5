-- wrk script: each request opens the statistics dashboard (`GET /statistiche`), as the
-- responsabile does, with the session of STATS_SID; every fourth request with a filter (a
-- benefit, an area, last year) so that the filtered paths are measured too.
local sid = os.getenv("STATS_SID")
local pages = {
  "/statistiche",
  "/statistiche?area=anziani",
  "/statistiche?prestazione=mensa",
  "/statistiche?anno=" .. (tonumber(os.date("%Y")) - 1),
}
local i = 0

request = function()
  i = i + 1
  return wrk.format("GET", pages[(i % #pages) + 1], { ["Cookie"] = "sportello_sid=" .. sid })
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
