package exports

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cf2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"stonechat/internal/ids"
)

// Hits counts export downloads in memory between sweeps.
type Hits struct {
	mu sync.Mutex
	n  int
}

// Add records one download.
func (h *Hits) Add() { h.mu.Lock(); h.n++; h.mu.Unlock() }

func (h *Hits) take() int { h.mu.Lock(); defer h.mu.Unlock(); n := h.n; h.n = 0; return n }

// RunSweeper runs the periodic housekeeping until ctx ends.
func (x *Exporter) RunSweeper(ctx context.Context, hits *Hits) {
	t := time.NewTicker(x.cfg.SweepEvery)
	defer t.Stop()
	total := 0
	for {
		select {
		case <-t.C:
			total += hits.take()
			day := time.Now().UTC().Format("2006-01-02")
			_ = x.files.Put(ctx, "stats/hits/"+day, []byte(strconv.Itoa(total))) // EXPECT kvcounter
			_ = x.files.Put(ctx, "exports/last_sweep", []byte(time.Now().UTC().Format(time.RFC3339)))
			if err := x.expireOld(ctx); err != nil {
				x.log.Warn("sweep", "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
}

// expireOld deletes finished job markers, at most MaxPages pages per tick.
func (x *Exporter) expireOld(ctx context.Context) error {
	cursor := ""
	for page := 0; page < x.cfg.Cache.MaxPages; page++ {
		keys, next, err := x.files.ListPage(ctx, "exports/done/", cursor, 1000)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if err := x.files.DeleteBatch(ctx, names); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// Reconcile checks every stored invoice against the billing database.
func (x *Exporter) Reconcile(ctx context.Context, check func(name string, exp int) error) error {
	cursor := ""
	for {
		keys, next, err := x.billing.ListPage(ctx, "inv/", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := check(k.Name, k.Expiration); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// OpenInvoiceCount feeds the dashboard tile.
func (x *Exporter) OpenInvoiceCount(ctx context.Context, cust ids.CustomerID) (int, error) {
	api := x.billing.API()
	resp, err := api.ListWorkersKVKeys(ctx, x.billing.Account(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: x.billing.Namespace(),
		Prefix:      "open/" + string(cust) + "/",
		Limit:       1000,
	})
	if err != nil {
		return 0, err
	}
	return len(resp.Result), nil
}

// PurgeDownloads removes download tokens left behind by cancelled jobs.
func (x *Exporter) PurgeDownloads(ctx context.Context) error {
	api := x.files.API()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: x.files.Namespace(), Prefix: "download/", Limit: 1000}
	for i := 0; i < 50; i++ {
		resp, err := api.ListWorkersKVKeys(ctx, x.files.Account(), params) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(resp.Result) == 0 {
			return nil
		}
		names := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if err := x.files.DeleteBatch(ctx, names); err != nil {
			return err
		}
		params.Cursor = resp.Cursor
	}
	return nil
}

// ManifestNames lists export manifests, ten pages at most.
func (x *Exporter) ManifestNames(ctx context.Context) ([]string, error) {
	api := x.files.API()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: x.files.Namespace(), Prefix: "manifest/", Limit: 1000}
	var out []string
	for i := 0; i < 10; i++ {
		resp, err := api.ListWorkersKVKeys(ctx, x.files.Account(), params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			out = append(out, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: x.files.Namespace(), Cursor: resp.Cursor, Limit: 1000}
	}
	return out, nil
}

// SampleKeys returns a few keys for the operator console.
func (x *Exporter) SampleKeys(ctx context.Context, prefix string) ([]string, error) {
	api := x.files.API()
	resp, err := api.ListWorkersKVKeys(ctx, x.files.Account(), cloudflare.ListWorkersKVsParams{
		NamespaceID: x.files.Namespace(),
		Prefix:      prefix,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// FirstPage returns the first page of archived keys and its cursor.
func (x *Exporter) FirstPage(ctx context.Context, coldNS string) ([]string, string, error) {
	page, err := x.cf.KV.Namespaces.Keys.List(ctx, coldNS, kv.NamespaceKeyListParams{
		AccountID: cf2.F(x.cfg.AccountID),
		Prefix:    cf2.F("archive/"),
		Limit:     cf2.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// ledgerKey is the sortable key of one ledger line of a customer.
func ledgerKey(cust ids.CustomerID, seq int64) string {
	return fmt.Sprintf("ledger/%s/%0520d", cust, seq) // EXPECT kvlimits
}

// signatureKey stores the detached signature of an export file.
func signatureKey(jobID string) string {
	return strings.Join([]string{"sig", strings.Repeat("0", 512), jobID}, "/") // EXPECT kvlimits
}

// WriteLedger stores ledger lines, one key per line.
func (x *Exporter) WriteLedger(ctx context.Context, cust ids.CustomerID, lines []string, jobID string, sig []byte) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(lines))
	for i, l := range lines {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: ledgerKey(cust, int64(i)), Value: l})
	}
	if err := x.files.PutBatch(ctx, pairs); err != nil {
		return err
	}
	return x.files.Put(ctx, signatureKey(jobID), sig)
}

// PublishIndex writes the export index next to its manifest file.
func (x *Exporter) PublishIndex(ctx context.Context, index []byte) error {
	const manifestName = "manifest.json"
	return x.files.Put(ctx, path.Dir(manifestName), index) // EXPECT kvlimits
}

// SendReminders mails every due invoice and remembers how far it got.
func (x *Exporter) SendReminders(ctx context.Context, due []ids.InvoiceID, send func(ids.InvoiceID) error) error {
	for _, inv := range due {
		if err := send(inv); err != nil {
			return err
		}
		if err := x.billing.Put(ctx, "reminders/cursor", []byte(inv)); err != nil { // EXPECT kvhotkey
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := x.billing.PutTTL(ctx, path.Join("reminded", string(inv)), stamp, 7*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}
