package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	cf2 "github.com/cloudflare/cloudflare-go/v2"
	kv2 "github.com/cloudflare/cloudflare-go/v2/kv"
)

// WalkProgress is stored while a walk runs so that a second operator can see
// that one is in progress.
type WalkProgress struct {
	Namespace string    `json:"namespace"`
	Prefix    string    `json:"prefix"`
	Pages     int       `json:"pages"`
	Keys      int       `json:"keys"`
	Cursor    string    `json:"cursor"`
	At        time.Time `json:"at"`
}

const progressKey = "ops:walk:progress"

// Walk calls fn for every key under prefix, at most maxPages pages.
func (w *Walker) Walk(ctx context.Context, namespaceID, prefix string, maxPages int, fn func(name string, expiration float64) error) (WalkProgress, error) {
	prog := WalkProgress{Namespace: namespaceID, Prefix: prefix}
	params := kv2.NamespaceKeyListParams{
		AccountID: cf2.F(w.AccountID),
		Prefix:    cf2.F(prefix),
		Limit:     cf2.F(1000.0),
	}
	for prog.Pages < maxPages {
		page, err := w.V2.KV.Namespaces.Keys.List(ctx, namespaceID, params) // EXPECT kvlist
		if err != nil {
			return prog, err
		}
		for _, k := range page.Result {
			if err := fn(k.Name, k.Expiration); err != nil {
				return prog, err
			}
		}
		prog.Pages++
		prog.Keys += len(page.Result)
		prog.Cursor = page.ResultInfo.Cursor
		prog.At = time.Now().UTC()
		state, _ := json.Marshal(prog)
		if _, err := w.V2.KV.Namespaces.Values.Update(ctx, namespaceID, progressKey, kv2.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cf2.F(w.AccountID),
			Metadata:  cf2.F("{}"),
			Value:     cf2.F(string(state)),
		}); err != nil {
			return prog, err
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv2.NamespaceKeyListParams{
			AccountID: cf2.F(w.AccountID),
			Cursor:    cf2.F(page.ResultInfo.Cursor),
			Limit:     cf2.F(1000.0),
		}
	}
	return prog, nil
}

// Sample prints a handful of key names under prefix, to eyeball a layout.
func (w *Walker) Sample(ctx context.Context, namespaceID, prefix string) ([]string, error) {
	page, err := w.V2.KV.Namespaces.Keys.List(ctx, namespaceID, kv2.NamespaceKeyListParams{
		AccountID: cf2.F(w.AccountID),
		Prefix:    cf2.F(prefix),
		Limit:     cf2.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// Inspect prints one value.
func (w *Walker) Inspect(ctx context.Context, namespaceID, key string) error {
	v, err := w.V2.KV.Namespaces.Values.Get(ctx, namespaceID, key, kv2.NamespaceValueGetParams{
		AccountID: cf2.F(w.AccountID),
	})
	if err != nil {
		return fmt.Errorf("inspect %s: %w", key, err)
	}
	if *v == "" { // EXPECT kvnull
		fmt.Fprintf(w.Out, "%s: (no such key)\n", key)
		return nil
	}
	fmt.Fprintf(w.Out, "%s (%d bytes)\n%s\n", key, len(*v), *v)
	return nil
}
