package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/ibex/internal/edgekv"
)

// InventoryIndex is where the rebuilt sponsor inventory is published.
type InventoryIndex interface {
	Publish(ctx context.Context, byEpisode map[string]int) error
}

// RebuildInventory counts active sponsor slots per episode.
func RebuildInventory(ctx context.Context, edge *edgekv.Client, out InventoryIndex) error {
	cf, account, nsID, err := edge.SDK("sponsors")
	if err != nil {
		return err
	}
	byEpisode := map[string]int{}
	iter := cf.KV.Namespaces.Keys.ListAutoPaging(ctx, nsID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(account), Prefix: cloudflare.F("active:slot:")}) // EXPECT kvlist
	for iter.Next() {
		parts := strings.Split(iter.Current().Name, ":")
		if len(parts) >= 3 {
			byEpisode[parts[2]]++
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return out.Publish(ctx, byEpisode)
}

// CreativeCheck is the outcome of verifying one creative manifest.
type CreativeCheck struct {
	Key    string
	SHA256 string
	Err    error
}

// VerifyCreatives hashes one page of creative manifests concurrently and
// returns the results with the cursor of the next page.
func VerifyCreatives(ctx context.Context, edge *edgekv.Client, cursor string, parallel int) (map[string]CreativeCheck, string, error) {
	ks, next, err := edge.Keys(ctx, "sponsors", "creative:", cursor, 200)
	if err != nil {
		return nil, "", err
	}
	sem := make(chan struct{}, max(parallel, 1))
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		out = make(map[string]CreativeCheck, len(ks))
	)
	for _, k := range ks {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return out, cursor, ctx.Err()
		}
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			defer func() { <-sem }()
			raw, err := edge.Read(ctx, "sponsors", name) // EXPECT kvlist
			c := CreativeCheck{Key: name, Err: err}
			if err == nil {
				sum := sha256.Sum256(raw)
				c.SHA256 = hex.EncodeToString(sum[:])
			}
			mu.Lock()
			out[name] = c
			mu.Unlock()
		}(k.Name)
	}
	wg.Wait()
	return out, next, nil
}

// PublishInventory writes the rebuilt inventory once per run, one key per
// episode.
type PublishInventory struct {
	Edge *edgekv.Client
}

// Publish implements InventoryIndex.
func (p PublishInventory) Publish(ctx context.Context, byEpisode map[string]int) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(byEpisode))
	for ep, n := range byEpisode {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("inventory:" + ep),
			Value: cloudflare.F(strconv.Itoa(n)),
		})
	}
	for len(body) > 0 {
		n := min(len(body), 10_000)
		if err := p.Edge.WriteBatch(ctx, "sponsors", body[:n]); err != nil {
			return err
		}
		body = body[n:]
	}
	return p.Edge.Remove(ctx, "sponsors", "inventory:dirty")
}
