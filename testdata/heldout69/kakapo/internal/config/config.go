// Package config is the auction API's configuration, loaded from
// etc/kakapo-api.yaml by conf.MustLoad.
package config

import (
	"time"

	"github.com/zeromicro/go-zero/rest"
)

// Config is the API service configuration.
type Config struct {
	rest.RestConf

	Cloudflare struct {
		AccountID string
		APIToken  string `json:",env=CF_API_TOKEN"`
	}
	Namespaces struct {
		Lots     string
		Sessions string
		Bidders  string
		Tickets  string
	}

	// CatalogURL is the PocketBase admin that owns lots, bids and users.
	CatalogURL string `json:",default=http://127.0.0.1:8090"`

	LotCacheTTL     time.Duration `json:",default=5m"`
	SessionTTL      time.Duration `json:",default=720h"`
	CheckoutTTL     time.Duration `json:",default=30m"`
	OTPTTL          time.Duration `json:",default=10m"`
	MaxBidsPerMin   int64         `json:",default=20"`
	DailyCapCents   int64         `json:",default=500000"`
	SimilarLotsSize int           `json:",default=8"`
}
