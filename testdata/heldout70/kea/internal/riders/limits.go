package riders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/kea-mobility/kea/internal/kvstore"
)

var bigMillion = big.NewInt(1_000_000)

// ErrTaken means a referral handle already belongs to someone.
var ErrTaken = errors.New("riders: handle taken")

// Limiter enforces per-rider request limits for trip requests.
type Limiter struct {
	kv     *kvstore.Store
	Window time.Duration
	Max    int
}

// NewLimiter returns a limiter over kv.
func NewLimiter(kv *kvstore.Store, window time.Duration, maxPerWindow int) *Limiter {
	return &Limiter{kv: kv, Window: window, Max: maxPerWindow}
}

func (l *Limiter) bucket(riderID string, now time.Time) string {
	return fmt.Sprintf("rl:rider:%s:%d", riderID, now.Unix()/int64(l.Window.Seconds()))
}

// Allow counts one request and reports whether the rider is under the limit.
func (l *Limiter) Allow(ctx context.Context, riderID string) (bool, error) {
	key := l.bucket(riderID, time.Now())
	n := 0
	raw, found, err := l.kv.Lookup(ctx, key)
	if err != nil {
		return true, err
	}
	if found {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= l.Max {
		return false, nil
	}
	return true, l.kv.Put(ctx, key, []byte(strconv.Itoa(n+1)), max(2*l.Window, time.Minute)) // EXPECT kvcounter|kvrace
}

// Profile is the rider data the edge Worker shows on receipts.
type Profile struct {
	RiderID  string `json:"rider_id"`
	Name     string `json:"name"`
	Handle   string `json:"handle,omitempty"`
	Language string `json:"lang"`
}

// Profiles caches rider profiles loaded from the accounts service.
type Profiles struct {
	kv    *kvstore.Store
	fetch func(ctx context.Context, riderID string) (Profile, error)
}

// NewProfiles returns a cache over kv that falls back to fetch.
func NewProfiles(kv *kvstore.Store, fetch func(context.Context, string) (Profile, error)) *Profiles {
	return &Profiles{kv: kv, fetch: fetch}
}

// Get returns a rider's profile.
func (p *Profiles) Get(ctx context.Context, riderID string) (Profile, error) {
	key := "rider:profile:" + riderID
	if raw, found, err := p.kv.Lookup(ctx, key); err != nil {
		return Profile{}, err
	} else if found {
		var pr Profile
		if err := json.Unmarshal(raw, &pr); err == nil {
			return pr, nil
		}
	}
	pr, err := p.fetch(ctx, riderID)
	if err != nil {
		return Profile{}, err
	}
	body, _ := json.Marshal(pr)
	return pr, p.kv.Put(ctx, key, body, 15*time.Minute)
}

// ClaimHandle reserves a referral handle (kea.ride/r/<handle>) for a rider.
func (p *Profiles) ClaimHandle(ctx context.Context, riderID, handle string) error {
	key := "rider:handle:" + handle
	if _, found, err := p.kv.Lookup(ctx, key); err != nil {
		return err
	} else if found {
		return ErrTaken
	}
	return p.kv.PutForever(ctx, key, []byte(riderID)) // EXPECT kvrace
}
