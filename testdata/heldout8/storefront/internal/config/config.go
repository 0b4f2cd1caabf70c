// Package config loads the storefront's runtime configuration. Defaults live
// here so every service sees the same values; a few can be overridden from
// the environment for staging and load tests.
package config

import (
	"fmt"
	"os"
	"time"
)

type Cloudflare struct {
	AccountID, APIToken string
	NamespaceID         string // primary storefront namespace
	EdgeNSID            string // catalogue edge cache namespace
}

type Catalog struct {
	EdgeTTL        time.Duration
	PublishChunk   int
	ReindexWorkers int
}

type Auth struct {
	OTPTTL      time.Duration
	OTPMaxTries int
	RefreshTTL  time.Duration
}

type Cart struct {
	TTL      time.Duration
	MaxItems int
}

type Checkout struct {
	SessionTTL     time.Duration
	DailyOrderCap  int
	ZoneCacheTTL   time.Duration
	SweepPageLimit int
	SweepMaxPages  int
}

type Search struct {
	SuggestTTL    time.Duration
	FlushInterval time.Duration
	MaxTerms      int
}

type RateLimit struct {
	Window time.Duration
	Max    int
}

type Orders struct {
	PageSize, HistoryCap int
}

// Config is the whole tree.
type Config struct {
	ListenAddr string
	Cloudflare Cloudflare
	Catalog    Catalog
	Auth       Auth
	Cart       Cart
	Checkout   Checkout
	Search     Search
	RateLimit  RateLimit
	Orders     Orders
}

// Default returns the production defaults.
func Default() Config {
	return Config{
		ListenAddr: ":8080",
		Catalog:    Catalog{EdgeTTL: 6 * time.Hour, PublishChunk: 5000, ReindexWorkers: 8},
		Auth: Auth{
			OTPTTL:      45 * time.Second, // EXPECT kvttl
			OTPMaxTries: 5,
			RefreshTTL:  30 * 24 * time.Hour,
		},
		Cart: Cart{TTL: 14 * 24 * time.Hour, MaxItems: 100},
		Checkout: Checkout{
			SessionTTL:     30 * time.Minute,
			DailyOrderCap:  20,
			ZoneCacheTTL:   12 * time.Hour,
			SweepPageLimit: 500,
			SweepMaxPages:  40,
		},
		Search:    Search{SuggestTTL: time.Hour, FlushInterval: time.Minute, MaxTerms: 20},
		RateLimit: RateLimit{Window: time.Minute, Max: 120},
		Orders:    Orders{PageSize: 50, HistoryCap: 64},
	}
}

// Load starts from Default and applies environment overrides.
func Load() (Config, error) {
	c := Default()
	c.Cloudflare = Cloudflare{
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		APIToken:    os.Getenv("CF_API_TOKEN"),
		NamespaceID: os.Getenv("KV_NAMESPACE_ID"),
		EdgeNSID:    os.Getenv("KV_EDGE_NAMESPACE_ID"),
	}
	if v := os.Getenv("LISTEN_ADDR"); v != "" {
		c.ListenAddr = v
	}
	for name, dst := range map[string]*time.Duration{
		"CART_TTL":          &c.Cart.TTL,
		"RATE_LIMIT_WINDOW": &c.RateLimit.Window,
		"CATALOG_EDGE_TTL":  &c.Catalog.EdgeTTL,
	} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return c, fmt.Errorf("%s: %w", name, err)
			}
			*dst = d
		}
	}
	if c.Cloudflare.AccountID == "" || c.Cloudflare.NamespaceID == "" {
		return c, fmt.Errorf("config: CF_ACCOUNT_ID and KV_NAMESPACE_ID are required")
	}
	if c.Cloudflare.EdgeNSID == "" {
		c.Cloudflare.EdgeNSID = c.Cloudflare.NamespaceID
	}
	return c, nil
}
