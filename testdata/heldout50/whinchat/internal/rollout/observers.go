package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/whinchat/fleet/internal/kvstore"
)

// Subscriber is told about every published event.
type Subscriber interface {
	Notify(ctx context.Context, ev Event) error
}

// Publisher fans events out to its subscribers in registration order.
type Publisher struct {
	mu   sync.RWMutex
	subs []Subscriber
}

// Subscribe registers subscribers.
func (p *Publisher) Subscribe(s ...Subscriber) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subs = append(p.subs, s...)
}

// Publish notifies every subscriber and joins their errors; one failing
// subscriber does not stop the others.
func (p *Publisher) Publish(ctx context.Context, ev Event) error {
	p.mu.RLock()
	subs := p.subs
	p.mu.RUnlock()
	var errs []error
	for _, s := range subs {
		if err := s.Notify(ctx, ev); err != nil {
			errs = append(errs, fmt.Errorf("%T: %w", s, err))
		}
	}
	return errors.Join(errs...)
}

// AuditTrail keeps a plain-text history per device for the support console.
type AuditTrail struct {
	space kvstore.Space // audit/<tenant>/<device>
}

func NewAuditTrail(root kvstore.Space) AuditTrail { return AuditTrail{space: root.Scope("audit")} }

func (a AuditTrail) Notify(ctx context.Context, ev Event) error {
	line := fmt.Sprintf("%s %s\n", time.Now().UTC().Format(time.RFC3339), describe(ev))
	return a.space.Scope(ev.TenantID()).Mutate(ctx, ev.Device(), 90*24*time.Hour, func(old []byte) ([]byte, error) {
		return []byte(string(old) + line), nil
	})
}

// VersionStats tracks how many devices were assigned each firmware version.
type VersionStats struct {
	space kvstore.Space // stats/<tenant>/<version>/count
}

func NewVersionStats(root kvstore.Space) VersionStats {
	return VersionStats{space: root.Scope("stats")}
}

func (v VersionStats) Notify(ctx context.Context, ev Event) error {
	fa, ok := ev.(FirmwareAssigned)
	if !ok {
		return nil
	}
	ver := v.space.Scope(fa.Tenant, fa.Version)
	n := 0
	raw, err := ver.Get(ctx, "count")
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return ver.Put(ctx, "count", []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter|kvrace|kvhotkey
}

// LiveFeed keeps the most recent event for the operations wallboard.
type LiveFeed struct {
	space kvstore.Space // feed
}

func NewLiveFeed(root kvstore.Space) LiveFeed { return LiveFeed{space: root.Scope("feed")} }

func (f LiveFeed) Notify(ctx context.Context, ev Event) error {
	body, err := json.Marshal(map[string]string{
		"tenant": ev.TenantID(),
		"device": ev.Device(),
		"event":  describe(ev),
		"at":     time.Now().UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	return f.space.Put(ctx, "latest", body, 0) // DEBATABLE kvhotkey
}

func describe(ev Event) string {
	switch e := ev.(type) {
	case FirmwareAssigned:
		return fmt.Sprintf("firmware %s assigned on %s", e.Version, e.Channel)
	case InstallReported:
		return fmt.Sprintf("install %s attempt %d ok=%t", e.Version, e.Attempt, e.OK)
	case DeviceDecommissioned:
		return "decommissioned by " + e.By
	}
	return fmt.Sprintf("%T", ev)
}
