// Package config defines the service configuration. Defaults live in
// Default; FromEnv overlays what operators change per environment.
package config

import (
	"fmt"
	"os"
	"time"
)

type Config struct {
	Cloudflare Cloudflare
	Addr       string
	OriginURL  string
	Catalog    CatalogConfig
	Cart       CartConfig
	Sale       SaleConfig
	Checkout   CheckoutConfig
	Discount   DiscountConfig
	Orders     OrdersConfig
	Returns    ReturnsConfig
	Search     SearchConfig
	Recent     RecentConfig
	Warmer     WarmerConfig
}

type Cloudflare struct {
	APIToken, AccountID, APIBase string
	NamespaceID                  string // storefront namespace (SDK)
	OrdersNamespace              string // order-status pages (REST publisher)
}

type CatalogConfig struct{ ProductTTL, PriceTTL, SnapshotTTL time.Duration }

type CartConfig struct {
	TTL      time.Duration
	MaxItems int
}

type SaleConfig struct {
	Window  time.Duration // how long a sale stays published after it is scheduled
	TickTTL time.Duration // lifetime of one countdown tick
	Lead    time.Duration // longest teaser lead time
}

type CheckoutConfig struct{ SessionTTL, IdempotencyTTL time.Duration }

type DiscountConfig struct {
	UsedMarkerTTL time.Duration
	MaxAttempts   int
}

type OrdersConfig struct{ PageTTL, CancelledTTL, SweepEvery time.Duration }

type ReturnsConfig struct {
	Window, LabelTTL, RecordTTL time.Duration
	MaxPerDay                   int
}

type SearchConfig struct {
	Shards                 int
	RebuildEvery, ShardTTL time.Duration
}

type RecentConfig struct {
	Max int
	TTL time.Duration
}

type WarmerConfig struct {
	Every             time.Duration
	TopN, Concurrency int
}

func Default() Config {
	return Config{
		Cloudflare: Cloudflare{APIBase: "https://api.cloudflare.com/client/v4"},
		Addr:       ":8080",
		Catalog:    CatalogConfig{ProductTTL: 10 * time.Minute, PriceTTL: 15 * time.Minute, SnapshotTTL: 7 * 24 * time.Hour},
		Cart:       CartConfig{TTL: 14 * 24 * time.Hour, MaxItems: 100},
		Sale: SaleConfig{
			Window:  6 * time.Hour,
			TickTTL: 30 * time.Second, // EXPECT kvttl
			Lead:    24 * time.Hour,
		},
		Checkout: CheckoutConfig{SessionTTL: 30 * time.Minute, IdempotencyTTL: 24 * time.Hour},
		Discount: DiscountConfig{UsedMarkerTTL: 90 * 24 * time.Hour, MaxAttempts: 20},
		Orders:   OrdersConfig{PageTTL: 30 * 24 * time.Hour, CancelledTTL: 72 * time.Hour, SweepEvery: time.Hour},
		Returns: ReturnsConfig{
			Window:    30 * 24 * time.Hour,
			LabelTTL:  14 * 24 * time.Hour,
			RecordTTL: 180 * 24 * time.Hour,
			MaxPerDay: 5,
		},
		Search: SearchConfig{Shards: 16, RebuildEvery: 30 * time.Second, ShardTTL: 2 * 30 * time.Second},
		Recent: RecentConfig{Max: 20, TTL: 60 * 24 * time.Hour},
		Warmer: WarmerConfig{Every: 5 * time.Minute, TopN: 500, Concurrency: 8},
	}
}

func FromEnv() (Config, error) {
	c := Default()
	c.Cloudflare.APIToken = os.Getenv("CF_API_TOKEN")
	c.Cloudflare.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.Cloudflare.NamespaceID = os.Getenv("CF_KV_NAMESPACE")
	c.Cloudflare.OrdersNamespace = os.Getenv("CF_KV_ORDERS_NAMESPACE")
	c.OriginURL = os.Getenv("ORIGIN_URL")
	if v := os.Getenv("COMMERCE_ADDR"); v != "" {
		c.Addr = v
	}
	if c.Cloudflare.AccountID == "" || c.Cloudflare.NamespaceID == "" || c.Cloudflare.OrdersNamespace == "" {
		return c, fmt.Errorf("CF_ACCOUNT_ID, CF_KV_NAMESPACE and CF_KV_ORDERS_NAMESPACE are required")
	}
	return c, nil
}
