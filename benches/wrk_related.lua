-- Rotates over texts of the demo corpora (benches/related_ids.txt).
local ids = {}
for line in io.lines("benches/related_ids.txt") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/api/v1/related/" .. ids[i])
end
done = function(summary, latency, requests)
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
