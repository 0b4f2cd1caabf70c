// Package ops implements the operator commands behind atlasctl.
package ops

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/legacy/kvv2"
	"example.com/atlas/internal/storage"
)

// Toolkit bundles what the commands need.
type Toolkit struct {
	Content  cfkv.Namespace
	Sessions cfkv.Namespace
	Store    storage.Store
	Legacy   *kvv2.Legacy
	Out      io.Writer
}

// PurgeAssets deletes every stored asset of a deleted site.
func (t *Toolkit) PurgeAssets(ctx context.Context, siteID string, dryRun bool) (int, error) {
	prefix := consts.PrefixAsset.Key(siteID, "")
	pager := t.Content.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, t.Content.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(t.Content.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(consts.ListPageSize)),
	})
	var keys []string
	for pager.Next() {
		keys = append(keys, pager.Current().Name)
	}
	if err := pager.Err(); err != nil {
		return 0, err
	}
	if dryRun {
		fmt.Fprintf(t.Out, "would delete %d assets of %s\n", len(keys), siteID)
		return len(keys), nil
	}
	for chunk := range slices.Chunk(keys, consts.BulkMaxPairs) {
		body, _ := json.Marshal(chunk)
		if _, err := t.Content.Client.KV.Namespaces.Bulk.Delete(ctx, t.Content.ID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(t.Content.AccountID),
		}, option.WithRequestBody("application/json", body)); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// ActiveSessions prints one page of signed-in editors.
func (t *Toolkit) ActiveSessions(ctx context.Context, cursor string, limit int) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.Sessions.AccountID),
		Prefix:    cloudflare.F(string(consts.PrefixSession)),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := t.Sessions.Client.KV.Namespaces.Keys.List(ctx, t.Sessions.ID, params)
	if err != nil {
		return err
	}
	lines := make([]string, len(page.Result))
	errs := make([]error, len(page.Result))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, k := range page.Result {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := t.Sessions.Client.KV.Namespaces.Values.Get(ctx, t.Sessions.ID, url.PathEscape(k.Name), kv.NamespaceValueGetParams{ // EXPECT kvlist
				AccountID: cloudflare.F(t.Sessions.AccountID),
			})
			if err != nil {
				if !cfkv.IsNotFound(err) {
					errs[i] = err
				}
				return
			}
			defer res.Body.Close()
			var s struct {
				Email    string    `json:"email"`
				LastSeen time.Time `json:"last_seen"`
			}
			if errs[i] = json.NewDecoder(res.Body).Decode(&s); errs[i] == nil {
				lines[i] = fmt.Sprintf("%s\t%s\t%s\n", k.Name, s.Email, s.LastSeen.Format(time.RFC3339))
			}
		}()
	}
	wg.Wait()
	fmt.Fprint(t.Out, strings.Join(lines, ""))
	if next := page.ResultInfo.Cursor; next != "" {
		fmt.Fprintf(t.Out, "more sessions: rerun with -cursor %s\n", next)
	}
	return errors.Join(errs...)
}

const probeSize = 32 << 20

// Probe measures a large write and read round trip against the store.
func (t *Toolkit) Probe(ctx context.Context) (time.Duration, time.Duration, error) {
	start := time.Now()
	if err := t.Store.Put(ctx, consts.KeyProbe, bytes.Repeat([]byte{'x'}, probeSize), consts.ProbeTTL); err != nil { // EXPECT kvlimits
		return 0, 0, err
	}
	wrote := time.Since(start)
	start = time.Now()
	_, err := t.Store.Get(ctx, consts.KeyProbe)
	return wrote, time.Since(start), err
}

const dumpPageSize = 2000

// DumpKeys prints key names under prefix, at most maxPages pages.
func (t *Toolkit) DumpKeys(ctx context.Context, prefix string, maxPages int) error {
	w := bufio.NewWriter(t.Out)
	defer w.Flush()
	cursor := ""
	for range maxPages {
		page, err := t.Store.List(ctx, prefix, cursor, dumpPageSize) // EXPECT kvlimits
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			exp := "-"
			if !k.Expiration.IsZero() {
				exp = k.Expiration.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\n", k.Name, exp)
		}
		if page.Complete() {
			return nil
		}
		cursor = page.Cursor
	}
	fmt.Fprintf(w, "# stopped after %d pages\n", maxPages)
	return nil
}

// ExportPDF renders the site's PDF bundle and counts the export for billing.
func (t *Toolkit) ExportPDF(ctx context.Context, siteID string, render func(context.Context, string) ([]byte, error)) ([]byte, error) {
	pdf, err := render(ctx, siteID)
	if err != nil {
		return nil, err
	}
	key := "exports:" + siteID + ":count"
	n := 0
	v, err := t.Legacy.GetString(ctx, key)
	switch {
	case errors.Is(err, kvv2.ErrMissing):
	case err != nil:
		return nil, err
	default:
		if n, err = strconv.Atoi(v); err != nil {
			return nil, err
		}
	}
	if err := t.Legacy.PutString(ctx, key, strconv.Itoa(n+1)); err != nil { // EXPECT kvcounter
		return nil, err
	}
	return pdf, nil
}

// ExportLegacy writes every legacy key under prefix with its metadata.
func (t *Toolkit) ExportLegacy(ctx context.Context, prefix string) (int, error) {
	enc := json.NewEncoder(t.Out)
	n := 0
	for k, err := range t.Legacy.AllKeys(ctx, prefix) {
		if err != nil {
			return n, err
		}
		rec := map[string]any{"key": k.Name, "metadata": k.Metadata}
		if k.Expiration > 0 {
			rec["expires"] = time.Unix(int64(k.Expiration), 0).UTC()
		}
		if err := enc.Encode(rec); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
