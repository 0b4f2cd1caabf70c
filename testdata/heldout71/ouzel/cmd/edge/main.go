//go:build js && wasm

// Command edge is the storefront Worker (cart badge and coupon checks).
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/ouzel-commerce/ouzel/internal/edge"
)

func main() {
	h, err := edge.New()
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(edge.RefreshFeatured)
	workers.Serve(h)
}
