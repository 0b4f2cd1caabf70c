package config

import "time"

// KV TTLs, in seconds.
const (
	MinKVTTL         = 60
	ProductCacheTTL  = 5 * 60
	CategoryCacheTTL = 15 * 60
	ShippingQuoteTTL = 45 // carriers re-price often
	RateLimitWindow  = 60
	FXRatesTTL       = 20 * 60

	// cacheTtl values for reads.
	EdgeCacheTTL  = 30
	FlagsCacheTTL = 20
)

// Durations used with the kvstore wrapper.
const (
	StockCacheFor    = 2 * time.Minute
	ReviewsCacheFor  = 10 * time.Minute
	CouponHold       = 15 * time.Minute
	CheckoutWindow   = 10 * time.Minute
	BestsellersKeep  = 25 * time.Hour
	ViewCountRetains = 30 * 24 * time.Hour
)
