// Package retention removes sample records past their retention period.
// It runs nightly from the scheduler.
package retention

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/pylon/internal/retry"
	"example.com/pylon/internal/storage"
)

// Sweeper deletes expired records.
type Sweeper struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	store     storage.Store
	keep      time.Duration
	log       *slog.Logger
	now       func() time.Time
}

// New wires a Sweeper that keeps records for keep.
func New(client *cloudflare.Client, accountID, nsID string, store storage.Store, keep time.Duration) *Sweeper {
	return &Sweeper{client: client, accountID: accountID, nsID: nsID, store: store, keep: keep, log: slog.Default(), now: time.Now}
}

// expired reads the record's timestamp from its listing metadata.
func (s *Sweeper) expired(meta any) bool {
	m, ok := meta.(map[string]any)
	if !ok {
		return false
	}
	t, ok := m["t"].(float64)
	return ok && s.now().Sub(time.Unix(int64(t), 0)) > s.keep
}

// SweepEvents walks every custody event and deletes the expired ones.
func (s *Sweeper) SweepEvents(ctx context.Context) (int, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID), Prefix: cloudflare.F("custody:ev:")}
	deleted := 0
	for {
		page, err := s.client.KV.Namespaces.Keys.List(ctx, s.nsID, params) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		for _, k := range page.Result {
			if !s.expired(k.Metadata) {
				continue
			}
			err := retry.Do(ctx, func() error {
				_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.nsID, k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.accountID)})
				return err
			})
			if err != nil {
				return deleted, err
			}
			deleted++
			_, err = s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "retention:progress", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
				AccountID: cloudflare.F(s.accountID),
				Value:     cloudflare.F(k.Name),
			})
			if err != nil {
				s.log.Warn("progress not saved", "err", err)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return deleted, s.addStats(ctx, deleted)
}

// addStats adds to the day's deletion count shown on the ops dashboard.
func (s *Sweeper) addStats(ctx context.Context, n int) error {
	key := "sweep-stats:" + s.now().UTC().Format("2006-01-02")
	total := 0
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	var apiErr *cloudflare.Error
	switch {
	case err == nil:
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		total, _ = strconv.Atoi(string(b))
	case !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound:
		return err
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(strconv.Itoa(total + n)),
		ExpirationTTL: cloudflare.F(float64(90 * 24 * 3600)),
	})
	return err
}

// SweepLabels removes printed-label copies older than the retention
// period, stopping at the deadline; whatever is left is picked up the next
// night. The run is recorded once at the end.
func (s *Sweeper) SweepLabels(ctx context.Context, deadline time.Time) error {
	budget := storage.Budget{MaxPages: 50, Deadline: deadline}
	_, err := storage.WalkBounded(ctx, s.store, "label:", budget, func(k storage.KeyInfo) error {
		if !k.Expiration.IsZero() || !s.expired(k.Metadata) {
			return nil
		}
		return s.store.Delete(ctx, k.Name)
	})
	if err != nil && !errors.Is(err, storage.ErrBudget) {
		return err
	}
	stamp := strconv.FormatInt(s.now().Unix(), 10)
	return s.store.Put(ctx, "retention:last-run", []byte(stamp), storage.PutOptions{})
}

// Inventory returns the namespaces's key counts per top-level prefix for
// the capacity report.
func (s *Sweeper) Inventory(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	err := storage.Walk(ctx, s.store, "", func(k storage.KeyInfo) error {
		prefix, _, _ := strings.Cut(k.Name, ":")
		counts[prefix]++
		return nil
	})
	return counts, err
}

// Sample returns one page of custody keys for the audit screen.
func (s *Sweeper) Sample(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.nsID, withCursor(kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID), Prefix: cloudflare.F("custody:state:"), Limit: cloudflare.F(5000.0)}, cursor)) // EXPECT kvlimits
	if err != nil {
		return nil, "", fmt.Errorf("retention: sample: %w", err)
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

func withCursor(p kv.NamespaceKeyListParams, cursor string) kv.NamespaceKeyListParams {
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	return p
}
