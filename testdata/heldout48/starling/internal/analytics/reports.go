package analytics

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"starling/internal/keys"
)

const (
	reportPages             = 50
	retentionHours          = 730 * 24
	hourlyRoot     keys.Key = "hourly"
)

// ShowDay returns the rollups of every episode of a show for one day, read
// from the rollup keys' metadata.
func (a *Aggregator) ShowDay(ctx context.Context, show string, day time.Time) (map[string]int, error) {
	svc, account, ns := a.kv.Client().SDK()
	prefix, suffix := rollupRoot.With(show).Prefix(), ":"+day.UTC().Format("2006-01-02")
	iter := svc.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(prefix),
	})
	out := map[string]int{}
	for iter.Next() {
		k := iter.Current()
		if ep, ok := strings.CutSuffix(strings.TrimPrefix(k.Name, prefix), suffix); ok {
			n, _ := k.Metadata["total"].(float64)
			out[ep] = int(n)
		}
	}
	return out, iter.Err()
}

// TopEpisodes sums a show's all-time rollups by episode, reading at most
// reportPages pages of keys.
func (a *Aggregator) TopEpisodes(ctx context.Context, show string) (map[string]int, error) {
	prefix := rollupRoot.With(show).Prefix()
	byEp := map[string]int{}
	cursor := ""
	for range reportPages {
		p, err := a.kv.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			raw, err := a.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			plays, _ := strconv.Atoi(string(raw))
			ep, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":")
			byEp[ep] += plays
		}
		if cursor = p.Cursor; cursor == "" {
			break
		}
	}
	return byEp, nil
}

// PurgeShards deletes the play shards of days before cutoff.
func (a *Aggregator) PurgeShards(ctx context.Context, show string, cutoff time.Time) (int, error) {
	prefix := playsRoot.With(show).Prefix()
	deleted, cursor := 0, ""
	for {
		p, err := a.kv.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		if len(p.Keys) == 0 {
			return deleted, nil
		}
		for _, k := range p.Keys {
			parts := strings.Split(k.Name, ":")
			day, err := time.Parse("2006-01-02", parts[len(parts)-2])
			if err != nil || !day.Before(cutoff) {
				continue
			}
			if err := a.kv.Delete(ctx, k.Name); err != nil {
				return deleted, err
			}
			deleted++
		}
		cursor = p.Cursor
	}
}

// ExportShow passes the names of a show's rollup keys to fn, page by page,
// for the CSV export. It stops after reportPages pages.
func (a *Aggregator) ExportShow(ctx context.Context, show string, fn func(names []string) error) error {
	svc, account, ns := a.kv.Client().SDK()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(rollupRoot.With(show).Prefix()),
		Limit:     cloudflare.F(1000.0),
	}
	for range reportPages {
		res, err := svc.Keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, len(res.Result))
		for i, k := range res.Result {
			names[i] = k.Name
		}
		if err := fn(names); err != nil || res.ResultInfo.Cursor == "" {
			return err
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(account),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return fmt.Errorf("export of %s stopped after %d pages", show, reportPages)
}

// SeedHourly creates the zeroed hourly buckets of a new show for the whole
// retention window, so that charts have no gaps.
func (a *Aggregator) SeedHourly(ctx context.Context, show string, from time.Time) error {
	svc, account, ns := a.kv.Client().SDK()
	from = from.UTC().Truncate(time.Hour)
	body := make([]kv.NamespaceBulkUpdateParamsBody, retentionHours)
	for i := range body {
		at := from.Add(time.Duration(i) * time.Hour)
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(hourlyRoot.With(show).Child(at.Format("2006-01-02T15")).String()),
			Value:      cloudflare.F("0"),
			Expiration: cloudflare.F(float64(at.Add(retentionHours * time.Hour).Unix())),
		}
	}
	_, err := svc.Bulk.Update(ctx, ns, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(account),
		Body:      body,
	})
	return err
}
