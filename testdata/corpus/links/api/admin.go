package api

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/settings"
)

const blocklistKey = "config:blocked-domains"

// Block adds a destination domain to the blocklist.
func Block(w http.ResponseWriter, r *http.Request) {
	domain := strings.ToLower(r.PathValue("domain"))
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	var blocked []string
	if _, err := kvx.LoadJSON(links, blocklistKey, &blocked); err != nil {
		oops(w, err)
		return
	}
	if !slices.Contains(blocked, domain) {
		blocked = append(blocked, domain)
	}
	b, _ := json.Marshal(blocked)
	if err := links.PutString(blocklistKey, string(b), nil); err != nil { // EXPECT kvrace
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Unblock removes a domain from the blocklist.
func Unblock(w http.ResponseWriter, r *http.Request) {
	domain := strings.ToLower(r.PathValue("domain"))
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	err = kvx.Modify(links, blocklistKey, func(cur string, found bool) (string, bool) {
		var blocked []string
		if !found || json.Unmarshal([]byte(cur), &blocked) != nil {
			return "", false
		}
		blocked = slices.DeleteFunc(blocked, func(d string) bool { return d == domain })
		b, _ := json.Marshal(blocked)
		return string(b), true
	})
	if err != nil {
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SiteConfig replaces the public site configuration and returns the old one.
func SiteConfig(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil || !json.Valid(body) {
		http.Error(w, "invalid json", http.StatusBadRequest)
		return
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	prev, _, err := kvx.Load(links, "config:site")
	if err != nil {
		oops(w, err)
		return
	}
	if err := links.PutString("config:site", string(body), nil); err != nil {
		oops(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"previous":`+orNull(prev)+`}`)
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// Promo re-enables the launch promotion banner.
func Promo(w http.ResponseWriter, r *http.Request) {
	links, err := cloudflare.NewKVNamespace(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	opts := cloudflare.KVNamespacePutOptions{Expiration: settings.LaunchPromoEnds} // EXPECT kvttl
	if err := links.PutString("banner:promo", "Pro plan: first 3 months free", &opts); err != nil {
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Drain tells the edge to stop accepting new links ahead of a deploy.
func Drain(w http.ResponseWriter, r *http.Request) {
	links, err := cloudflare.NewKVNamespace(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	var opts cloudflare.KVNamespacePutOptions
	opts.Expiration = int(time.Now().Add(10 * time.Second).Unix()) // EXPECT kvttl
	if err := links.PutString("config:draining", "1", &opts); err != nil {
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// Announce shows a notice in the dashboard for a short while.
func Announce(w http.ResponseWriter, r *http.Request) {
	text, _ := io.ReadAll(io.LimitReader(r.Body, 1024))
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	if err := kvx.SaveUntil(links, "announce", string(text), time.Now().Add(time.Second*30)); err != nil { // EXPECT kvttl
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Export prepares a CSV of the caller's links for download.
func Export(w http.ResponseWriter, r *http.Request) {
	db, err := openDB()
	if err != nil {
		oops(w, err)
		return
	}
	rows, err := db.QueryContext(r.Context(), `SELECT slug, url, created_at FROM links WHERE owner = ? AND deleted_at IS NULL`, apiKey(r))
	if err != nil {
		oops(w, err)
		return
	}
	defer rows.Close()
	var sb strings.Builder
	sb.WriteString("slug,url,created_at\n")
	for rows.Next() {
		var slug, u string
		var created int64
		if err := rows.Scan(&slug, &u, &created); err != nil {
			oops(w, err)
			return
		}
		sb.WriteString(slug + "," + u + "," + time.Unix(created, 0).UTC().Format(time.RFC3339) + "\n")
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	id := randomSlug()
	err = links.PutReader("export:"+id, strings.NewReader(sb.String()), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(time.Hour.Seconds()),
	})
	if err != nil {
		oops(w, err)
		return
	}
	// the "recent exports" list in the dashboard reads these
	summary, _ := json.Marshal(map[string]any{"id": id, "owner": apiKey(r), "bytes": sb.Len()})
	if err := kvx.Save(links, "exportinfo:"+id, string(summary), int(time.Hour)); err != nil { // EXPECT kvttl
		oops(w, err)
		return
	}
	reply(w, http.StatusCreated, map[string]string{"download": "/exports/" + id})
}

// Download serves an export once and removes it.
func Download(w http.ResponseWriter, r *http.Request) {
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	key := "export:" + r.PathValue("id")
	csv, ok, err := kvx.Load(links, key)
	if err != nil {
		oops(w, err)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	_, _ = io.WriteString(w, csv)
	_ = kvx.Remove(links, key)
}
