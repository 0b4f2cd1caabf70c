package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/settings"
)

func tagKey(tag string) string { return "tag:" + strings.ToLower(tag) }

// Tag adds a link to a public tag page.
func Tag(w http.ResponseWriter, r *http.Request) {
	slug, tag := r.PathValue("slug"), r.PathValue("tag")
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	err = kvx.Modify(links, tagKey(tag), func(cur string, found bool) (string, bool) {
		var slugs []string
		if found {
			slugs = strings.Fields(cur)
		}
		if slices.Contains(slugs, slug) {
			return "", false
		}
		return strings.Join(append(slugs, slug), " "), true
	})
	if err != nil {
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Untag removes a link from a tag page.
func Untag(w http.ResponseWriter, r *http.Request) {
	slug, tag := r.PathValue("slug"), r.PathValue("tag")
	links, err := cloudflare.NewKVNamespace(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	cur, err := links.GetString(tagKey(tag), nil)
	if err != nil {
		oops(w, err)
		return
	}
	if cur == "<null>" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	kept := strings.Fields(cur)
	kept = slices.DeleteFunc(kept, func(s string) bool { return s == slug })
	if len(kept) == 0 {
		if err := links.Delete(tagKey(tag)); err != nil {
			oops(w, err)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := links.PutString(tagKey(tag), strings.Join(kept, " "), nil); err != nil { // EXPECT kvrace
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// TagPage lists the links on a tag page.
func TagPage(w http.ResponseWriter, r *http.Request) {
	links, err := cloudflare.NewKVNamespace(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	cur, err := links.GetString(tagKey(r.PathValue("tag")), &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		oops(w, err)
		return
	}
	if cur == "<null>" {
		reply(w, http.StatusOK, []string{})
		return
	}
	reply(w, http.StatusOK, strings.Fields(cur))
}

type tagCount struct {
	Tag   string `json:"tag"`
	Links int    `json:"links"`
}

// TagCloud serves the most used tags, computed in D1.
func TagCloud(w http.ResponseWriter, r *http.Request) {
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	if v, ok, err := kvx.Load(links, "tagcloud"); err == nil && ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(v))
		return
	}
	cloud, err := queryTagCloud(r.Context())
	if err != nil {
		oops(w, err)
		return
	}
	if err := kvx.SaveJSON(links, "tagcloud", cloud, 45*time.Second); err != nil { // EXPECT kvttl
		oops(w, err)
		return
	}
	reply(w, http.StatusOK, cloud)
}

func queryTagCloud(ctx context.Context) ([]tagCount, error) {
	db, err := openDB()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT tag, COUNT(*) AS n FROM link_tags GROUP BY tag ORDER BY n DESC LIMIT 50`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tagCount
	for rows.Next() {
		var tc tagCount
		if err := rows.Scan(&tc.Tag, &tc.Links); err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, rows.Err()
}
