-- Rotates over the graph of each text in related_ids.txt (depth 2), then the overview.
local ids = {}
for line in io.lines("benches/related_ids.txt") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i % (#ids + 1) + 1
  if i > #ids then return wrk.format("GET", "/api/v1/graph/overview") end
  return wrk.format("GET", "/api/v1/graph/ego/" .. ids[i] .. "?depth=2")
end
done = function(summary, latency, requests)
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
