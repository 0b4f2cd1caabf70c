// Package config loads the backend's settings from the environment.
package config

import (
	"cmp"
	"errors"
	"os"
	"sync"
	"time"
)

// Config is the backend's settings.
type Config struct {
	Backend      string // "kv" or "memory"
	AccountID    string
	NamespaceID  string
	TokensNS     string
	Addr         string
	EdgeToken    string
	ListPageSize int
	InviteTTL    time.Duration
	RemindEvery  time.Duration
}

// Default returns the settings used when nothing is configured.
func Default() Config {
	return Config{
		Backend:      "kv",
		Addr:         ":8080",
		ListPageSize: 2000,             // EXPECT kvlimits
		InviteTTL:    30 * time.Second, // EXPECT kvttl
		RemindEvery:  time.Hour,
	}
}

// Load reads the environment once.
var Load = sync.OnceValues(func() (*Config, error) {
	c := Default()
	c.Backend = cmp.Or(os.Getenv("PLOVER_BACKEND"), c.Backend)
	c.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.NamespaceID = os.Getenv("PLOVER_KV_NAMESPACE")
	c.TokensNS = cmp.Or(os.Getenv("PLOVER_TOKENS_NAMESPACE"), c.NamespaceID)
	c.Addr = cmp.Or(os.Getenv("PLOVER_ADDR"), c.Addr)
	c.EdgeToken = os.Getenv("PLOVER_EDGE_TOKEN")
	if c.Backend == "kv" && (c.AccountID == "" || c.NamespaceID == "") {
		return nil, errors.New("config: CF_ACCOUNT_ID and PLOVER_KV_NAMESPACE are required for the kv backend")
	}
	return &c, nil
})
