-- wrk script: each request opens the page of a random DSU of DSU_LIST (`GET /dsu/{id}`), as
-- an operator of the counter does, with the session of DSU_SID.
local ids = {}
for line in io.lines(os.getenv("DSU_LIST")) do
  ids[#ids + 1] = line:match("^(%S+)")
end
local headers = { ["Cookie"] = "sportello_sid=" .. os.getenv("DSU_SID") }

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

init = function(args)
  math.randomseed(os.time() + (seed or 0) * 7919)
end

request = function()
  return wrk.format("GET", "/dsu/" .. ids[math.random(#ids)], headers)
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
