//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// categoryPrefix mirrors tuple.Root("browse").Sub("cat", category).
func categoryPrefix(category string) string {
	return "sbrowse!scat!s" + category + "!"
}

func (w *Worker) categoryIDs(rw http.ResponseWriter, r *http.Request) {
	prefix := categoryPrefix(r.PathValue("category"))
	var names []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix}
	for {
		res, err := w.kv.Main.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, prefix))
		}
		opts.Cursor = res.Cursor
	}
	_ = json.NewEncoder(rw).Encode(names)
}

const maxSellerPages = 5

func (w *Worker) sellerListings(rw http.ResponseWriter, r *http.Request) {
	prefix := "slisting!ssku!s" + r.PathValue("handle") + "!"
	res, err := w.kv.Main.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 200})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	names := keyNames(res)
	for page := 1; page < maxSellerPages && !res.ListComplete; page++ {
		res, err = w.kv.Main.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 200}) // EXPECT kvlist
		if err != nil {
			break
		}
		names = append(names, keyNames(res)...)
	}
	_ = json.NewEncoder(rw).Encode(names)
}

func keyNames(res *cloudflare.KVNamespaceListResult) []string {
	out := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	return out
}

// collectCategory gathers at most maxKeys entries of a category for the
// snapshot, page by page.
func (w *Worker) collectCategory(category string, maxKeys int) (int, bool, error) {
	prefix := categoryPrefix(category)
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}
	n := 0
	for n < maxKeys {
		res, err := w.kv.Main.List(opts)
		if err != nil {
			return n, false, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			return n, true, nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: res.Cursor, Limit: 1000}
	}
	return n, false, nil
}

var categories = []string{"antiques", "books", "bikes", "cameras", "clothing", "furniture", "games", "garden", "music", "tools"}

// Snapshot is the hourly cron task. It refreshes the category menu with
// approximate sizes.
func (w *Worker) Snapshot(ctx context.Context) error {
	sizes := make(map[string]int, len(categories))
	for _, c := range categories {
		n, complete, err := w.collectCategory(c, 20000)
		if err != nil {
			return err
		}
		sizes[c] = n
		status, _ := json.Marshal(map[string]any{"category": c, "n": n, "complete": complete})
		if err := w.kv.Main.PutString("menu:snapshot-status", string(status), nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	raw, _ := json.Marshal(sizes)
	if err := w.kv.Main.PutString("menu:sizes", string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 7200}); err != nil {
		return err
	}
	for _, c := range categories {
		// One write per category per tick; each key is distinct.
		stamp := time.Now().UTC().Format(time.RFC3339)
		if err := w.kv.Main.PutString("menu:refreshed:"+c, stamp, nil); err != nil {
			return err
		}
	}
	return nil
}

// Menu returns the category menu, rebuilding it from the snapshot when the
// edge cache is cold.
func (w *Worker) Menu(rw http.ResponseWriter, r *http.Request) {
	v, err := w.kv.Main.GetString("menu:sizes", &cloudflare.KVNamespaceGetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil || v == nullText {
		io.WriteString(rw, "{}")
		return
	}
	io.WriteString(rw, v)
}

// Banner stores a short promotional banner that disappears on its own.
func (w *Worker) Banner(text string) error {
	return w.kv.Main.PutString("menu:banner", text, &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(20 * time.Second).Unix()), // EXPECT kvttl
	})
}

// Export lists every sold listing for the accountant's monthly export.
func (w *Worker) Export() ([]string, error) {
	res, err := w.kv.Main.List(&cloudflare.KVNamespaceListOptions{
		Prefix: "sbrowse!ssold!",
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := keyNames(res)
	if !res.ListComplete {
		out = append(out, "…")
	}
	return out, nil
}
