-- wrk script: autosaves of the declarant's quadro FC2 of the DSUs listed in DSU_LIST (one
-- "id<TAB>declarant<TAB>version" per line), as the quadro page's script sends them, with the
-- session of DSU_SID. Each thread takes its share of the DSUs; a DSU is sent by one request at
-- a time, with the version of its last answer (the save is compare-and-set); bench/dsu.sh
-- reads the versions from the database again before each run.
local sid = os.getenv("DSU_SID")
local threads = tonumber(os.getenv("DSU_THREADS") or "2")
local headers = {
  ["Cookie"] = "sportello_sid=" .. sid,
  ["Accept"] = "application/json",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("index", counter)
end

local all, free, byid = {}, {}, {}
for line in io.lines(os.getenv("DSU_LIST")) do
  local id, pid, v = line:match("^(%S+)\t(%S+)\t(%d+)$")
  if id then
    all[#all + 1] = { id = id, pid = pid, version = tonumber(v) }
  end
end

init = function(args)
  math.randomseed(os.time() + (index or 0) * 7919)
  for n, d in ipairs(all) do
    if (n - 1) % threads == (index or 1) - 1 then
      byid[d.id] = d
      free[#free + 1] = d
    end
  end
end

request = function()
  -- wrk also asks the main state (where init does not run) for a request once: any DSU.
  local d = #free > 0 and table.remove(free, math.random(#free)) or all[1]
  local body = string.format(
    "version=%d&r.0.tipo=01&r.0.saldo=%d%%2C00&r.0.giacenza_media=%d%%2C00" ..
    "&r.1.tipo=03&r.1.postale=1&r.1.saldo=%d%%2C00&r.1.giacenza_media=%d%%2C00",
    d.version, math.random(100, 60000), math.random(100, 60000),
    math.random(0, 9000), math.random(0, 9000))
  return wrk.format("POST", "/dsu/" .. d.id .. "/quadri/fc2:" .. d.pid, headers, body)
end

response = function(status, headers, body)
  local id = body:match('"id":"([^"]+)"')
  local v = body:match('"version":(%d+)')
  local d = id and byid[id]
  if d and v then
    d.version = tonumber(v)
    free[#free + 1] = d
  end
end

dofile((os.getenv("BENCH_DIR") or "bench") .. "/think.lua")
