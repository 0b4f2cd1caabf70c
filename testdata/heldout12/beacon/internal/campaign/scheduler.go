package campaign

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

// Runner delivers a campaign in batches.
type Runner interface {
	Batches(ctx context.Context, c Campaign) ([][]string, error)
	SendBatch(ctx context.Context, c Campaign, deviceIDs []string) error
}

// Scheduler starts due campaigns. Several instances may run; a short-lived
// lock key keeps two of them from sending the same campaign.
type Scheduler struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	Campaigns   *Store
	Runner      Runner
	Tenants     func(ctx context.Context) ([]string, error)
	Beat        kvstore.Writer
	Owner       string
	Interval    time.Duration
}

// Run loops until ctx is cancelled.
func (s *Scheduler) Run(ctx context.Context) error {
	tick := time.NewTicker(s.Interval)
	defer tick.Stop()
	beat := time.NewTicker(consts.HeartbeatEvery)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-beat.C:
			stamp := []byte(s.Owner + " " + now.UTC().Format(time.RFC3339Nano))
			if err := s.Beat.Put(ctx, consts.KeySchedulerBeat, stamp, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
				slog.Warn("scheduler: heartbeat", "err", err)
			}
		case now := <-tick.C:
			if err := s.tick(ctx, now); err != nil {
				slog.Error("scheduler: tick", "err", err)
			}
		}
	}
}

func (s *Scheduler) tick(ctx context.Context, now time.Time) error {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, tenant := range tenants {
		ids, err := s.Campaigns.Due(ctx, tenant, now)
		if err != nil || len(ids) == 0 {
			errs = append(errs, err)
			continue
		}
		due, err := s.Campaigns.LoadMany(ctx, tenant, ids[:min(len(ids), consts.BulkGetMax)])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, c := range due {
			if ok, err := s.acquire(ctx, c); err != nil || !ok {
				errs = append(errs, err)
				continue
			}
			if err := s.run(ctx, c); err != nil {
				errs = append(errs, fmt.Errorf("campaign %s: %w", c.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// acquire takes the campaign's run lock, or reports that another instance
// holds it. The lock expires on its own after consts.LockTTL.
func (s *Scheduler) acquire(ctx context.Context, c Campaign) (bool, error) {
	key := consts.PrefixLock.Key("campaign", c.TenantID, c.ID)
	res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err == nil {
		res.Body.Close()
		return false, nil
	}
	var apiErr *cloudflare.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		return false, err
	}
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(s.AccountID),
		Value:         cloudflare.F(s.Owner),
		ExpirationTTL: cloudflare.F(consts.LockTTL.Seconds()),
	})
	return err == nil, err
}

// run sends every batch of c and records the outcome when it returns.
func (s *Scheduler) run(ctx context.Context, c Campaign) (err error) {
	defer func() {
		if _, aerr := s.Campaigns.Apply(ctx, c.TenantID, c.ID, Finish{Err: err}); aerr != nil {
			slog.Error("scheduler: record outcome", "id", c.ID, "err", aerr)
		}
	}()
	batches, err := s.Runner.Batches(ctx, c)
	if err != nil {
		return err
	}
	progressKey := consts.PrefixCampaign.Key(c.TenantID, c.ID, "progress")
	for i, batch := range batches {
		if err := s.Runner.SendBatch(ctx, c, batch); err != nil {
			return err
		}
		_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NamespaceID, progressKey, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID:     cloudflare.F(s.AccountID),
			Value:         cloudflare.F(fmt.Sprintf("%d/%d", i+1, len(batches))),
			ExpirationTTL: cloudflare.F(float64(24 * 60 * 60)),
		})
		if err != nil {
			slog.Warn("scheduler: progress", "id", c.ID, "err", err)
		}
	}
	return nil
}
