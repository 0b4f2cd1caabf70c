package main

import (
	"errors"
	"os"
	"strconv"
	"time"
)

type config struct {
	AccountID, NamespaceID, APIToken string
	Listen                           string
	SessionTTL                       time.Duration
	CatalogRefresh                   time.Duration
	WebhookDedupeTTL                 time.Duration
	StockWindow                      time.Duration
	CartTTLHours                     int
}

func loadConfig() (config, error) {
	c := config{
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		NamespaceID: os.Getenv("CF_KV_NAMESPACE_ID"),
		APIToken:    os.Getenv("CF_API_TOKEN"),
		Listen:      envOr("LISTEN_ADDR", ":8080"),
	}
	var errs []error
	for _, d := range []struct {
		into *time.Duration
		name string
		def  string
	}{
		{&c.SessionTTL, "SESSION_TTL", "12h"},
		{&c.CatalogRefresh, "CATALOG_REFRESH", "5m"},
		{&c.WebhookDedupeTTL, "WEBHOOK_DEDUPE_TTL", "48h"},
		{&c.StockWindow, "STOCK_WINDOW", "30s"},
	} {
		v, err := time.ParseDuration(envOr(d.name, d.def))
		errs = append(errs, err)
		*d.into = v
	}
	hours, err := strconv.Atoi(envOr("CART_TTL_HOURS", "72"))
	c.CartTTLHours = hours
	errs = append(errs, err)
	if c.AccountID == "" || c.NamespaceID == "" || c.APIToken == "" {
		errs = append(errs, errors.New("CF_ACCOUNT_ID, CF_KV_NAMESPACE_ID and CF_API_TOKEN are required"))
	}
	return c, errors.Join(errs...)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
