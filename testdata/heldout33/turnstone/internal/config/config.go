// Package config loads turnstone's configuration: defaults, then a JSON
// file, then TURNSTONE_* environment variables.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Duration is a time.Duration that reads from JSON as a Go duration string
// such as "90s", "15m" or "720h".
type Duration struct{ time.Duration }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string like \"90s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	d.Duration = v
	return nil
}

// Config is the whole service configuration.
type Config struct {
	Listen    string `json:"listen"`
	PublicURL string `json:"public_url"`
	Database  struct {
		Driver string `json:"driver"`
		DSN    string `json:"dsn"`
	} `json:"database"`
	Cloudflare struct {
		AccountID  string     `json:"account_id"`
		APIToken   string     `json:"-"`
		Namespaces Namespaces `json:"namespaces"`
	} `json:"cloudflare"`
	TTL       TTLs      `json:"ttl"`
	Limits    Limits    `json:"limits"`
	Intervals Intervals `json:"intervals"`
	Dunning   struct {
		Backoff     []Duration `json:"backoff"`
		MaxAttempts int        `json:"max_attempts"`
	} `json:"dunning"`
	Webhooks struct {
		Timeout     Duration `json:"timeout"`
		MaxAttempts int      `json:"max_attempts"`
		LeaseTTL    Duration `json:"lease_ttl"`
	} `json:"webhooks"`
}

// Namespaces are the KV namespace IDs shared with the edge Worker.
type Namespaces struct {
	Links    string `json:"links"`
	Portal   string `json:"portal"`
	Invoices string `json:"invoices"`
	Webhooks string `json:"webhooks"`
	Exports  string `json:"exports"`
	Edge     string `json:"edge"`
}

// TTLs are the lifetimes of the entries the service writes.
type TTLs struct {
	PaymentLink   Duration `json:"payment_link"`
	CheckoutToken Duration `json:"checkout_token"`
	MagicLink     Duration `json:"magic_link"`
	Session       Duration `json:"session"`
	InvoiceStatus Duration `json:"invoice_status"`
	Branding      Duration `json:"branding"`
	DeliveryState Duration `json:"delivery_state"`
	ExportLink    Duration `json:"export_link"`
}

// Limits are sizes and budgets.
type Limits struct {
	ListPageSize     int `json:"list_page_size"`
	MaxListPages     int `json:"max_list_pages"`
	FanOut           int `json:"fan_out"`
	LinkRequestsPerM int `json:"link_requests_per_minute"`
	LoginAttempts    int `json:"login_attempts"`
}

// Intervals drive the background loops.
type Intervals struct {
	StatusFlush   Duration `json:"status_flush"`
	ViewFlush     Duration `json:"view_flush"`
	DunningScan   Duration `json:"dunning_scan"`
	DeliveryFlush Duration `json:"delivery_flush"`
	EdgePublish   Duration `json:"edge_publish"`
}

// Default returns the built-in configuration.
func Default() Config {
	var c Config
	c.Listen = ":8080"
	c.Database.Driver = "pgx"
	c.TTL = TTLs{
		PaymentLink:   Duration{30 * 24 * time.Hour},
		CheckoutToken: Duration{20 * time.Minute},
		MagicLink:     Duration{15 * time.Minute},
		Session:       Duration{12 * time.Hour},
		InvoiceStatus: Duration{6 * time.Hour},
		Branding:      Duration{time.Hour},
		DeliveryState: Duration{72 * time.Hour},
		ExportLink:    Duration{time.Hour},
	}
	c.Limits = Limits{ListPageSize: 1000, MaxListPages: 20, FanOut: 8, LinkRequestsPerM: 120, LoginAttempts: 5}
	c.Intervals = Intervals{
		StatusFlush:   Duration{5 * time.Second},
		ViewFlush:     Duration{time.Minute},
		DunningScan:   Duration{5 * time.Minute},
		DeliveryFlush: Duration{10 * time.Second},
		EdgePublish:   Duration{2 * time.Minute},
	}
	c.Dunning.Backoff = []Duration{{24 * time.Hour}, {72 * time.Hour}, {7 * 24 * time.Hour}}
	c.Dunning.MaxAttempts = 4
	c.Webhooks.Timeout = Duration{10 * time.Second}
	c.Webhooks.MaxAttempts = 6
	return c
}

// Load reads path (if not empty) over the defaults and applies environment
// overrides.
func Load(path string) (*Config, error) {
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	cfg.Cloudflare.APIToken = os.Getenv("TURNSTONE_CF_API_TOKEN")
	if v := os.Getenv("TURNSTONE_CF_ACCOUNT_ID"); v != "" {
		cfg.Cloudflare.AccountID = v
	}
	if v := os.Getenv("TURNSTONE_DATABASE_DSN"); v != "" {
		cfg.Database.DSN = v
	}
	overrides := []struct {
		env string
		dst *Duration
		def string
	}{
		{"TURNSTONE_SESSION_TTL", &cfg.TTL.Session, ""},
		{"TURNSTONE_MAGIC_LINK_TTL", &cfg.TTL.MagicLink, ""},
		{"TURNSTONE_CHECKOUT_TOKEN_TTL", &cfg.TTL.CheckoutToken, ""},
		{"TURNSTONE_STATUS_FLUSH", &cfg.Intervals.StatusFlush, ""},
		{"TURNSTONE_WEBHOOK_LEASE_TTL", &cfg.Webhooks.LeaseTTL, "45s"},
	}
	for _, o := range overrides {
		v, err := envDuration(o.env, o.def)
		if err != nil {
			return nil, err
		}
		if v > 0 {
			o.dst.Duration = v
		}
	}
	if cfg.Cloudflare.AccountID == "" || cfg.Cloudflare.APIToken == "" {
		return nil, fmt.Errorf("config: cloudflare account id and api token are required")
	}
	return &cfg, nil
}

// envDuration parses the environment variable name, falling back to def.
func envDuration(name, def string) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		v = def
	}
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
