// Package config holds binding names and tunables shared by the shop worker.
package config

// Binding names, as declared in wrangler.jsonc.
const (
	CatalogKV = "CATALOG" // read-through cache in front of D1
	ShopKV    = "SHOP"    // storefront state: reviews, coupons, flags
	ArchiveKV = "ARCHIVE" // cold storage for discontinued products
	DB        = "DB"
)

// Key prefixes.
const (
	ProductPrefix  = "product:"
	CategoryPrefix = "category:"
	StockPrefix    = "stock:"
	ReviewsPrefix  = "reviews:"
	RatingPrefix   = "rating:"
	CouponPrefix   = "coupon:"
)

// SummerSaleEnds is when the 2024 summer banner comes down (2024-09-01 00:00 UTC).
const SummerSaleEnds = 1725148800
