//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type keyInfo struct {
	Name    string `json:"name"`
	Expires int    `json:"expires,omitempty"`
}

// adminKeys lists every key under ?prefix= for the support console.
func adminKeys(b *Bindings, w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	var out []keyInfo
	opts := &kv.ListOptions{Prefix: prefix, Limit: 2000} // EXPECT kvlimits
	for {
		res, err := b.Links.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			out = append(out, keyInfo{Name: k.Name, Expires: k.Expiration})
		}
		opts = &kv.ListOptions{Prefix: prefix, Cursor: res.Cursor, Limit: 1000}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// adminExpiring reports share codes that expire within ?within= (default 1h).
func adminExpiring(b *Bindings, w http.ResponseWriter, r *http.Request) {
	within, err := time.ParseDuration(r.URL.Query().Get("within"))
	if err != nil {
		within = time.Hour
	}
	deadline := int(time.Now().Add(within).Unix())
	var soon []keyInfo
	cursor := ""
	for page := 0; page < 20; page++ {
		res, err := b.Links.List(&kv.ListOptions{Prefix: "share:", Cursor: cursor, Limit: 1000})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && k.Expiration < deadline {
				soon = append(soon, keyInfo{Name: strings.TrimPrefix(k.Name, "share:"), Expires: k.Expiration})
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Count", strconv.Itoa(len(soon)))
	_ = json.NewEncoder(w).Encode(soon)
}

// SweepShares runs from the cron trigger: it removes share codes that point
// at deleted images. Every key is visited.
func SweepShares(b *Bindings, exists func(target string) bool) (int, error) {
	removed := 0
	res, err := b.Links.List(&kv.ListOptions{Prefix: "share:"})
	if err != nil {
		return 0, err
	}
	for {
		for _, k := range res.Keys {
			target, err := b.Links.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || target == missing || exists(target) {
				continue
			}
			if err := b.Links.Delete(k.Name); err == nil {
				removed++
			}
		}
		if res.ListComplete {
			return removed, nil
		}
		res, err = b.Links.List(&kv.ListOptions{Cursor: res.Cursor}) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
	}
}

// PublishIndex writes the list of images that have manifests, once per
// cron tick, for the site's sitemap generator.
func PublishIndex(b *Bindings) error {
	rows, err := b.DB.Query(`SELECT DISTINCT image_id FROM variants ORDER BY image_id LIMIT 5000`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	body, _ := json.Marshal(ids)
	return b.Variants.PutString("index:images", string(body), &kv.PutOptions{ExpirationTTL: 2 * 3600})
}

// PublishViews copies yesterday's view totals from D1 into KV so the image
// pages can show them without a database read.
func PublishViews(b *Bindings) error {
	day := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	rows, err := b.DB.Query(`SELECT image_id, SUM(views) FROM daily_views WHERE day = ? GROUP BY image_id ORDER BY 2 DESC LIMIT 500`, day)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if err := b.Variants.PutString("views:"+id, strconv.FormatInt(n, 10), &kv.PutOptions{ExpirationTTL: 48 * 3600}); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return rows.Err()
}
