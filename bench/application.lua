-- wrk script: each request opens the page of a random application of the file named by
-- APPLICATION_IDS (one application id per line, a random sample of every state), as an
-- operatore di sportello does (`GET /istanze/{id}`), with the session of APPLICATION_SID.
local ids = {}
for line in io.lines(os.getenv("APPLICATION_IDS")) do
  ids[#ids + 1] = line
end
local sid = os.getenv("APPLICATION_SID")
local headers = { ["Cookie"] = "sportello_sid=" .. sid }

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

init = function(args)
  math.randomseed(os.time() + (seed or 0) * 7919)
end

request = function()
  return wrk.format("GET", "/istanze/" .. ids[math.random(#ids)], headers)
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
