//go:build js && wasm

// Package rfid authorizes RFID card taps (OCPP Authorize) from KV, falling back to the backend's card registry.
package rfid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wren/internal/codec"
	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

// Status is the OCPP idTagInfo status.
type Status string

const (
	Accepted Status = "Accepted"
	Blocked  Status = "Blocked"
	Expired  Status = "Expired"
	Invalid  Status = "Invalid"
)

// Card is the cached view of a registered card.
type Card struct {
	UID      string    `json:"uid"`
	DriverID string    `json:"driver_id"`
	Status   Status    `json:"status"`
	ValidTo  time.Time `json:"valid_to"`
}

// cardCache is what Authorizer needs from the card namespace.
type cardCache interface {
	Load(ctx context.Context, key string, into any) (bool, error)
	Save(ctx context.Context, key string, v any, ttl time.Duration) error
}

// revocations is what Blocker needs from the card namespace.
type revocations interface {
	Load(ctx context.Context, key string, into any) (bool, error)
	Save(ctx context.Context, key string, v any, ttl time.Duration) error
}

// Registry looks cards up in the backend.
type Registry interface {
	LookupCard(ctx context.Context, uidHex string) (Card, error)
}

// ErrUnknownCard is returned by Registry for unregistered cards.
var ErrUnknownCard = errors.New("rfid: unknown card")

// Authorizer answers Authorize requests.
type Authorizer struct {
	cache    cardCache
	registry Registry
	raw      func() (*kv.Namespace, error)
	now      func() time.Time
}

// NewAuthorizer wires an Authorizer; raw is the binding, for the negative cache and the tap counters.
func NewAuthorizer(cache cardCache, reg Registry, raw func() (*kv.Namespace, error)) *Authorizer {
	return &Authorizer{cache: cache, registry: reg, raw: raw, now: time.Now}
}

// Authorize returns the status for a tapped card.
func (a *Authorizer) Authorize(ctx context.Context, uidHex string) (Status, error) {
	key, err := keys.CardHex(uidHex)
	if err != nil {
		return Invalid, nil
	}
	var c Card
	found, err := a.cache.Load(ctx, key, &c)
	if err != nil {
		return Invalid, err
	}
	if !found {
		c, err = a.registry.LookupCard(ctx, uidHex)
		if errors.Is(err, ErrUnknownCard) {
			return Invalid, a.rememberUnknown(key)
		}
		if err != nil {
			return Invalid, err
		}
		if err := a.cache.Save(ctx, key, c, lifetime.CardCache); err != nil {
			return Invalid, err
		}
	}
	if c.Status == Accepted && !c.ValidTo.IsZero() && a.now().After(c.ValidTo) {
		return Expired, nil
	}
	if err := a.countTap(key); err != nil {
		return c.Status, fmt.Errorf("rfid: count tap: %w", err)
	}
	return c.Status, nil
}

// rememberUnknown caches a miss so a charger retrying an unknown card does not hit the backend every time.
func (a *Authorizer) rememberUnknown(key string) error {
	ns, err := a.raw()
	if err != nil {
		return err
	}
	b, _ := json.Marshal(Card{Status: Invalid})
	return ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(lifetime.CardCache)}) // EXPECT kvttl
}

// countTap keeps a per-card tap count for the fraud report.
func (a *Authorizer) countTap(cardKey string) error {
	ns, err := a.raw()
	if err != nil {
		return err
	}
	key := "taps:" + strings.TrimPrefix(cardKey, "card:")
	v, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var n uint32
	if v != "<null>" {
		n = codec.Uint32([]byte(v))
	}
	return ns.PutReader(key, bytes.NewReader(codec.PutUint32(n+1)), nil) // EXPECT kvcounter
}

// Policy is the network-wide card policy published by operations.
type Policy struct {
	AllowUnknownOffline bool     `json:"allow_unknown_offline"`
	BlockedIssuers      []string `json:"blocked_issuers"`
}

// LoadPolicy reads the card policy document.
func LoadPolicy(ns *kv.Namespace) (Policy, error) {
	r, err := ns.GetReader("policy:cards", nil) // EXPECT kvnull
	if err != nil {
		return Policy{}, err
	}
	var p Policy
	if err := json.NewDecoder(r).Decode(&p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Blocker maintains the list of cards chargers must refuse even offline.
type Blocker struct {
	store revocations
}

// NewBlocker returns a Blocker over store.
func NewBlocker(store revocations) *Blocker { return &Blocker{store: store} }

const revokedKey = "cards:revoked"

// Block adds uidHex to the revocation list.
func (b *Blocker) Block(ctx context.Context, uidHex string) error {
	var list []string
	if _, err := b.store.Load(ctx, revokedKey, &list); err != nil {
		return err
	}
	uid := strings.ToUpper(uidHex)
	if slices.Contains(list, uid) {
		return nil
	}
	list = append(list, uid)
	return b.store.Save(ctx, revokedKey, list, 0) // EXPECT kvsession
}

// Handler serves the OCPP Authorize bridge: POST {"idTag": "..."}.
func (a *Authorizer) Handler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			IDTag string `json:"idTag"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		st, err := a.Authorize(r.Context(), req.IDTag)
		if err != nil && st == Invalid {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"idTagInfo": map[string]Status{"status": st}})
	}
}
