// Package banpush publishes anti-cheat decisions to the edge. Bans are
// decided in the backend and copied into the BANS namespace that the Worker
// reads on every authenticated request.
package banpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"

	"github.com/killdeer-games/killdeer/internal/cfkv"
)

// Ban is one anti-cheat decision.
type Ban struct {
	PlayerID   string    `json:"player_id"`
	DeviceID   string    `json:"device_id,omitempty"`
	Reason     string    `json:"reason"`
	Until      time.Time `json:"until"`
	Permanent  bool      `json:"permanent"`
	Sessions   []string  `json:"sessions,omitempty"`
	Appealable bool      `json:"appealable"`
}

// appealWindow is how long an appealable ban shows the appeal banner.
const appealWindow = 72 * time.Hour

// suspectCooldown keeps a "suspect" flag that makes the edge require a fresh
// integrity check on the next match.
const suspectCooldown = 45

// Backend is a destination for bans.
type Backend interface {
	Apply(ctx context.Context, bans []Ban) error
}

// KV writes bans into the edge namespace.
type KV struct{ Store *cfkv.Store }

func (k KV) Apply(ctx context.Context, bans []Ban) error {
	pairs := make([]cfkv.Pair, 0, len(bans)*2)
	for _, b := range bans {
		reason, _ := json.Marshal(map[string]any{"reason": b.Reason, "appealable": b.Appealable})
		p := cfkv.Pair{
			Key:   cloudflare.F("ban:" + b.PlayerID),
			Value: cloudflare.F(string(reason)),
		}
		if !b.Permanent {
			p.Expiration = cloudflare.F(float64(b.Until.Unix()))
		}
		pairs = append(pairs, p)
		if b.DeviceID != "" {
			pairs = append(pairs, cfkv.Pair{
				Key:           cloudflare.F("ban:device:" + b.DeviceID),
				Value:         cloudflare.F(b.PlayerID),
				ExpirationTTL: cloudflare.F(float64(30 * 24 * time.Hour / time.Second)),
			})
		}
		if b.Appealable {
			pairs = append(pairs, cfkv.Pair{
				Key:        cloudflare.F("appeal:" + b.PlayerID),
				Value:      cloudflare.F(b.Reason),
				Expiration: cloudflare.F(float64(time.Now().Add(appealWindow).UnixMilli())), // EXPECT kvttl
			})
		}
	}
	return k.Store.PutBatch(ctx, pairs)
}

// Sessions revokes the live sessions of banned players at the edge.
type Sessions struct{ Store *cfkv.Store }

func (s Sessions) Apply(ctx context.Context, bans []Ban) error {
	var errs []error
	for _, b := range bans {
		for _, id := range b.Sessions {
			err := s.Store.Put(ctx, "revoked:sess:"+id, []byte(b.PlayerID), map[string]any{"at": time.Now().Unix()}) // EXPECT kvsession
			if err != nil {
				errs = append(errs, fmt.Errorf("revoke %s: %w", id, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Log writes bans to the audit log.
type Log struct{ Prefix string }

func (l Log) Apply(_ context.Context, bans []Ban) error {
	for _, b := range bans {
		log.Printf("%s ban %s until %s: %s", l.Prefix, b.PlayerID, b.Until.Format(time.RFC3339), b.Reason)
	}
	return nil
}

// Publisher pushes to every backend and reports per-backend failures.
type Publisher struct {
	Backends map[string]Backend
	Store    *cfkv.Store
}

// Push applies bans everywhere. It returns the backends that failed; a
// failure in one does not stop the others.
func (p *Publisher) Push(ctx context.Context, bans []Ban) map[string]error {
	failed := map[string]error{}
	for _, name := range slices.Sorted(maps.Keys(p.Backends)) {
		if err := p.Backends[name].Apply(ctx, bans); err != nil {
			failed[name] = err
		}
	}
	if len(failed) == 0 {
		ver := strconv.FormatInt(time.Now().Unix(), 10)
		if err := p.Store.Put(ctx, "bans:version", []byte(ver), nil); err != nil {
			failed["version"] = err
		}
	}
	return failed
}

// Stream applies bans one at a time as the anti-cheat pipeline emits them,
// bumping the list version after each so edges refresh their caches.
func (p *Publisher) Stream(ctx context.Context, in <-chan Ban) error {
	var errs []error
	for b := range in {
		for name, be := range p.Backends {
			if err := be.Apply(ctx, []Ban{b}); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
		ver := strconv.FormatInt(time.Now().UnixNano(), 10)
		if err := p.Store.Put(ctx, "bans:version", []byte(ver), nil); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// FlagSuspects marks players for an integrity check on their next match.
func FlagSuspects(ctx context.Context, store *cfkv.Store, players []string) error {
	pairs := make([]cfkv.Pair, len(players))
	for i, id := range players {
		pairs[i] = cfkv.Pair{
			Key:           cloudflare.F("suspect:" + id),
			Value:         cloudflare.F("1"),
			ExpirationTTL: cloudflare.F(float64(suspectCooldown)), // EXPECT kvttl
		}
	}
	return store.PutBatch(ctx, pairs)
}

// Unban lifts a ban early.
func Unban(ctx context.Context, store *cfkv.Store, playerID string) error {
	return store.Delete(ctx, "ban:"+playerID)
}

// Watchlist keeps a player under observation for the given time.
func Watchlist(ctx context.Context, store *cfkv.Store, playerID string, d time.Duration) error {
	return store.PutTTL(ctx, "watch:"+playerID, []byte(time.Now().UTC().Format(time.RFC3339)), max(d, 10*time.Minute))
}
