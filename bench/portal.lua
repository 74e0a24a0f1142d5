-- wrk script: citizens on the portal (issue 22: "portal pages p99 ≤ 50 ms at 200 concurrent
-- citizens"). Each connection is one of the signed-in citizens of PORTAL_SESSIONS (lines
-- "cookie application-id") and asks in turn for its list of applications, one application
-- (the read logged) and who opened its data. PORTAL_PAGE=1, 2 or 3 asks for that page only, to
-- see which one makes the tail.
local citizens = {}
for line in io.lines(os.getenv("PORTAL_SESSIONS")) do
  local cookie, app = line:match("^(%S+) (%S+)$")
  citizens[#citizens + 1] = { cookie = cookie, app = app }
end
local i = 0

setup = function(thread)
  thread:set("offset", math.random(#citizens))
end

request = function()
  i = i + 1
  local c = citizens[((i + (offset or 0)) % #citizens) + 1]
  local pages = { "/portale/domande", "/portale/domande/" .. c.app, "/portale/accessi" }
  local only = tonumber(os.getenv("PORTAL_PAGE") or "")
  local path = pages[only or ((i % #pages) + 1)]
  return wrk.format("GET", path, { ["Cookie"] = "sportello_portale=" .. c.cookie })
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
