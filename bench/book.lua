-- Every request books one ticket for a new user, so neither the per-user limit nor the
-- inventory rejects it.
counter = 0
request = function()
  counter = counter + 1
  local body = '{"eventId":1,"userId":"u-' .. counter .. '-' .. math.random(1, 1000000000) .. '","quantity":1}'
  return wrk.format("POST", "/book", {["Content-Type"] = "application/json"}, body)
end
