// Package config reads wharf's settings from the Worker's environment.
package config

import (
	"cmp"
	"strconv"
	"time"
)

// Config is the runtime configuration of the waiting-room Worker.
type Config struct {
	// Binding names from wrangler.toml. The room counter is the Durable
	// Object that keeps authoritative admission counters per drop.
	KVBinding, D1Binding, RoomCounterBinding string

	TicketTTL         time.Duration
	AdmissionTTL      time.Duration
	HoldTTL           time.Duration
	PresenceInterval  time.Duration
	DropCacheTTL      time.Duration
	StickyAssignment  time.Duration
	MaxJoinsPerMinute int
	RosterPageBudget  int
	SweepKeyBudget    int
}

// Getenv looks up one environment variable; "" means unset.
type Getenv func(string) string

// Load builds a Config, falling back to defaults for anything unset or
// malformed.
func Load(getenv Getenv) Config {
	return Config{
		KVBinding:          cmp.Or(getenv("WHARF_KV"), "WHARF_KV"),
		D1Binding:          cmp.Or(getenv("WHARF_DB"), "WHARF_DB"),
		RoomCounterBinding: cmp.Or(getenv("WHARF_ROOM_COUNTER"), "ROOM_COUNTER"),

		TicketTTL:         cmp.Or(duration(getenv, "TICKET_TTL"), 6*time.Hour),
		AdmissionTTL:      cmp.Or(duration(getenv, "ADMISSION_TTL"), 10*time.Minute),
		HoldTTL:           cmp.Or(duration(getenv, "HOLD_TTL"), 8*time.Minute),
		PresenceInterval:  cmp.Or(duration(getenv, "PRESENCE_INTERVAL"), 20*time.Second),
		DropCacheTTL:      cmp.Or(duration(getenv, "DROP_CACHE_TTL"), 5*time.Minute),
		StickyAssignment:  cmp.Or(duration(getenv, "STICKY_ASSIGNMENT"), 14*24*time.Hour),
		MaxJoinsPerMinute: cmp.Or(integer(getenv, "MAX_JOINS_PER_MINUTE"), 6),
		RosterPageBudget:  min(cmp.Or(integer(getenv, "ROSTER_PAGE_BUDGET"), 4), 20),
		SweepKeyBudget:    min(cmp.Or(integer(getenv, "SWEEP_KEY_BUDGET"), 5000), 20000),
	}
}

func duration(getenv Getenv, name string) time.Duration {
	d, err := time.ParseDuration(getenv(name))
	if err != nil || d < 0 {
		return 0
	}
	return d
}

func integer(getenv Getenv, name string) int {
	n, err := strconv.Atoi(getenv(name))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
