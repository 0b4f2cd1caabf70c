// Package config holds the settings that the edge worker and the backend read
// once at start-up. Both sides pass their own lookup function: os.Getenv on the
// backend, cloudflare.Getenv in the worker.
package config

import (
	"fmt"
	"strconv"
	"time"
)

// Settings are the tunables shared by the edge worker and the backend jobs.
type Settings struct {
	// SessionTTL is how long a sign-in lasts (SESSION_TTL).
	SessionTTL time.Duration
	// HoldTTL is how long a booking hold keeps a slot for a student (HOLD_TTL).
	HoldTTL time.Duration
	// SearchCacheTTL is the lifetime of cached search pages (SEARCH_CACHE_TTL).
	SearchCacheTTL time.Duration
	// ProfileCacheTTL is the lifetime of cached tutor profiles (PROFILE_CACHE_TTL).
	ProfileCacheTTL time.Duration
	// PreviewTTL is the lifetime of type-ahead previews (PREVIEW_TTL).
	PreviewTTL time.Duration
	// EdgeCacheTTL is the cacheTtl, in seconds, for hot reads (EDGE_CACHE_TTL).
	EdgeCacheTTL int
	// MaxListPages bounds every paginated scan (MAX_LIST_PAGES).
	MaxListPages int
	// RefreshEvery is how old a snapshot may get before a refresh starts (REFRESH_EVERY).
	RefreshEvery time.Duration
	// ReminderLead is how long before a lesson its reminder goes out (REMINDER_LEAD).
	ReminderLead time.Duration
	// APIBase is the origin API the edge reads through to (API_BASE).
	APIBase string
}

// Load parses the settings with getenv, applying defaults for unset values.
func Load(getenv func(string) string) (Settings, error) {
	var s Settings
	var err error
	if s.SessionTTL, err = duration(getenv, "SESSION_TTL", 14*24*time.Hour); err != nil {
		return s, err
	}
	if s.HoldTTL, err = duration(getenv, "HOLD_TTL", 10*time.Minute); err != nil {
		return s, err
	}
	if s.HoldTTL < time.Minute {
		return s, fmt.Errorf("config: HOLD_TTL %s is below one minute", s.HoldTTL)
	}
	if s.SearchCacheTTL, err = duration(getenv, "SEARCH_CACHE_TTL", 5*time.Minute); err != nil {
		return s, err
	}
	if s.ProfileCacheTTL, err = duration(getenv, "PROFILE_CACHE_TTL", 30*time.Minute); err != nil {
		return s, err
	}
	if s.PreviewTTL, err = duration(getenv, "PREVIEW_TTL", 30*time.Second); err != nil {
		return s, err
	}
	if s.RefreshEvery, err = duration(getenv, "REFRESH_EVERY", 2*time.Minute); err != nil {
		return s, err
	}
	if s.ReminderLead, err = duration(getenv, "REMINDER_LEAD", 2*time.Hour); err != nil {
		return s, err
	}
	if s.EdgeCacheTTL, err = integer(getenv, "EDGE_CACHE_TTL", 300); err != nil {
		return s, err
	}
	if s.MaxListPages, err = integer(getenv, "MAX_LIST_PAGES", 20); err != nil {
		return s, err
	}
	if s.MaxListPages <= 0 {
		s.MaxListPages = 20
	}
	s.APIBase = getenv("API_BASE")
	if s.APIBase == "" {
		s.APIBase = "https://api.tutorloop.example"
	}
	return s, nil
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	return d, nil
}

func integer(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	return n, nil
}
