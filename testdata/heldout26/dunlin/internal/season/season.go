// Package season serves the live season configuration to the API. The
// configuration is published by the admin tool; the API only reads it.
package season

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
)

// Store is the storage port of the season service.
type Store = kvstore.Store

// Config is the live season.
type Config struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	StartsAt    time.Time          `json:"starts_at"`
	EndsAt      time.Time          `json:"ends_at"`
	Playlists   []string           `json:"playlists"`
	Multipliers map[string]float64 `json:"multipliers"`
}

// Fallback is served when no season has been published yet.
func Fallback() Config {
	return Config{
		ID:          "preseason",
		Name:        "Preseason",
		Playlists:   []string{"casual", "quick"},
		Multipliers: map[string]float64{"xp": 1},
	}
}

// Service caches the season config in process and refreshes it periodically.
type Service struct {
	st      Store
	ks      keys.Space
	refresh time.Duration

	mu      sync.RWMutex
	current Config
	timer   *time.Timer
}

// New returns a season service; call SetStore and Start.
func New(ks keys.Space, refresh time.Duration) *Service {
	return &Service{ks: ks, refresh: refresh, current: Fallback()}
}

func (s *Service) SetStore(st Store) { s.st = st }

// Start loads the config and keeps it fresh until Stop.
func (s *Service) Start(ctx context.Context) error {
	if err := s.reload(ctx); err != nil {
		return err
	}
	var arm func()
	arm = func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.timer = time.AfterFunc(s.refresh, func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = s.reload(rctx)
			arm()
		})
	}
	arm()
	return nil
}

// Stop ends background refreshes.
func (s *Service) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timer.Stop()
}

func (s *Service) reload(ctx context.Context) error {
	raw, err := s.st.Get(ctx, s.ks.SeasonCurrent())
	cfg := Fallback()
	switch {
	case kvstore.IsNotFound(err):
		// Nothing published yet: keep serving the fallback.
	case err != nil:
		return fmt.Errorf("season: load: %w", err)
	default:
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return fmt.Errorf("season: decode: %w", err)
		}
	}
	s.mu.Lock()
	s.current = cfg
	s.mu.Unlock()
	return nil
}

// Current returns the cached season config.
func (s *Service) Current() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.current
}

// Bootstrap makes sure a fresh environment has a season document so that
// the admin tool has something to edit. It talks to the namespace directly
// because it runs before the services are wired.
func Bootstrap(ctx context.Context, api *cloudflare.API, accountID, namespaceID string, ks keys.Space) error {
	rc := cloudflare.AccountIdentifier(accountID)
	key := ks.SeasonCurrent()
	if _, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: namespaceID, Key: key}); err == nil { // EXPECT kvnull
		return nil
	}
	raw, err := json.Marshal(Fallback())
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: namespaceID, Key: key, Value: raw})
	return err
}
