package main

import (
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/shop/handlers"
	"example.com/shop/jobs"
	"example.com/shop/middleware"
)

func routes() http.Handler {
	mux := http.NewServeMux()

	catalog := handlers.Catalog{}
	mux.HandleFunc("GET /products/{sku}", catalog.Product)
	mux.HandleFunc("GET /products/{sku}/stock", catalog.Stock)
	mux.HandleFunc("GET /categories/{slug}", catalog.Category)

	ship := handlers.Shipping{CarrierURL: "https://rates.example-carrier.com"}
	mux.HandleFunc("GET /shipping/quote", ship.Quote)
	mux.HandleFunc("GET /shipping/holidays", ship.Holidays)

	var reviews handlers.Reviews
	mux.HandleFunc("GET /products/{sku}/reviews", reviews.List)
	mux.HandleFunc("POST /products/{sku}/reviews", reviews.Create)

	views := handlers.Views{DownloadBase: "https://files.example-shop.com"}
	mux.HandleFunc("POST /products/{sku}/view", views.Track)
	mux.HandleFunc("GET /products/{sku}/views", views.Count)
	mux.HandleFunc("GET /downloads/{order}", views.Download)

	var coupons handlers.Coupons
	mux.HandleFunc("POST /coupons/{code}/redeem", coupons.Redeem)
	mux.HandleFunc("PUT /checkout/{checkout}/coupon", coupons.Hold)
	mux.HandleFunc("DELETE /checkout/{checkout}/coupon", coupons.Release)

	var checkout handlers.Checkout
	mux.HandleFunc("POST /checkout/pay", checkout.Pay)
	mux.HandleFunc("GET /checkout/config", checkout.Config)

	var news handlers.Newsletter
	mux.HandleFunc("POST /newsletter", news.Subscribe)
	mux.HandleFunc("POST /newsletter/unsubscribe", news.Unsubscribe)

	var feeds handlers.Feeds
	mux.HandleFunc("GET /sitemap.xml", feeds.Sitemap)
	mux.HandleFunc("GET /feeds/merchant.xml", feeds.Merchant)
	mux.HandleFunc("GET /tags", feeds.Tags)

	var admin handlers.Admin
	mux.HandleFunc("POST /admin/coupons", coupons.Create)
	mux.HandleFunc("POST /admin/coupons/flash", coupons.Flash)
	mux.HandleFunc("PUT /admin/flags/{name}", admin.SetFlag)
	mux.HandleFunc("POST /admin/changelog", admin.Changelog)
	mux.HandleFunc("PUT /admin/banner", admin.Banner)
	mux.HandleFunc("PUT /admin/banner/countdown", admin.Countdown)
	mux.HandleFunc("PUT /admin/banner/summer", admin.SummerSale)
	mux.HandleFunc("PUT /admin/layout/home", admin.Homepage)
	mux.HandleFunc("POST /admin/layout/preview", admin.Preview)
	mux.HandleFunc("PATCH /admin/settings/checkout", admin.UpdateCheckout)
	mux.HandleFunc("PUT /admin/tags/{tag}/{sku}", admin.TagProduct)
	mux.HandleFunc("DELETE /admin/products/{sku}/reviews/{id}", reviews.Remove)
	mux.HandleFunc("POST /admin/products/{sku}/invalidate", catalog.Invalidate)
	mux.HandleFunc("PUT /admin/shipping/cutoff", ship.Cutoff)

	limited := middleware.RateLimit{Limit: 120, Window: time.Minute}.Wrap(mux)
	return middleware.Maintenance(middleware.GeoBlock(middleware.Announcement(limited)))
}

func main() {
	workers.ServeNonBlock(routes())
	cron.ScheduleTaskNonBlock(jobs.Run)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
