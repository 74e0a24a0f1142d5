-- wrk script: each request opens the page of the next case file of the file named by
-- CASEFILE_IDS (one case-file id per line, the files with 200 diary entries), as the assigned
-- assistente sociale does (`GET /cartelle/{id}`), with the session of CASEFILE_SID.
local ids = {}
for line in io.lines(os.getenv("CASEFILE_IDS")) do
  ids[#ids + 1] = line
end
local i = 0
local sid = os.getenv("CASEFILE_SID")

setup = function(thread)
  thread:set("offset", math.random(#ids))
end

request = function()
  i = i + 1
  local id = ids[((i + (offset or 0)) % #ids) + 1]
  return wrk.format("GET", "/cartelle/" .. id, { ["Cookie"] = "sportello_sid=" .. sid })
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
