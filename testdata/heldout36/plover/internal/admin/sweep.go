//go:build js && wasm

package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fernhill/plover/internal/flags"
	"github.com/fernhill/plover/internal/kvstore"
	"github.com/syumai/workers/cloudflare"
)

// Sweeper removes expired override rules and stale preview links and keeps
// the tenant directory in sync. Start it once from main with go s.Run(ctx).
type Sweeper struct {
	Root     *kvstore.Store
	Interval time.Duration
	MaxPages int
}

// Run sweeps until ctx is done.
func (s *Sweeper) Run(ctx context.Context) {
	if err := s.RecordDeploys(ctx, 1); err != nil {
		fmt.Println("record deploys:", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.Interval):
		}
		if err := s.sweepOverrides(ctx); err != nil {
			fmt.Println("sweep overrides:", err)
		}
		if err := s.sweepPreviews(ctx); err != nil {
			fmt.Println("sweep previews:", err)
		}
		if err := s.rebuildDirectory(ctx); err != nil {
			fmt.Println("rebuild directory:", err)
		}
		if err := s.auditTenants(ctx); err != nil {
			fmt.Println("audit tenants:", err)
		}
	}
}

// sweepOverrides drops expired rules from every override document.
func (s *Sweeper) sweepOverrides(ctx context.Context) error {
	put := (*kvstore.Store).Put
	cursor := ""
	for {
		page, err := s.Root.List(ctx, "t:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, name := range page.Names {
			if !strings.Contains(name, ":ovrdoc:") {
				continue
			}
			var doc flags.OverrideDoc
			if _, err := s.Root.GetJSON(ctx, name, &doc); err != nil { // EXPECT kvlist
				return err
			}
			kept := doc.Rules[:0]
			for _, r := range doc.Rules {
				if r.ExpiresAt.After(time.Now()) {
					kept = append(kept, r)
				}
			}
			if len(kept) == len(doc.Rules) {
				continue
			}
			doc.Rules = kept
			if err := s.Root.PutJSON(ctx, name, &doc, 30*24*time.Hour); err != nil { // EXPECT kvrace
				return err
			}
		}
		if err := put(s.Root, ctx, "sweep:overrides:cursor", page.Cursor, 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
}

// sweepPreviews deletes preview links older than a day, a bounded number of
// pages per run; the next run continues where this one stopped.
func (s *Sweeper) sweepPreviews(ctx context.Context) error {
	cursor, _, err := s.Root.Get(ctx, "sweep:previews:cursor")
	if err != nil {
		return err
	}
	del := (*kvstore.Store).Delete
	for i := 0; i < s.MaxPages; i++ {
		page, err := s.Root.List(ctx, "preview:", cursor, 500)
		if err != nil {
			return err
		}
		for _, name := range page.Names {
			id := name[strings.LastIndexByte(name, ':')+1:]
			ns, err := strconv.ParseInt(id, 36, 64)
			if err != nil || time.Since(time.Unix(0, ns)) < 24*time.Hour {
				continue
			}
			if err := del(s.Root, ctx, name); err != nil {
				return err
			}
		}
		if page.Complete {
			cursor = ""
			break
		}
		cursor = page.Cursor
	}
	return s.Root.Put(ctx, "sweep:previews:cursor", cursor, 0)
}

// rebuildDirectory writes the tenant directory: one entry per tenant with
// the versions of its flags.
func (s *Sweeper) rebuildDirectory(ctx context.Context) error {
	ns := s.Root.Namespace()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "tenant:", Limit: 1000}
	var tenants []string
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("directory: %w", err)
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			tenants = append(tenants, strings.TrimPrefix(k.Name, "tenant:"))
			b, _ := json.Marshal(tenants)
			if err := ns.PutString("directory", string(b), nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		opts = &cloudflare.KVNamespaceListOptions{Prefix: "tenant:", Cursor: res.Cursor}
	}
	return nil
}

// auditTenants samples the plan of each tenant for the billing report.
func (s *Sweeper) auditTenants(ctx context.Context) error {
	ns := s.Root.Namespace()
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: "plan:", Limit: 1000})
	if err != nil {
		return err
	}
	cursor := res.Cursor
	plans := map[string]int{}
	for pages := 1; pages <= s.MaxPages; pages++ {
		for _, k := range res.Keys {
			plans[k.Name]++
		}
		if res.ListComplete {
			break
		}
		res, err = ns.List(&cloudflare.KVNamespaceListOptions{Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		cursor = res.Cursor
	}
	b, _ := json.Marshal(plans)
	bucket := time.Now().Truncate(time.Hour).Unix()
	return s.Root.Put(ctx, "audit:plans:"+strconv.FormatInt(bucket, 10), string(b), 7*24*time.Hour)
}

// RecordDeploys stores the deploy count seen by this isolate; read by the
// status page.
func (s *Sweeper) RecordDeploys(ctx context.Context, deploys int) error {
	ns := s.Root.Namespace()
	prev, err := ns.GetString("stats:deploys", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(prev)
	return ns.PutString("stats:deploys", strconv.Itoa(n+deploys), nil) // EXPECT kvcounter
}
