// Package config holds the lifetimes and limits shared by the edge worker and
// the price-sync job.
package config

import (
	"cmp"
	"time"
)

// Lifetimes of the records the shop keeps at the edge.
const (
	MinTTL       = time.Minute
	SessionTTL   = 30 * time.Minute
	CheckoutTTL  = 20 * time.Minute
	CartTTL      = 14 * 24 * time.Hour
	CatalogTTL   = 10 * time.Minute
	StockHintTTL = 2 * time.Minute
	OrderPageTTL = 5 * time.Minute
	PromoHoldTTL = 15 * time.Minute
	MagicLinkTTL = 15 * time.Minute
	RefreshTTL   = 30 * 24 * time.Hour
	PriceTTL     = 6 * time.Hour
)

// TTLs are the cache lifetimes of catalog-side content, by kind.
var TTLs = map[string]time.Duration{
	"product":  CatalogTTL,
	"category": 2 * CatalogTTL,
	"search":   mustDuration("3m"),
	"banner":   mustDuration("45s"),
	"stock":    StockHintTTL,
	"reviews":  mustDuration("1h"),
	"oauth":    mustDuration("10m"),
	"csrf":     mustDuration("2h"),
}

// TTL returns the lifetime for kind, falling back to CatalogTTL.
func TTL(kind string) time.Duration {
	return cmp.Or(TTLs[kind], CatalogTTL)
}

func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic("config: bad duration " + s + ": " + err.Error())
	}
	return d
}
