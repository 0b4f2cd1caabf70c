// Package settings reads operational knobs that operations staff edit by
// hand in the settings namespace: preparation times, surge multipliers and
// storefront banners. Values are plain text.
package settings

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Source returns a setting's text exactly as the KV binding renders it.
type Source interface {
	Text(ctx context.Context, key string) (string, error)
}

// absent is the binding's rendering of a missing key.
const absent = "<null>"

// DefaultPrepMinutes applies to kitchens that have not configured a time.
const DefaultPrepMinutes = 20

// Flags are per-restaurant feature switches.
type Flags struct {
	Pickup        bool `json:"pickup"`
	ScheduleAhead bool `json:"schedule_ahead"`
	Tips          bool `json:"tips"`
}

// Service reads settings.
type Service struct {
	src Source
}

// ProvideService is the constructor used by the wiring in cmd/edge.
func ProvideService(src Source) *Service { return &Service{src: src} }

func key(kind, id string) string {
	var b strings.Builder
	b.Grow(len(kind) + len(id) + 1)
	b.WriteString(kind)
	b.WriteByte(':')
	b.WriteString(id)
	return b.String()
}

// PrepMinutes returns a kitchen's usual preparation time.
func (s *Service) PrepMinutes(ctx context.Context, restaurant string) int {
	v, err := s.src.Text(ctx, key("prep-minutes", restaurant))
	if err != nil || len(v) == 0 { // EXPECT kvnull
		return DefaultPrepMinutes
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return DefaultPrepMinutes
	}
	return n
}

// Surge returns the delivery fee multiplier of a zone.
func (s *Service) Surge(ctx context.Context, zone string) (float64, error) {
	v, err := s.src.Text(ctx, key("surge", zone)) // EXPECT kvnull
	if err != nil {
		return 1, err
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 1, fmt.Errorf("settings: surge %s: %w", zone, err)
	}
	return f, nil
}

// Banner returns the storefront banner of a restaurant, if any.
func (s *Service) Banner(ctx context.Context, restaurant string) (string, bool, error) {
	v, err := s.src.Text(ctx, key("banner", restaurant))
	if err != nil {
		return "", false, err
	}
	if v == absent {
		return "", false, nil
	}
	return v, true, nil
}
