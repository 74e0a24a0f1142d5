-- wrk script: each request searches the next query of the file named by SEARCH_QUERIES
-- (one URL-encoded query per line), as the search box does while the operator types.
local queries = {}
for line in io.lines(os.getenv("SEARCH_QUERIES")) do
  queries[#queries + 1] = line
end
local i = 0
local sid = os.getenv("SEARCH_SID")

setup = function(thread)
  thread:set("offset", math.random(#queries))
end

request = function()
  i = i + 1
  local q = queries[((i + (offset or 0)) % #queries) + 1]
  return wrk.format("GET", "/persone?frammento=1&q=" .. q, { ["Cookie"] = "sportello_sid=" .. sid })
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
