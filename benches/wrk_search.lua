-- Rotates over French queries, each a new embedding (no cache on the query path).
local queries = {
  "le%20revenu%20de%20base", "qu%27est-ce%20que%20la%20servitude%20volontaire", "le%20droit%20%C3%A0%20la%20paresse",
  "psychologie%20des%20foules", "les%20r%C3%A9seaux%20sociaux%20et%20le%20technofascisme", "%C3%A9crire%20avec%20une%20IA",
  "le%20v%C3%A9lo%20et%20le%20bikepacking", "l%27abondance%20d%27informations", "la%20mis%C3%A8re%20et%20le%20paup%C3%A9risme",
  "publier%20un%20livre%20sans%20%C3%A9diteur",
}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/api/v1/search?k=10&q=" .. queries[i])
end
done = function(summary, latency, requests)
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
