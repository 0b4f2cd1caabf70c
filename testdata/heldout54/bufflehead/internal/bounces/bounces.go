// Package bounces keeps the bounce and complaint list in Workers KV in sync
// with the mail provider, so the Worker can refuse to send to dead addresses.
package bounces

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"bufflehead/internal/restkv"
)

// Kind classifies a bounce.
const (
	Hard      = "hard"
	Soft      = "soft"
	Complaint = "complaint"
)

// softBounceTTL is how long a soft-bounced address is held back.
const softBounceTTL = 72 * time.Hour

// Bounce is one event from the provider.
type Bounce struct {
	Email  string    `json:"email"`
	Kind   string    `json:"kind"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Batch is one page of provider events.
type Batch struct {
	Items []Bounce
	Next  string
}

// Provider is the mail provider's events API.
type Provider interface {
	Bounces(ctx context.Context, cursor string) (Batch, error)
}

// Syncer copies provider events into KV.
type Syncer struct {
	kv       *restkv.Client
	provider Provider
	keyOf    func(email string) string
	jobs     chan func(context.Context) error

	mu       sync.Mutex
	lastSync *time.Timer
	stamp    time.Time
}

// NewSyncer returns a syncer. Call Run in its own goroutine.
func NewSyncer(c *restkv.Client, p Provider) *Syncer {
	return &Syncer{
		kv:       c,
		provider: p,
		keyOf:    func(email string) string { return "bounce:" + strings.ToLower(email) },
		jobs:     make(chan func(context.Context) error, 256),
	}
}

// Run executes queued bookkeeping jobs one at a time until ctx is done.
func (s *Syncer) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-s.jobs:
			if err := job(ctx); err != nil {
				log.Printf("bounces: job: %v", err)
			}
		}
	}
}

func domainOf(email string) string {
	_, d, _ := strings.Cut(email, "@")
	return strings.ToLower(d)
}

// SyncOnce pulls new events from the provider, at most maxBatches pages.
func (s *Syncer) SyncOnce(ctx context.Context, maxBatches int) (int, error) {
	if err := s.kv.Put(ctx, "bounces:status", []byte("running"), restkv.PutOptions{
		ExpiresAt: time.Now().Add(30 * time.Second), // EXPECT kvttl
	}); err != nil {
		return 0, err
	}

	var cursor string
	if raw, ok, err := s.kv.Lookup(ctx, "bounces:cursor"); err != nil {
		return 0, err
	} else if ok {
		cursor = string(raw)
	}

	total := 0
	for i := 0; i < maxBatches; i++ {
		batch, err := s.provider.Bounces(ctx, cursor)
		if err != nil {
			return total, err
		}
		if len(batch.Items) == 0 {
			break
		}
		var hard []restkv.Entry
		for _, b := range batch.Items {
			switch b.Kind {
			case Hard:
				raw, _ := json.Marshal(b)
				hard = append(hard, restkv.Entry{Key: s.keyOf(b.Email), Value: string(raw), Metadata: map[string]string{"kind": Hard}})
			case Soft:
				if err := s.recordSoft(ctx, b); err != nil {
					return total, err
				}
			case Complaint:
				if err := s.recordComplaint(ctx, b); err != nil {
					return total, err
				}
			}
			domain := domainOf(b.Email)
			s.jobs <- func(ctx context.Context) error {
				key := "bounce-count:" + domain
				n := 0
				if raw, ok, err := s.kv.Lookup(ctx, key); err != nil {
					return err
				} else if ok {
					n, _ = strconv.Atoi(string(raw))
				}
				return s.kv.Put(ctx, key, []byte(strconv.Itoa(n+1)), restkv.PutOptions{}) // EXPECT kvrace|kvcounter
			}
		}
		if len(hard) > 0 {
			if err := s.kv.BulkPut(ctx, hard); err != nil {
				return total, err
			}
		}
		total += len(batch.Items)
		cursor = batch.Next
		if err := s.kv.Put(ctx, "bounces:cursor", []byte(cursor), restkv.PutOptions{}); err != nil { // EXPECT kvhotkey
			return total, err
		}
		if cursor == "" {
			break
		}
	}
	s.markSynced()
	return total, nil
}

// markSynced records the sync time, at most once every ten seconds.
func (s *Syncer) markSynced() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stamp = time.Now().UTC()
	if s.lastSync != nil {
		return
	}
	s.lastSync = time.AfterFunc(10*time.Second, func() {
		s.mu.Lock()
		stamp := s.stamp
		s.lastSync = nil
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := s.kv.Put(ctx, "bounces:last-sync", []byte(stamp.Format(time.RFC3339)), restkv.PutOptions{}); err != nil {
			log.Printf("bounces: last-sync: %v", err)
		}
	})
}

// recordSoft merges a soft bounce into the address's record.
func (s *Syncer) recordSoft(ctx context.Context, b Bounce) error {
	key := s.keyOf(b.Email)
	var rec struct {
		Bounce
		Count int      `json:"count"`
		Seen  []string `json:"seen"`
	}
	raw, ok, err := s.kv.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("bounce record %s: %w", key, err)
		}
		if rec.Kind == Hard {
			return nil
		}
	}
	rec.Bounce = b
	rec.Seen = append(rec.Seen, b.At.Format(time.RFC3339))
	out, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = s.kv.API.KV.Namespaces.Values.Update(ctx, s.kv.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(s.kv.AccountID),
		Value:         cloudflare.F(string(out)),
		ExpirationTTL: cloudflare.F(float64(softBounceTTL)), // EXPECT kvttl
		Metadata:      cloudflare.F[any](map[string]string{"kind": Soft}),
	})
	return err
}

// recordComplaint stores a spam complaint; complaints are kept for 72 hours
// before the address is reviewed by hand.
func (s *Syncer) recordComplaint(ctx context.Context, b Bounce) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = s.kv.API.KV.Namespaces.Values.Update(ctx, s.kv.NamespaceID, "complaint:"+strings.ToLower(b.Email), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.kv.AccountID),
		Value:      cloudflare.F(string(raw)),
		Expiration: cloudflare.F(float64(time.Now().Add(softBounceTTL).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Policy controls how the Worker treats suppressed addresses.
type Policy struct {
	BlockSoft      bool `json:"block_soft"`
	BlockComplaint bool `json:"block_complaint"`
	ReviewDays     int  `json:"review_days"`
}

// InstallPolicy writes the default policy unless one is already set.
func InstallPolicy(ctx context.Context, c *restkv.Client) error {
	if _, ok, err := c.Lookup(ctx, "bounces:policy"); err != nil || !ok { // EXPECT kvnull
		raw, _ := json.Marshal(Policy{BlockSoft: true, BlockComplaint: true, ReviewDays: 30})
		return c.Put(ctx, "bounces:policy", raw, restkv.PutOptions{})
	}
	return nil
}

// Forget removes an address from the bounce list after manual review.
func Forget(ctx context.Context, c *restkv.Client, email string) error {
	err := c.Delete(ctx, "bounce:"+strings.ToLower(email))
	if errors.Is(err, restkv.ErrNotFound) {
		return nil
	}
	return err
}
