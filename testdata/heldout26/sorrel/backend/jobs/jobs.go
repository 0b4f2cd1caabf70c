// Package jobs holds the backend's background jobs and the small scheduler
// that runs them.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/sorrel/backend/cfkv"
	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

// Job is a unit of background work.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// Scheduler runs jobs at fixed intervals. Each run gets a timeout; a run that
// ignores its context is abandoned after a grace period.
type Scheduler struct {
	mu      sync.Mutex
	timers  map[string]*time.Timer
	timeout time.Duration
	stopped bool
}

// NewScheduler returns a scheduler whose runs time out after timeout.
func NewScheduler(timeout time.Duration) *Scheduler {
	return &Scheduler{timers: map[string]*time.Timer{}, timeout: timeout}
}

// Every runs j every d. The first run is after first.
func (s *Scheduler) Every(first, d time.Duration, j Job) {
	var run func()
	run = func() {
		s.runOnce(j)
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.stopped {
			s.timers[j.Name()] = time.AfterFunc(d, run)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timers[j.Name()] = time.AfterFunc(first, run)
}

// Until returns the time from now to the next hour:minute local time.
func Until(hour, minute int) time.Duration {
	now := time.Now()
	t := time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, now.Location())
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t.Sub(now)
}

func (s *Scheduler) runOnce(j Job) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- j.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			log.Printf("job %s: %v", j.Name(), err)
		}
	case <-time.After(s.timeout + 10*time.Second):
		log.Printf("job %s abandoned: ignored its deadline", j.Name())
	}
}

// Stop cancels future runs. Runs in progress finish.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for _, t := range s.timers {
		t.Stop()
	}
}

// ParcelSource is the system of record for parcels.
type ParcelSource interface {
	OutForDelivery(ctx context.Context) ([]domain.Parcel, error)
	Correct(ctx context.Context, id string, edge domain.Status) error
}

// Reconciler compares parcel statuses at the edge with the database and
// repairs the database when a scan reached the edge only.
type Reconciler struct {
	api     *cloudflare.Client
	account string
	hotNS   string
	ks      keyspace.Space
	src     ParcelSource
}

// NewReconciler returns the reconcile job.
func NewReconciler(api *cloudflare.Client, account, hotNS string, ks keyspace.Space, src ParcelSource) *Reconciler {
	return &Reconciler{api: api, account: account, hotNS: hotNS, ks: ks, src: src}
}

func (r *Reconciler) Name() string { return "reconcile" }

func (r *Reconciler) Run(ctx context.Context) error {
	parcels, err := r.src.OutForDelivery(ctx)
	if err != nil {
		return err
	}
	want := make(map[string]domain.Status, len(parcels))
	keys := make([]string, 0, len(parcels))
	for _, p := range parcels {
		k := r.ks.Parcel(p.ID)
		want[k] = p.Status
		keys = append(keys, k)
	}
	fixed := 0
	for batch := range slices.Chunk(keys, 500) {
		res, err := r.api.KV.Namespaces.BulkGet(ctx, r.hotNS, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(r.account),
			Keys:      cloudflare.F(batch),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return fmt.Errorf("reconcile: bulk get: %w", err)
		}
		for k, raw := range cfkv.TextValues(res) {
			var p domain.Parcel
			if json.Unmarshal([]byte(raw), &p) != nil {
				continue
			}
			if p.Status != want[k] {
				if err := r.src.Correct(ctx, p.ID, p.Status); err != nil {
					log.Printf("reconcile %s: %v", p.ID, err)
					continue
				}
				fixed++
			}
		}
		_, err = r.api.KV.Namespaces.Values.Update(ctx, r.hotNS, r.ks.Checkpoint("reconcile"), kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(r.account),
			Value:     cloudflare.F(batch[len(batch)-1]),
		})
		if err != nil {
			return err
		}
	}
	log.Printf("reconcile: %d parcels checked, %d corrected", len(keys), fixed)
	return nil
}

// revokePages bounds how many pages of one driver's tokens are revoked per call.
const revokePages = 10

// Tokens manages driver refresh tokens stored by the identity service.
type Tokens struct {
	api     *cloudflare.Client
	account string
	ns      string
	store   kvstore.Store
	ks      keyspace.Space
}

// NewTokens returns the token maintenance helper.
func NewTokens(api *cloudflare.Client, account, namespace string, st kvstore.Store, ks keyspace.Space) *Tokens {
	return &Tokens{api: api, account: account, ns: namespace, store: st, ks: ks}
}

// RevokeDriver removes every refresh token of a driver, for example after a
// password change or a lost handheld, and records the revocation.
func (t *Tokens) RevokeDriver(ctx context.Context, driverID, reason string) (int, error) {
	prefix := t.ks.RefreshPrefix(driverID)
	revoked := 0
	cursor := ""
	for range revokePages {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(t.account),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(5.0), // EXPECT kvlimits
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := t.api.KV.Namespaces.Keys.List(ctx, t.ns, params)
		if err != nil {
			return revoked, err
		}
		for _, k := range page.Result {
			jti := strings.TrimPrefix(k.Name, prefix)
			_, err := t.api.KV.Namespaces.Values.Delete(ctx, t.ns, k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(t.account)}) // EXPECT kvsession
			if err != nil {
				return revoked, fmt.Errorf("revoke %s: %w", jti, err)
			}
			key, ttl := t.ks.RevokedEntry(jti)
			if err := t.store.Put(ctx, key, []byte(reason), kvstore.WithTTL(ttl)); err != nil { // EXPECT kvsession
				return revoked, err
			}
			revoked++
		}
		if page.ResultInfo.Cursor == "" {
			return revoked, nil
		}
		cursor = page.ResultInfo.Cursor
	}
	return revoked, fmt.Errorf("revoke %s: more than %d pages of tokens", driverID, revokePages)
}

// CountByDriver tallies live refresh tokens per driver for the security report.
func (t *Tokens) CountByDriver(ctx context.Context) (map[string]int, error) {
	root := t.ks.Prefix() + "refresh:"
	iter := t.api.KV.Namespaces.Keys.ListAutoPaging(ctx, t.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(t.account),
		Prefix:    cloudflare.F(root),
		Limit:     cloudflare.F(1000.0),
	})
	counts := map[string]int{}
	for iter.Next() {
		driver, _, _ := strings.Cut(strings.TrimPrefix(iter.Current().Name, root), ":")
		counts[driver]++
	}
	return counts, iter.Err()
}
