// Package config loads the backend configuration from the environment once.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Namespaces are the Workers KV namespace ids the backend talks to.
type Namespaces struct {
	Tickets   string
	Sessions  string
	GiftCards string
	Pledges   string
	Members   string
}

// Config is the backend configuration.
type Config struct {
	// Backend selects the storage implementation: "kv" or "memory".
	Backend    string
	AccountID  string
	APIToken   string
	Addr       string
	Namespaces Namespaces

	// ReminderLead is how long before a pledge's due date the reminder fires.
	ReminderLead time.Duration
	// SessionLifetime bounds a member session.
	SessionLifetime time.Duration
	// SweepEvery is the period of the background jobs.
	SweepEvery time.Duration
}

func (c *Config) validate() error {
	if c.Backend == "kv" && (c.AccountID == "" || c.APIToken == "") {
		return errors.New("config: CF_ACCOUNT_ID and CF_API_TOKEN are required for the kv backend")
	}
	return nil
}

func env(name, def string) string {
	return cmp.Or(os.Getenv(name), def)
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	return d, nil
}

func load() (*Config, error) {
	c := &Config{
		Backend:   env("HERON_BACKEND", "memory"),
		AccountID: os.Getenv("CF_ACCOUNT_ID"),
		APIToken:  os.Getenv("CF_API_TOKEN"),
		Addr:      env("HERON_ADDR", ":8080"),
		Namespaces: Namespaces{
			Tickets:   env("HERON_NS_TICKETS", "tickets"),
			Sessions:  env("HERON_NS_SESSIONS", "sessions"),
			GiftCards: env("HERON_NS_GIFTCARDS", "giftcards"),
			Pledges:   env("HERON_NS_PLEDGES", "pledges"),
			Members:   env("HERON_NS_MEMBERS", "members"),
		},
	}
	var err error
	var errs []error
	if c.ReminderLead, err = envDuration("HERON_REMINDER_LEAD", 72*time.Hour); err != nil {
		errs = append(errs, err)
	}
	if c.SessionLifetime, err = envDuration("HERON_SESSION_LIFETIME", 12*time.Hour); err != nil {
		errs = append(errs, err)
	}
	if c.SweepEvery, err = envDuration("HERON_SWEEP_EVERY", 5*time.Minute); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, c.validate()
}

// Load returns the process configuration, reading the environment on the
// first call only.
var Load = sync.OnceValues(load)
