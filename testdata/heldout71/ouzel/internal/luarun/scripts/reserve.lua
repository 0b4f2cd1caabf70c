-- reserve_checkout(order_id, lines, deadline_unix)
-- lines: { [sku] = qty, ... }
local kv = require("kv")

function main(order_id, lines, deadline)
  local held = 0
  for sku, qty in pairs(lines) do
    kv.hold(sku, order_id, qty, deadline)
    kv.incr("reserved:" .. sku, qty)
    held = held + 1
  end
  kv.set("checkout-scratch:" .. order_id, tostring(held))
  return held
end
