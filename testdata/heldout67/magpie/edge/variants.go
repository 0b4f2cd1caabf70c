//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type variant struct {
	Name  string `json:"name"`
	R2Key string `json:"r2"`
	Fmt   string `json:"fmt"`
}

type manifest struct {
	ImageID  string    `json:"image_id"`
	Variants []variant `json:"variants"`
}

// missing is how syscall/js renders the null that KV returns for a missing key.
const missing = "<null>"

func serveVariant(b *Bindings, w http.ResponseWriter, r *http.Request) {
	id, name := r.PathValue("id"), r.PathValue("variant")

	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host != "" && ref.Host != r.Host {
		blocked, err := b.Links.GetString("hotlink:block:"+ref.Hostname(), &kv.GetOptions{
			CacheTTL: 15, // EXPECT kvttl
		})
		if err == nil && blocked != "" { // EXPECT kvnull
			http.Error(w, "hotlinking is not allowed", http.StatusForbidden)
			return
		}
	}

	m, err := loadManifest(b, r, id)
	if err != nil {
		http.Error(w, "manifest unavailable", http.StatusBadGateway)
		return
	}
	if m == nil {
		http.NotFound(w, r)
		return
	}
	for _, v := range m.Variants {
		if v.Name == name {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			http.Redirect(w, r, b.Origin+"/"+v.R2Key, http.StatusFound)
			return
		}
	}
	http.NotFound(w, r)
}

// loadManifest reads the manifest from KV, filling KV from D1 on a miss.
func loadManifest(b *Bindings, r *http.Request, id string) (*manifest, error) {
	key := "manifest:" + id
	raw, err := b.Variants.GetString(key, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if raw != missing {
		var m manifest
		return &m, json.Unmarshal([]byte(raw), &m)
	}
	rows, err := b.DB.QueryContext(r.Context(),
		`SELECT name, r2_key, format FROM variants WHERE image_id = ? ORDER BY name`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := &manifest{ImageID: id}
	for rows.Next() {
		var v variant
		if err := rows.Scan(&v.Name, &v.R2Key, &v.Fmt); err != nil {
			return nil, err
		}
		m.Variants = append(m.Variants, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(m.Variants) == 0 {
		return nil, nil
	}
	body, _ := json.Marshal(m)
	err = b.Variants.PutString(key, string(body), &kv.PutOptions{
		ExpirationTTL: int((10 * time.Minute).Seconds()),
	})
	return m, err
}
