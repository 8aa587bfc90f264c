-- Hybrid searches that are all new (issue 15): French topics, each with a
-- random tail, so every request embeds its query (no recent-query cache
-- hit) — more than 200 distinct queries in any run.
local topics = {
  "le revenu de base", "qu'est-ce que la servitude volontaire", "le droit à la paresse",
  "psychologie des foules", "les réseaux sociaux et le technofascisme", "écrire avec une IA",
  "le vélo et le bikepacking", "l'abondance d'informations", "la misère et le paupérisme",
  "publier un livre sans éditeur", "la liberté numérique", "les logiciels libres",
  "la décroissance", "le blog comme journal", "la gratuité et les créateurs",
}
local function escape(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end
request = function()
  local q = topics[math.random(#topics)] .. " " .. math.random(100000, 999999)
  return wrk.format("GET", "/api/v1/search?k=10&q=" .. escape(q))
end
done = function(summary, latency, requests)
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
