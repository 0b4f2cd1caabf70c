// Package config loads service configuration at startup. Defaults live in
// Defaults(); a handful of operational knobs can be overridden from the
// environment.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// ErrMissing is returned by Load when a required variable is unset.
var ErrMissing = errors.New("config: required variable missing")

type Config struct {
	AccountID  string
	APIToken   string
	Namespaces Namespaces
	Sessions   SessionConfig
	Holds      HoldConfig
	Waitlist   WaitlistConfig
	Reminders  ReminderConfig
	Export     ExportConfig
	HTTP       HTTPConfig
}

// Namespaces holds the KV namespace IDs, one per data family.
type Namespaces struct {
	Sessions  string
	Booking   string
	Reminders string
	Config    string
}

type SessionConfig struct {
	TTL        time.Duration
	RefreshTTL time.Duration
}

type HoldConfig struct {
	// TTL is how long a slot stays held while the patient completes checkout.
	TTL time.Duration
	// WriterBuffer is the size of the queue feeding the hold writer.
	WriterBuffer int
}

type WaitlistConfig struct {
	OfferWindow time.Duration
}

type ReminderConfig struct {
	Lease      time.Duration
	PageSize   int
	MaxPages   int
	DailyQuota int
}

type ExportConfig struct {
	PageSize    int
	MaxPages    int
	Concurrency int
}

type HTTPConfig struct {
	Addr           string
	RequestsPerMin int
}

// Defaults returns the configuration the service runs with when nothing is
// overridden.
func Defaults() Config {
	return Config{
		Sessions: SessionConfig{
			TTL:        time.Hour,
			RefreshTTL: 30 * 24 * time.Hour,
		},
		Holds: HoldConfig{
			TTL:          45 * time.Second, // EXPECT kvttl
			WriterBuffer: 64,
		},
		Waitlist: WaitlistConfig{
			OfferWindow: 2 * time.Hour,
		},
		Reminders: ReminderConfig{
			Lease:      2 * time.Minute,
			PageSize:   500,
			MaxPages:   20,
			DailyQuota: 2000,
		},
		Export: ExportConfig{
			PageSize:    1000,
			MaxPages:    50,
			Concurrency: 4,
		},
		HTTP: HTTPConfig{
			Addr:           ":8080",
			RequestsPerMin: 120,
		},
	}
}

// Load starts from Defaults and applies the environment.
func Load() (Config, error) {
	c := Defaults()
	var err error
	if c.AccountID, err = required("CF_ACCOUNT_ID"); err != nil {
		return c, err
	}
	if c.APIToken, err = required("CF_API_TOKEN"); err != nil {
		return c, err
	}
	c.Namespaces = Namespaces{
		Sessions:  os.Getenv("KV_SESSIONS_NS"),
		Booking:   os.Getenv("KV_BOOKING_NS"),
		Reminders: os.Getenv("KV_REMINDERS_NS"),
		Config:    os.Getenv("KV_CONFIG_NS"),
	}
	if c.Sessions.TTL, err = duration("SESSION_TTL", c.Sessions.TTL); err != nil {
		return c, err
	}
	if c.Sessions.RefreshTTL, err = duration("REFRESH_TTL", c.Sessions.RefreshTTL); err != nil {
		return c, err
	}
	if c.Waitlist.OfferWindow, err = duration("WAITLIST_OFFER_WINDOW", c.Waitlist.OfferWindow); err != nil {
		return c, err
	}
	if c.Export.MaxPages, err = integer("EXPORT_MAX_PAGES", c.Export.MaxPages); err != nil {
		return c, err
	}
	if v := os.Getenv("HTTP_ADDR"); v != "" {
		c.HTTP.Addr = v
	}
	return c, nil
}

func required(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("%w: %s", ErrMissing, name)
	}
	return v, nil
}

func duration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def, fmt.Errorf("config: %s: %w", name, err)
	}
	return d, nil
}

func integer(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, fmt.Errorf("config: %s: %w", name, err)
	}
	return n, nil
}
