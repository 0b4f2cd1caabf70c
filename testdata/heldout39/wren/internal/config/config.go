// Package config loads Wren's configuration. The edge Worker gets it from
// Worker vars, wrenadmin from a JSON file; both apply environment overrides.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"wren/internal/keys"
)

// Tenant is one restaurant group; every tenant has its own KV namespace.
type Tenant struct {
	ID          string `json:"id"`
	Binding     string `json:"binding"`      // Worker binding, e.g. KV_HARBOUR
	NamespaceID string `json:"namespace_id"` // for the REST API
}

type Menu struct {
	TTL          time.Duration
	CacheSeconds keys.Seconds // cacheTtl for table lookups
	LocalEntries int
	OriginURL    string
}

type Sessions struct {
	StaffTTL time.Duration
	IdleTTL  time.Duration
	Sliding  bool
}

type Kitchen struct {
	BoardTTL   time.Duration
	TicketTTL  time.Duration
	FlushEvery time.Duration
}

type Limits struct {
	OrdersPerWindow int
	Window          time.Duration
	PromoLimit      int
}

type Admin struct {
	AccountID string
	APIToken  string
	PageSize  int
}

// Config is the resolved configuration; it is passed by value.
type Config struct {
	Tenants  []Tenant
	Menu     Menu
	Sessions Sessions
	Kitchen  Kitchen
	Limits   Limits
	Admin    Admin
}

// raw is the JSON shape; durations are strings such as "15m".
type raw struct {
	Tenants   []Tenant          `json:"tenants"`
	Durations map[string]string `json:"durations"`
	Menu      struct {
		CacheSeconds int64  `json:"cache_seconds"`
		LocalEntries int    `json:"local_entries"`
		OriginURL    string `json:"origin_url"`
	} `json:"menu"`
	SlidingSessions bool   `json:"sliding_sessions"`
	OrdersPerWindow int    `json:"orders_per_window"`
	PromoLimit      int    `json:"promo_limit"`
	AccountID       string `json:"account_id"`
	PageSize        int    `json:"page_size"`
}

// FieldError reports a field that failed to parse.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("config %s: %v", e.Field, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// LoadFile reads a JSON file and applies overrides from the environment.
func LoadFile(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(b, os.Getenv)
}

// Parse decodes data (may be empty) and applies overrides from getenv.
func Parse(data []byte, getenv func(string) string) (Config, error) {
	var r raw
	if len(data) > 0 {
		if err := json.Unmarshal(data, &r); err != nil {
			return Config{}, fmt.Errorf("decode config: %w", err)
		}
	}
	c := Config{Tenants: r.Tenants}
	c.Menu = Menu{CacheSeconds: keys.Seconds(r.Menu.CacheSeconds), LocalEntries: r.Menu.LocalEntries, OriginURL: r.Menu.OriginURL}
	c.Sessions.Sliding = r.SlidingSessions
	c.Limits = Limits{OrdersPerWindow: r.OrdersPerWindow, PromoLimit: r.PromoLimit}
	c.Admin = Admin{AccountID: r.AccountID, APIToken: getenv("CLOUDFLARE_API_TOKEN"), PageSize: r.PageSize}
	if v := getenv("CLOUDFLARE_ACCOUNT_ID"); v != "" {
		c.Admin.AccountID = v
	}

	var errs []error
	for _, d := range []struct {
		name string
		env  string
		dst  *time.Duration
		def  time.Duration
	}{
		{"menu_ttl", "WREN_MENU_TTL", &c.Menu.TTL, 15 * time.Minute},
		{"staff_session", "WREN_STAFF_SESSION_TTL", &c.Sessions.StaffTTL, 10 * time.Hour},
		{"idle", "", &c.Sessions.IdleTTL, 45 * time.Minute},
		{"kds_board", "WREN_KDS_BOARD_TTL", &c.Kitchen.BoardTTL, 2 * time.Minute},
		{"kds_ticket", "", &c.Kitchen.TicketTTL, 18 * time.Hour},
		{"kds_flush", "", &c.Kitchen.FlushEvery, 5 * time.Second},
		{"limit_window", "WREN_LIMIT_WINDOW", &c.Limits.Window, time.Minute},
	} {
		s := r.Durations[d.name]
		if d.env != "" && getenv(d.env) != "" {
			s = getenv(d.env)
		}
		*d.dst = d.def
		if s == "" {
			continue
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			errs = append(errs, &FieldError{Field: d.name, Err: err})
			continue
		}
		*d.dst = v
	}
	if c.Menu.CacheSeconds == 0 {
		c.Menu.CacheSeconds = 300
	}
	if c.Menu.LocalEntries == 0 {
		c.Menu.LocalEntries = 256
	}
	if c.Limits.OrdersPerWindow == 0 {
		c.Limits.OrdersPerWindow = 20
	}
	if c.Limits.PromoLimit == 0 {
		c.Limits.PromoLimit = 100
	}
	if c.Admin.PageSize == 0 {
		c.Admin.PageSize = 1000
	}
	return c, errors.Join(errs...)
}

// TenantByID returns the tenant entry for id.
func (c Config) TenantByID(id string) (Tenant, bool) {
	for _, t := range c.Tenants {
		if t.ID == id {
			return t, true
		}
	}
	return Tenant{}, false
}
