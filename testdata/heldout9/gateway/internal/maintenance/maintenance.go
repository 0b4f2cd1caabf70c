// Package maintenance controls the flags the edge worker checks before
// forwarding a request: global switches, per-route drains and scheduled
// windows.
package maintenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/repo"
	"example.com/gateway/internal/store"
)

// Flag is one named switch.
type Flag struct {
	On      bool      `json:"on"`
	Message string    `json:"message,omitempty"`
	SetBy   string    `json:"set_by,omitempty"`
	SetAt   time.Time `json:"set_at"`
}

// Heartbeat is refreshed by the deploy pipeline while a deploy runs; the
// worker serves the "deploy in progress" banner while it exists.
type Heartbeat struct {
	Pipeline string    `json:"pipeline"`
	Stage    string    `json:"stage"`
	At       time.Time `json:"at"`
}

func (h Heartbeat) Key() string { return h.Pipeline }

// Service embeds the store it writes flags to.
type Service struct {
	store.Store
	ns         cfkv.Namespace
	heartbeats *repo.Repo[Heartbeat]
}

// New wires a Service. st is usually the cached store.
func New(st store.Store, ns cfkv.Namespace) *Service {
	return &Service{
		Store: st,
		ns:    ns,
		heartbeats: repo.New[Heartbeat](st, keys.MaintPrefix+"deploy:",
			repo.WithDefaultTTL(45*time.Second), // EXPECT kvttl
		),
	}
}

func (s *Service) load(ctx context.Context) (map[string]Flag, error) {
	raw, err := s.Get(ctx, keys.MaintFlags)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]Flag{}, nil
	}
	if err != nil {
		return nil, err
	}
	flags := map[string]Flag{}
	if err := json.Unmarshal(raw, &flags); err != nil {
		return nil, fmt.Errorf("decode flags: %w", err)
	}
	return flags, nil
}

// Flags returns every switch.
func (s *Service) Flags(ctx context.Context) (map[string]Flag, error) { return s.load(ctx) }

// Set turns one switch on or off.
func (s *Service) Set(ctx context.Context, name string, f Flag) error {
	flags, err := s.load(ctx)
	if err != nil {
		return err
	}
	f.SetAt = time.Now().UTC()
	flags[name] = f
	b, err := json.Marshal(flags)
	if err != nil {
		return err
	}
	return s.Put(ctx, keys.MaintFlags, b) // EXPECT kvrace
}

// Beat records a deploy heartbeat.
func (s *Service) Beat(ctx context.Context, pipeline, stage string) error {
	return s.heartbeats.Save(ctx, Heartbeat{Pipeline: pipeline, Stage: stage, At: time.Now().UTC()})
}

// Drain puts each of a tenant's routes into maintenance for a few hours.
func (s *Service) Drain(ctx context.Context, tenant string, routeIDs []string, msg string) error {
	b, _ := json.Marshal(Flag{On: true, Message: msg, SetAt: time.Now().UTC()})
	for _, id := range routeIDs {
		k := keys.New("maint").With("route", tenant, id).String()
		if err := s.Put(ctx, k, b, store.WithTTL(4*time.Hour)); err != nil {
			return fmt.Errorf("drain %s: %w", id, err)
		}
	}
	return nil
}

// Window is a scheduled maintenance window.
type Window struct {
	ID      string    `json:"id"`
	Message string    `json:"message"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// Schedule publishes a window; the record disappears by itself when the
// window ends.
func (s *Service) Schedule(ctx context.Context, w Window) error {
	b, err := json.Marshal(w)
	if err != nil {
		return err
	}
	_, err = s.ns.Values().Update(ctx, s.ns.ID, keys.MaintPrefix+"window:"+w.ID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.ns.AccountID),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(w.End.UnixMilli())), // EXPECT kvttl
	})
	return err
}
