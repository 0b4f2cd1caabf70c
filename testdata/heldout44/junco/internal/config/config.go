// Package config holds the settings shared by the Worker and the backend.
package config

import (
	"fmt"
	"strconv"
	"time"
)

// TTLs are the lifetimes of the KV records the service writes.
type TTLs struct {
	Hold         time.Duration
	HostSession  time.Duration
	SMSCode      time.Duration
	Availability time.Duration
	Menu         time.Duration
	Deposit      time.Duration
}

// Config is passed by value; helpers return modified copies.
type Config struct {
	RestaurantID string
	AccountID    string
	NamespaceID  string
	APIToken     string
	OriginURL    string
	TTL          TTLs
	HoldWindow   time.Duration
	MaxListPages int
	MaxLoginFail int
}

// Defaults returns the production defaults.
func Defaults() Config {
	return Config{
		TTL: TTLs{
			Hold:         10 * time.Minute,
			HostSession:  12 * time.Hour,
			SMSCode:      10 * time.Minute,
			Availability: 2 * time.Minute,
			Menu:         time.Hour,
			Deposit:      72 * time.Hour,
		},
		HoldWindow:   15 * time.Minute,
		MaxListPages: 20,
		MaxLoginFail: 5,
	}
}

// FromEnv overlays the defaults with values from getenv.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Defaults()
	c.RestaurantID = getenv("JUNCO_RESTAURANT")
	c.AccountID = getenv("CF_ACCOUNT_ID")
	c.NamespaceID = getenv("CF_KV_NAMESPACE")
	c.APIToken = getenv("CF_API_TOKEN")
	c.OriginURL = getenv("JUNCO_ORIGIN")
	durations := map[string]*time.Duration{
		"JUNCO_HOLD_TTL":    &c.TTL.Hold,
		"JUNCO_SESSION_TTL": &c.TTL.HostSession,
		"JUNCO_AVAIL_TTL":   &c.TTL.Availability,
		"JUNCO_MENU_TTL":    &c.TTL.Menu,
		"JUNCO_HOLD_WINDOW": &c.HoldWindow,
	}
	for name, dst := range durations {
		v := getenv(name)
		if v == "" {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("%s: %w", name, err)
		}
		*dst = d
	}
	if v := getenv("JUNCO_MAX_LIST_PAGES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("JUNCO_MAX_LIST_PAGES: %w", err)
		}
		c.MaxListPages = n
	}
	return c, nil
}

// ForRestaurant returns a copy of c scoped to one restaurant.
func (c Config) ForRestaurant(id string) Config {
	c.RestaurantID = id
	return c
}

// HoldDeadline is the moment a hold for slot stops being useful.
func (c Config) HoldDeadline(slot time.Time) time.Time {
	return slot.Add(-c.HoldWindow)
}

// Seconds converts d to the whole seconds KV expects.
func (t TTLs) Seconds(d time.Duration) int { return int(d / time.Second) }
