// Package config holds the tunables shared by the Worker and the backend.
package config

import (
	"fmt"
	"strconv"
	"time"
)

// Config is loaded once per isolate (Worker) or process (backend). It is
// small and passed by value so handlers can take a copy and adjust a field.
type Config struct {
	SearchTTL     time.Duration
	ItemTTL       time.Duration
	HoursTTL      time.Duration
	SessionTTL    time.Duration
	HoldTTL       time.Duration
	ReminderEvery time.Duration
	ReminderLead  time.Duration
	MaxHolds      int
	MaxEbookLoans int
	ListPageSize  int
	ListMaxPages  int
	AccountID     string
	NamespaceID   string
}

// Defaults are the production values; environment variables override them.
func Defaults() Config {
	return Config{
		SearchTTL:     10 * time.Minute,
		ItemTTL:       6 * time.Hour,
		HoursTTL:      time.Hour,
		SessionTTL:    12 * time.Hour,
		HoldTTL:       21 * 24 * time.Hour,
		ReminderEvery: 24 * time.Hour,
		ReminderLead:  48 * time.Hour,
		MaxHolds:      15,
		MaxEbookLoans: 5,
		ListPageSize:  500,
		ListMaxPages:  20,
	}
}

// Load reads overrides through get, which is os.Getenv on the backend and
// cloudflare.Getenv inside the Worker.
func Load(get func(string) string) (Config, error) {
	c := Defaults()
	for name, dst := range map[string]*time.Duration{
		"SEARCH_TTL": &c.SearchTTL, "ITEM_TTL": &c.ItemTTL, "HOURS_TTL": &c.HoursTTL,
		"SESSION_TTL": &c.SessionTTL, "HOLD_TTL": &c.HoldTTL,
		"REMINDER_EVERY": &c.ReminderEvery, "REMINDER_LEAD": &c.ReminderLead,
	} {
		if raw := get(name); raw != "" {
			v, err := time.ParseDuration(raw)
			if err != nil {
				return c, fmt.Errorf("config %s: %w", name, err)
			}
			*dst = v
		}
	}
	for name, dst := range map[string]*int{
		"MAX_HOLDS": &c.MaxHolds, "MAX_EBOOK_LOANS": &c.MaxEbookLoans,
		"LIST_PAGE_SIZE": &c.ListPageSize, "LIST_MAX_PAGES": &c.ListMaxPages,
	} {
		if raw := get(name); raw != "" {
			v, err := strconv.Atoi(raw)
			if err != nil {
				return c, fmt.Errorf("config %s: %w", name, err)
			}
			*dst = v
		}
	}
	c.AccountID = get("CF_ACCOUNT_ID")
	c.NamespaceID = get("CF_KV_NAMESPACE_ID")
	return c, nil
}

// SearchSeconds is the search cache lifetime in whole seconds.
func (c Config) SearchSeconds() int { return int(c.SearchTTL.Seconds()) }

// HoldExpiry is when a hold placed at t lapses if it is never filled.
func (c Config) HoldExpiry(t time.Time) time.Time { return t.Add(c.HoldTTL) }

// NextReminder returns when the overdue reminder for a loan due at due
// goes out.
func (c Config) NextReminder(due time.Time) time.Time { return due.Add(-c.ReminderLead) }

// PageSize clamps the configured page size to what KV returns per page.
func (c Config) PageSize() int {
	if c.ListPageSize <= 0 || c.ListPageSize > 1000 {
		return 1000
	}
	return c.ListPageSize
}
