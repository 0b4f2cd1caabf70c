package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/settings"
)

type linkOwnerCheck func(l *Link) bool

func ownedBy(key string) linkOwnerCheck { return func(l *Link) bool { return l.Owner == key } }

// UpdateURL changes where a link points. D1 first, then the KV copy is
// rebuilt from the row.
func UpdateURL(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	var body struct {
		URL string `json:"url"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !validURL(body.URL) {
		http.Error(w, "invalid url", http.StatusBadRequest)
		return
	}
	db, err := openDB()
	if err != nil {
		oops(w, err)
		return
	}
	res, err := db.ExecContext(r.Context(), `UPDATE links SET url = ? WHERE slug = ? AND owner = ?`, body.URL, slug, apiKey(r))
	if err != nil {
		oops(w, err)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		http.NotFound(w, r)
		return
	}
	var l Link
	if _, err := loadFromDB(r, slug, &l); err != nil {
		oops(w, err)
		return
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	if err := kvx.SaveJSON(links, linkKey(slug), l, settings.LinkCacheFor); err != nil {
		oops(w, err)
		return
	}
	reply(w, http.StatusOK, l)
}

// SetTags replaces the tags shown on the link's info page.
func SetTags(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	var tags []string
	if err := json.NewDecoder(r.Body).Decode(&tags); err != nil {
		http.Error(w, "invalid tags", http.StatusBadRequest)
		return
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	var l Link
	found, err := kvx.LoadJSON(links, linkKey(slug), &l)
	if err != nil {
		oops(w, err)
		return
	}
	if !found || !ownedBy(apiKey(r))(&l) {
		http.NotFound(w, r)
		return
	}
	l.Tags = tags
	b, _ := json.Marshal(&l)
	if err := links.PutString(linkKey(slug), string(b), nil); err != nil { // EXPECT kvrace
		oops(w, err)
		return
	}
	reply(w, http.StatusOK, l)
}

// Delete removes a link and leaves a short-lived tombstone so that the
// redirect handler answers 410 instead of falling back to D1.
func Delete(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	var l Link
	found, err := kvx.LoadJSON(links, linkKey(slug), &l)
	if err != nil {
		oops(w, err)
		return
	}
	if found && l.Owner != apiKey(r) {
		http.Error(w, "not your link", http.StatusForbidden)
		return
	}
	db, err := openDB()
	if err != nil {
		oops(w, err)
		return
	}
	if _, err := db.ExecContext(r.Context(), `UPDATE links SET deleted_at = ? WHERE slug = ? AND owner = ?`,
		time.Now().Unix(), slug, apiKey(r)); err != nil {
		oops(w, err)
		return
	}
	if err := kvx.Remove(links, linkKey(slug)); err != nil {
		oops(w, err)
		return
	}
	_ = links.Delete("owner:" + apiKey(r) + ":" + slug)
	if err := links.PutString("gone:"+slug, "1", &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: settings.TombstoneTTL,
	}); err != nil {
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Rename moves a link to a new slug.
func Rename(w http.ResponseWriter, r *http.Request) {
	from, to := r.PathValue("slug"), r.URL.Query().Get("to")
	if to == "" || strings.ContainsAny(to, "/?#") {
		http.Error(w, "invalid slug", http.StatusBadRequest)
		return
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	raw, ok, err := kvx.Load(links, linkKey(from))
	if err != nil {
		oops(w, err)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	var l Link
	if err := json.Unmarshal([]byte(raw), &l); err != nil || l.Owner != apiKey(r) {
		http.NotFound(w, r)
		return
	}
	db, err := openDB()
	if err != nil {
		oops(w, err)
		return
	}
	if _, err := db.ExecContext(r.Context(), `UPDATE links SET slug = ? WHERE slug = ? AND owner = ?`, to, from, l.Owner); err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			http.Error(w, "slug taken", http.StatusConflict)
			return
		}
		oops(w, err)
		return
	}
	l.Slug = to
	b, _ := json.Marshal(l)
	if err := links.PutString(linkKey(to), string(b), nil); err != nil {
		oops(w, err)
		return
	}
	if err := links.Delete(linkKey(from)); err != nil {
		oops(w, err)
		return
	}
	_ = links.Delete("owner:" + l.Owner + ":" + from)
	_ = links.PutString("owner:"+l.Owner+":"+to, "", nil)
	reply(w, http.StatusOK, l)
}

// AddNote appends a private note to a link.
func AddNote(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	note, err := io.ReadAll(io.LimitReader(r.Body, 2048))
	if err != nil || len(note) == 0 {
		http.Error(w, "empty note", http.StatusBadRequest)
		return
	}
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	key := "notes:" + slug
	notes, _, err := kvx.Load(links, key)
	if err != nil {
		oops(w, err)
		return
	}
	notes += time.Now().UTC().Format(time.RFC3339) + " " + strings.TrimSpace(string(note)) + "\n"
	if err := kvx.Save(links, key, notes, 0); err != nil { // EXPECT kvrace
		oops(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Mine lists the caller's slugs, one page per request.
func Mine(w http.ResponseWriter, r *http.Request) {
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	prefix := "owner:" + apiKey(r) + ":"
	page, err := links.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Limit:  200,
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		oops(w, err)
		return
	}
	slugs := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		slugs = append(slugs, strings.TrimPrefix(k.Name, prefix))
	}
	out := map[string]any{"slugs": slugs, "complete": page.ListComplete}
	if !page.ListComplete {
		out["cursor"] = page.Cursor
	}
	reply(w, http.StatusOK, out)
}
