-- wrk script of the scenario flood (bench/server/load.sh): every request a different
-- tariff change (so none is answered from the server's cache) on the synthetic world
-- of the SQL query in the environment variable FLOOD_SQL, with FLOOD_DRAWS draws of
-- the elasticity; the answers are counted by status and printed as `status N: COUNT`.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  sql = os.getenv("FLOOD_SQL")
  draws = os.getenv("FLOOD_DRAWS") or "200"
end

function request()
  counter = counter + 1
  local change = string.format("%d.%06d", 1 + (id % 50), counter)
  local body = '{"data":{"sql":"' .. sql .. '","year":2020},'
    .. '"elasticity":{"theta":5.0,"se":0.5},"uncertainty":{"draws":' .. draws .. ',"seed":' .. counter .. '},'
    .. '"shock":[{"type":"tariff","importer":"C001","exporter":"C002","change_pp":' .. change .. '}]}'
  return wrk.format("POST", "/api/v1/scenario", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    for k, v in pairs(c) do
      total[k] = (total[k] or 0) + v
    end
  end
  for k, v in pairs(total) do
    io.write(string.format("status %d: %d\n", k, v))
  end
end
