-- wrk script: INPS reading the SIUSS flows (issue 24: "/flussi p99 ≤ 50 ms per page of 100").
-- Each request asks for the 100 flows after one of the `since` of WAAS_SINCES (one per line,
-- each the start of a full page), with the voucher WAAS_TOKEN, on WAAS_PATH.
local sinces = {}
for line in io.lines(os.getenv("WAAS_SINCES")) do
  sinces[#sinces + 1] = line
end
local token = os.getenv("WAAS_TOKEN")
local path = os.getenv("WAAS_PATH")

request = function()
  local since = sinces[math.random(#sinces)]
  return wrk.format("GET", path .. "?since=" .. since .. "&limit=100",
    { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" })
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
