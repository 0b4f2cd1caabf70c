// Package config reads process configuration from the environment.
package config

import (
	"os"
	"strconv"
	"time"
)

// Config is the server configuration.
type Config struct {
	Addr, Issuer, RPID               string
	AccountID, NamespaceID, APIToken string
	DBDriver, DSN                    string
	SessionLifetime, RefreshLifetime time.Duration
	MonthlyQuota, AuditPageBudget    int
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// FromEnv loads the configuration.
func FromEnv() Config {
	c := Config{
		Addr: env("IDP_ADDR", ":8080"), Issuer: env("IDP_ISSUER", "https://id.example.com"), RPID: env("IDP_RP_ID", "example.com"),
		AccountID: os.Getenv("CF_ACCOUNT_ID"), NamespaceID: os.Getenv("CF_KV_NAMESPACE_ID"), APIToken: os.Getenv("CF_API_TOKEN"),
		DBDriver: env("IDP_DB_DRIVER", "pgx"), DSN: os.Getenv("IDP_DSN"),
		SessionLifetime: 12 * time.Hour, RefreshLifetime: 30 * 24 * time.Hour,
		MonthlyQuota: 100_000, AuditPageBudget: 50,
	}
	if d, err := time.ParseDuration(os.Getenv("IDP_SESSION_LIFETIME")); err == nil {
		c.SessionLifetime = d
	}
	if n, err := strconv.Atoi(os.Getenv("IDP_API_MONTHLY_QUOTA")); err == nil {
		c.MonthlyQuota = n
	}
	return c
}
