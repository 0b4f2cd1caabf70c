// Package reports rolls the edge's download keys up into the warehouse
// and publishes per-episode figures back to KV for the dashboards.
package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"scaup/internal/cfkv"
	"scaup/internal/config"
	"scaup/internal/kverr"
)

// Warehouse is the analytics database (D1 behind the reporting API).
type Warehouse interface {
	AddDownloads(ctx context.Context, network, episodeID, day string, n int) error
	EpisodeViews(ctx context.Context, network, episodeID string) (int, error)
}

// Roller moves edge counters into the warehouse.
type Roller struct {
	KV  *cfkv.Store
	WH  Warehouse
	Cfg config.Config
}

func (r *Roller) keys() *kv.NamespaceKeyService { return r.KV.Client.KV.Namespaces.Keys }

func (r *Roller) listParams(prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.KV.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(r.Cfg.ListPageSize)),
	}
}

// AllKeys returns every key name under prefix.
func (r *Roller) AllKeys(ctx context.Context, prefix string) ([]string, error) {
	p := r.listParams(prefix)
	var names []string
	for {
		page, err := r.keys().List(ctx, r.KV.Namespace, p) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			return names, nil
		}
		p.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// KeysUpTo returns at most max key names under prefix and whether the
// listing was complete.
func (r *Roller) KeysUpTo(ctx context.Context, prefix string, max int) ([]string, bool, error) {
	p := r.listParams(prefix)
	var names []string
	for page := 0; page < r.Cfg.MaxListPages && len(names) < max; page++ {
		res, err := r.keys().List(ctx, r.KV.Namespace, p)
		if err != nil {
			return names, false, err
		}
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if res.ResultInfo.Cursor == "" {
			return names, true, nil
		}
		p.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return names, false, nil
}

// Expiring reports keys under prefix that expire before the deadline.
func (r *Roller) Expiring(ctx context.Context, prefix string, before time.Time) ([]string, error) {
	var out []string
	iter := r.keys().ListAutoPaging(ctx, r.KV.Namespace, r.listParams(prefix)) // EXPECT kvlist
	for iter.Next() {
		k := iter.Current()
		if k.Expiration > 0 && int64(k.Expiration) < before.Unix() {
			out = append(out, k.Name)
		}
	}
	return out, iter.Err()
}

// Sample returns up to n keys under prefix, for the admin "peek" view.
func (r *Roller) Sample(ctx context.Context, prefix string, n int) ([]kv.Key, error) {
	out := make([]kv.Key, 0, n)
	iter := r.keys().ListAutoPaging(ctx, r.KV.Namespace, r.listParams(prefix))
	for iter.Next() {
		out = append(out, iter.Current())
		if len(out) >= n {
			break
		}
	}
	return out, iter.Err()
}

// Preview returns the first handful of keys for the CLI's completion.
func (r *Roller) Preview(ctx context.Context, prefix string) ([]string, string, error) {
	p := r.listParams(prefix)
	p.Limit = cloudflare.F(float64(5)) // EXPECT kvlimits
	page, err := r.keys().List(ctx, r.KV.Namespace, p)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// RollupDay moves one day's download counters into the warehouse.
func (r *Roller) RollupDay(ctx context.Context, network string, day time.Time) (int, error) {
	prefix := network + ":dl:"
	suffix := ":" + day.UTC().Format("20060102")
	p := r.listParams(prefix)
	moved := 0
	for page := 0; page < r.Cfg.MaxListPages; page++ {
		res, err := r.keys().List(ctx, r.KV.Namespace, p)
		if err != nil {
			return moved, err
		}
		for _, k := range res.Result {
			if !strings.HasSuffix(k.Name, suffix) {
				continue
			}
			raw, err := r.KV.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			n, err := strconv.Atoi(string(raw))
			if err != nil {
				continue
			}
			ep := strings.TrimSuffix(strings.TrimPrefix(k.Name, prefix), suffix)
			if err := r.WH.AddDownloads(ctx, network, ep, suffix[1:], n); err != nil {
				return moved, err
			}
			moved++
		}
		if res.ResultInfo.Cursor == "" {
			return moved, nil
		}
		p.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return moved, fmt.Errorf("rollup %s: page budget exhausted after %d keys", day.Format(time.DateOnly), moved)
}

// StaleLocks lists job locks left behind by dead transcoders, a page at a
// time up to the page budget.
func (r *Roller) StaleLocks(ctx context.Context) ([]string, error) {
	var out []string
	cursor := ""
	for page := 0; page < r.Cfg.MaxListPages; page++ {
		p := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(r.KV.AccountID),
			Limit:     cloudflare.F(float64(1000)),
		}
		if cursor == "" {
			p.Prefix = cloudflare.F("lock:job:")
		} else {
			p.Cursor = cloudflare.F(cursor)
		}
		res, err := r.keys().List(ctx, r.KV.Namespace, p) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range res.Result {
			if k.Expiration == 0 {
				out = append(out, k.Name)
			}
		}
		if cursor = res.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	return out, nil
}

// PublishViews copies the warehouse's authoritative view counts to KV so
// the episode page can show them. It runs once per hour.
func (r *Roller) PublishViews(ctx context.Context, network string, episodeIDs []string) error {
	var errs []error
	for _, ep := range episodeIDs {
		n, err := r.WH.EpisodeViews(ctx, network, ep)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		key := network + ":views:" + ep
		errs = append(errs, r.KV.PutTTL(ctx, key, []byte(strconv.Itoa(n)), 2*time.Hour)) // DEBATABLE kvcounter
	}
	return errors.Join(errs...)
}

// AddPlays adds plays reported by the app-store partners to the episode's
// running total.
func (r *Roller) AddPlays(ctx context.Context, network, episodeID string, delta int) error {
	key := network + ":plays:count:" + episodeID
	total := 0
	raw, err := r.KV.Get(ctx, key)
	var nf *kverr.NotFoundError
	switch {
	case err == nil:
		if total, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("corrupt play count %s: %w", key, err)
		}
	case !errors.As(err, &nf):
		return err
	}
	return r.KV.Put(ctx, key, []byte(strconv.Itoa(total+delta))) // EXPECT kvcounter|kvrace
}

// EpisodeReport is the cached per-episode dashboard payload.
type EpisodeReport struct {
	EpisodeID string    `json:"episode_id"`
	Views     int       `json:"views"`
	Built     time.Time `json:"built"`
}

// Report returns the dashboard payload, building it from the warehouse on
// a cache miss.
func (r *Roller) Report(ctx context.Context, network, episodeID string) (EpisodeReport, error) {
	key := network + ":report:" + episodeID
	raw, err := r.KV.Get(ctx, key)
	if err == nil {
		var rep EpisodeReport
		if json.Unmarshal(raw, &rep) == nil {
			return rep, nil
		}
	} else if !kverr.IsNotFound(err) {
		return EpisodeReport{}, err
	}
	views, err := r.WH.EpisodeViews(ctx, network, episodeID)
	if err != nil {
		return EpisodeReport{}, err
	}
	rep := EpisodeReport{EpisodeID: episodeID, Views: views, Built: time.Now().UTC()}
	b, _ := json.Marshal(rep)
	return rep, r.KV.PutTTL(ctx, key, b, 15*time.Minute)
}

// Export streams every report under a network, a page at a time, using
// the adapter's single-page listing.
func (r *Roller) Export(ctx context.Context, w io.Writer, network string) error {
	cursor := ""
	for page := 0; page < r.Cfg.MaxListPages; page++ {
		keys, next, err := r.KV.ListPage(ctx, network+":report:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := fmt.Fprintln(w, k.Name); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("export %s: more than %d pages", network, r.Cfg.MaxListPages)
}
