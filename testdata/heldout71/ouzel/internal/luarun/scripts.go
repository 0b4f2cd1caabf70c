package luarun

import _ "embed"

//go:embed scripts/reserve.lua
var reserveLua string

const claimCouponLua = `
local kv = require("kv")
function main(code, customer, ttl)
  return kv.setnx("coupon-claim:" .. code, customer, ttl)
end
`

const recentViewLua = `
local kv = require("kv")
function main(customer, sku)
  kv.push_recent("recent:" .. customer, sku, 20)
  return true
end
`

const cartLinesLua = `
local kv = require("kv")
function main(cart_id, cursor)
  local lines, next = kv.values("cart-line:" .. cart_id .. "/", 100, cursor)
  local n = 0
  for _, v in pairs(lines) do n = n + 1 end
  return { count = n, cursor = next }
end
`

const releaseOrderLua = `
local kv = require("kv")
function main(order_id, skus)
  for _, sku in ipairs(skus) do
    kv.del("hold:" .. sku .. ":" .. order_id)
    kv.incr("reserved:" .. sku, -1)
  end
  return #skus
end
`

var scripts = map[string]string{
	"reserve_checkout": reserveLua,
	"claim_coupon":     claimCouponLua,
	"recent_view":      recentViewLua,
	"cart_lines":       cartLinesLua,
	"release_order":    releaseOrderLua,
}
