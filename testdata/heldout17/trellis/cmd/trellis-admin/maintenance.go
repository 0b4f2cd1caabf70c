package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

const (
	maxBulkDelete = 10_000
	defaultScopes = "catalog:read,orders:read,orders:write"
	lastSeededKey = "admin:last-seeded"
)

// prune deletes webhook delivery log entries older than age.
func (a *admin) prune(ctx context.Context, tenant string, age time.Duration) error {
	if tenant == "" {
		return errors.New("prune: -tenant is required")
	}
	prefix := "t:" + tenant + ":delivery:"
	cutoff := time.Now().Add(-age).UTC().Format("20060102T150405")
	var stale []string
	cursor := ""
	for {
		res, err := a.api.ListWorkersKVKeys(ctx, a.rc, cf.ListWorkersKVsParams{NamespaceID: a.ns, Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			// supplier:timestamp:event
			parts := strings.SplitN(strings.TrimPrefix(k.Name, prefix), ":", 3)
			if len(parts) == 3 && parts[1] < cutoff {
				stale = append(stale, k.Name)
			}
		}
		if res.Cursor == "" {
			break
		}
		cursor = res.Cursor
	}
	for start := 0; start < len(stale); start += maxBulkDelete {
		chunk := stale[start:min(start+maxBulkDelete, len(stale))]
		if _, err := a.api.DeleteWorkersKVEntries(ctx, a.rc, cf.DeleteWorkersKVEntriesParams{NamespaceID: a.ns, Keys: chunk}); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "pruned %d delivery entries\n", len(stale))
	return nil
}

// warm requests each product page once so that the storefront's cache is filled before a launch.
func (a *admin) warm(ctx context.Context, tenant, storefront string, maxPages int) error {
	base, err := url.Parse(storefront)
	if err != nil || base.Host == "" {
		return fmt.Errorf("warm: bad -storefront %q", storefront)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	prefix := "t:" + tenant + ":product:"
	params := cf.ListWorkersKVsParams{NamespaceID: a.ns, Prefix: prefix, Limit: 1000}
	warmed := 0
	for page := 0; page < maxPages; page++ {
		res, err := a.api.ListWorkersKVKeys(ctx, a.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("products", strings.TrimPrefix(k.Name, prefix)).String(), nil)
			if err != nil {
				return err
			}
			req.Header.Set("X-Trellis-Tenant", tenant)
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
				warmed++
			}
		}
		if res.Cursor == "" {
			break
		}
		params = cf.ListWorkersKVsParams{NamespaceID: a.ns, Cursor: res.Cursor, Limit: 1000}
	}
	fmt.Fprintf(os.Stderr, "warmed %d product pages\n", warmed)
	return nil
}

// inspect prints a handful of keys under prefix.
func (a *admin) inspect(ctx context.Context, prefix string) error {
	res, err := a.api.ListWorkersKVKeys(ctx, a.rc, cf.ListWorkersKVsParams{
		NamespaceID: a.ns,
		Prefix:      prefix,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		exp := "never"
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		fmt.Printf("%-60s expires %s\n", k.Name, exp)
	}
	if res.Cursor != "" {
		fmt.Println("(more keys follow; narrow the prefix to see them)")
	}
	return nil
}

// seed writes default settings for newly provisioned tenants.
func (a *admin) seed(ctx context.Context, tenants []string) error {
	for _, t := range tenants {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		key := "t:" + t + ":token-default-scopes"
		if _, err := a.api.GetWorkersKV(ctx, a.rc, cf.GetWorkersKVParams{NamespaceID: a.ns, Key: key}); err != nil { // EXPECT kvnull
			_, err := a.api.WriteWorkersKVEntry(ctx, a.rc, cf.WriteWorkersKVEntryParams{ // EXPECT kvrace
				NamespaceID: a.ns,
				Key:         key,
				Value:       []byte(defaultScopes),
			})
			if err != nil {
				return fmt.Errorf("seed %s: %w", t, err)
			}
		}
		_, err := a.api.WriteWorkersKVEntry(ctx, a.rc, cf.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: a.ns,
			Key:         lastSeededKey,
			Value:       []byte(t),
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "seeded %s\n", t)
	}
	return nil
}
