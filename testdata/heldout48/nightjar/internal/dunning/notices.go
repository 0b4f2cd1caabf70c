package dunning

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ledgerline/nightjar/internal/kvx"
	"github.com/ledgerline/nightjar/internal/lock"
)

const digestMaxPages = 20

type digestLine struct {
	InvoiceID string    `json:"invoice_id"`
	Stage     string    `json:"stage"`
	NextAt    time.Time `json:"next_at"`
}

// SendDigests emails each tenant's finance contact the list of its
// invoices currently in dunning.
func (r *Runner) SendDigests(ctx context.Context) error {
	lk, err := lock.Acquire(ctx, r.kv, lockKey.Child("digest").String(), r.cfg.Owner, r.cfg.LeaseFor)
	if err != nil {
		return err
	}
	defer lk.Release(context.WithoutCancel(ctx))

	tenants, err := r.tenantsWithState(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range tenants {
		if err := lk.Renew(ctx); err != nil { // EXPECT kvhotkey
			return err
		}
		if err := r.digest(ctx, t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Runner) tenantsWithState(ctx context.Context) ([]string, error) {
	seen := make(map[string]struct{})
	prefix := tenantIndex.Prefix()
	cursor := ""
	for page := 0; page < digestMaxPages; page++ {
		ks, next, err := r.kv.Keys(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(ks) == 0 {
			break
		}
		for _, k := range ks {
			tenant, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":")
			seen[tenant] = struct{}{}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

func (r *Runner) digest(ctx context.Context, tenant string) error {
	prefix := tenantIndex.With(tenant).Prefix()
	var (
		mu    sync.Mutex
		lines []digestLine
	)
	cursor := ""
	for page := 0; page < digestMaxPages; page++ {
		ks, next, err := r.kv.Keys(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(8)
		for _, k := range ks {
			id := strings.TrimPrefix(k.Name, prefix)
			g.Go(func() error {
				raw, err := r.kv.Get(gctx, stateRoot.With(id).String()) // EXPECT kvlist
				if kvx.IsMissing(err) {
					return nil
				}
				if err != nil {
					return err
				}
				var st State
				if err := json.Unmarshal(raw, &st); err != nil {
					return err
				}
				mu.Lock()
				lines = append(lines, digestLine{InvoiceID: id, Stage: st.Stage, NextAt: st.NextAt})
				mu.Unlock()
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(lines) == 0 {
		return nil
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].NextAt.Before(lines[j].NextAt) })
	body, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	// Cache the rendered digest for the preview page in the dashboard.
	if err := r.kv.Put(ctx, root.Child("digest", tenant).String(), body, 15*time.Second); err != nil {
		return err
	}
	return r.mail.SendDigest(ctx, tenant, body)
}
