// Package config holds the edge and backend configuration documents.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Duration reads "90s" / "15m" strings or a number of seconds from JSON.
type Duration time.Duration

func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		p, err := time.ParseDuration(v)
		*d = Duration(p)
		return err
	case float64:
		*d = Duration(v * float64(time.Second))
		return nil
	}
	return fmt.Errorf("config: duration must be a string or seconds, got %s", b)
}

type Edge struct {
	KeyPrefix     string   `json:"key_prefix"`
	FeedCacheTTL  Duration `json:"feed_cache_ttl"`
	SessionIdle   Duration `json:"session_idle"`
	SessionMax    Duration `json:"session_max"`
	RateLimiter   string   `json:"rate_limiter"` // "kv" or "memory"
	RatePerMinute int      `json:"rate_per_minute"`
	PresenceEvery Duration `json:"presence_every"`
	DraftLifetime Duration `json:"draft_lifetime"`
}

// DefaultEdge is used for every field the document leaves out.
func DefaultEdge() Edge {
	return Edge{
		KeyPrefix:     "avo:",
		FeedCacheTTL:  Duration(10 * time.Minute),
		SessionIdle:   Duration(2 * time.Hour),
		SessionMax:    Duration(30 * 24 * time.Hour),
		RateLimiter:   "memory",
		RatePerMinute: 120,
		PresenceEvery: Duration(30 * time.Second),
		DraftLifetime: Duration(7 * 24 * time.Hour),
	}
}

// ParseEdge reads a JSON document (possibly empty) over the defaults.
func ParseEdge(raw string) (Edge, error) {
	cfg := DefaultEdge()
	if raw == "" {
		return cfg, nil
	}
	return cfg, json.Unmarshal([]byte(raw), &cfg)
}

type Backend struct {
	AccountID     string   `json:"account_id"`
	NamespaceID   string   `json:"namespace_id"`
	Listen        string   `json:"listen"`
	RollupEvery   Duration `json:"rollup_every"`
	RollupKeep    Duration `json:"rollup_keep"`
	WarehouseURL  string   `json:"warehouse_url"`
	TokenEndpoint string   `json:"token_endpoint"`
	ClientID      string   `json:"client_id"`
	ClientSecret  string   `json:"-"`
}

// DefaultBackend is used for every field the document leaves out.
func DefaultBackend() Backend {
	return Backend{Listen: ":8080", RollupEvery: Duration(15 * time.Minute), RollupKeep: Duration(400 * 24 * time.Hour)}
}

// LoadBackend reads the JSON file named by AVOCET_BACKEND_CONFIG over the
// defaults and the client secret from the environment.
func LoadBackend() (Backend, error) {
	cfg := DefaultBackend()
	raw, err := os.ReadFile(os.Getenv("AVOCET_BACKEND_CONFIG"))
	if err == nil {
		err = json.Unmarshal(raw, &cfg)
	}
	if err == nil && (cfg.AccountID == "" || cfg.NamespaceID == "") {
		err = fmt.Errorf("account_id and namespace_id are required")
	}
	cfg.ClientSecret = os.Getenv("AVOCET_CLIENT_SECRET")
	return cfg, err
}
