-- The same hybrid search again and again (issue 15): a reader paging, a
-- query many readers ask — its vector comes from the recent-query cache.
request = function()
  return wrk.format("GET", "/api/v1/search?k=10&q=le%20revenu%20de%20base")
end
