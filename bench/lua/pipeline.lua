-- S2: keep 16 requests in flight per connection (HTTP/1.1 pipelining, RFC 9112
-- section 9.3.2). wrk writes the whole string at once and counts each response.
local depth = 16

init = function(args)
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, "/")
  end
  req = table.concat(r)
end

request = function()
  return req
end
