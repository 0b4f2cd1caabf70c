// Package export produces inventories and dumps of the edge namespaces for
// backups, compliance reviews and the console's key browser.
package export

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// Exporter reads one namespace, directly and through the port.
type Exporter struct {
	CF        *cloudflare.Client
	Account   string
	Namespace string
	Store     storage.Store
	MaxPages  int           // page budget for dumps
	Deadline  time.Duration // time budget for dumps
}

func (e *Exporter) params(prefix string, limit float64) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.Account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(limit),
	}
}

// Inventory writes one CSV row per flag key: name, expiry, metadata.
func (e *Exporter) Inventory(ctx context.Context, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	defer cw.Flush()
	params, n := e.params(kvkey.Flags.Prefix(), 1000), 0
	for {
		page, err := e.CF.KV.Namespaces.Keys.List(ctx, e.Namespace, params) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range page.Result {
			meta, _ := json.Marshal(k.Metadata)
			if err := cw.Write([]string{k.Name, fmt.Sprint(int64(k.Expiration)), string(meta)}); err != nil {
				return n, err
			}
			n++
		}
		if page.ResultInfo.Cursor == "" {
			return n, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// Definitions writes every flag definition of env as JSON lines.
func (e *Exporter) Definitions(ctx context.Context, env string, w io.Writer) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, e.Deadline)
	defer cancel()
	params, n := e.params(kvkey.Flags.Child(env).Prefix(), 1000), 0
	for pages := 0; pages < e.MaxPages; pages++ {
		page, err := e.CF.KV.Namespaces.Keys.List(ctx, e.Namespace, params)
		if err != nil {
			return n, err
		}
		for _, k := range page.Result {
			res, err := e.CF.KV.Namespaces.Values.Get(ctx, e.Namespace, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
				AccountID: cloudflare.F(e.Account),
			})
			if err != nil {
				return n, fmt.Errorf("export: %s: %w", k.Name, err)
			}
			_, err = io.Copy(w, res.Body)
			res.Body.Close()
			if _, err2 := io.WriteString(w, "\n"); err == nil {
				err = err2
			}
			if err != nil {
				return n, err
			}
			n++
		}
		if page.ResultInfo.Cursor == "" {
			return n, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return n, fmt.Errorf("export: %s has more than %d pages", env, e.MaxPages)
}

// Page returns one page of key names for the console's key browser, with
// the cursor for the next page.
func (e *Exporter) Page(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := e.params(prefix, 5000) // EXPECT kvlimits
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := e.CF.KV.Namespaces.Keys.List(ctx, e.Namespace, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(page.Result))
	for i, k := range page.Result {
		names[i] = k.Name
	}
	return names, page.ResultInfo.Cursor, nil
}

// Summary counts flags in env by state, from list metadata.
type Summary struct {
	Env      string    `json:"env"`
	Total    int       `json:"total"`
	Enabled  int       `json:"enabled"`
	Partial  bool      `json:"partial"`
	Computed time.Time `json:"computed"`
}

// Summarize computes and stores the daily summary shown on the dashboard.
func (e *Exporter) Summarize(ctx context.Context, env string) (Summary, error) {
	s, cursor := Summary{Env: env, Partial: true}, ""
	for pages := 0; pages < e.MaxPages && s.Partial; pages++ {
		p, err := e.Store.List(ctx, kvkey.Flags.Child(env).Prefix(), cursor, storage.WithLimit(2500)) // EXPECT kvlimits
		if err != nil {
			return s, err
		}
		for _, ent := range p.Entries {
			s.Total++
			if m, ok := ent.Metadata.(map[string]any); ok && m["enabled"] == true {
				s.Enabled++
			}
		}
		s.Partial, cursor = !p.Complete, p.Cursor
	}
	s.Computed = time.Now().UTC()
	b, _ := json.Marshal(s)
	key := kvkey.Key("stats").Child(env, "flag-count").String()
	return s, e.Store.Put(ctx, key, b, storage.WithTTL(36*time.Hour)) // DEBATABLE kvcounter
}
