//go:build js && wasm

package edge

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// previewTTL is how long a review link for an unpublished episode stays valid.
const previewTTL = 45

type mediaPointer struct {
	R2Key    string `json:"r2_key"`
	Bytes    int    `json:"bytes"`
	Type     string `json:"type"`
	Uploaded string `json:"uploaded"`
}

// uploadEpisode stores the audio in R2 and a small pointer in KV.
func uploadEpisode(e *env, w http.ResponseWriter, r *http.Request) {
	show, episode := r.PathValue("show"), r.PathValue("episode")
	objKey := "audio/" + show + "/" + episode + ".mp3"
	obj, err := e.media.Put(objKey, r.Body, &cloudflare.R2PutOptions{
		HTTPMetadata:   cloudflare.R2HTTPMetadata{ContentType: "audio/mpeg"},
		CustomMetadata: map[string]string{"show": show, "episode": episode},
	})
	if err != nil {
		http.Error(w, "upload failed", http.StatusBadGateway)
		return
	}
	ptr, _ := json.Marshal(mediaPointer{R2Key: objKey, Bytes: obj.Size, Type: "audio/mpeg", Uploaded: obj.Uploaded.Format(time.RFC3339)})
	if err := e.kv.PutString("media:"+episode, string(ptr), nil); err != nil {
		_ = e.media.Delete(objKey)
		http.Error(w, "upload failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": objKey, "bytes": obj.Size})
}

// appendChapter adds one "HH:MM:SS title" line to an episode's chapter list.
func appendChapter(e *env, w http.ResponseWriter, r *http.Request) {
	line, err := io.ReadAll(io.LimitReader(r.Body, 512))
	if err != nil || len(line) == 0 {
		http.Error(w, "bad chapter", http.StatusBadRequest)
		return
	}
	key := "chapters:" + r.PathValue("episode")
	cur, err := e.kv.GetString(key, nil)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if cur == nullValue {
		cur = ""
	}
	next := cur + strings.TrimSpace(string(line)) + "\n"
	if err := e.kv.PutString(key, next, nil); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createPreview mints a review link for an episode that is not yet public.
func createPreview(e *env, w http.ResponseWriter, r *http.Request) {
	id := randomHex(12)
	objKey := "audio/" + r.PathValue("show") + "/" + r.PathValue("episode") + ".mp3"
	if err := e.kv.PutString("preview:"+id, objKey, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: previewTTL, // EXPECT kvttl
	}); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}

	// Remember that this episode was previewed recently so the dashboard can
	// throttle repeated link requests.
	window := time.Duration(loadConfig(e).ThrottleWindowSec) * time.Second
	_ = e.kv.PutString("previewed:"+r.PathValue("episode"), id, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(max(2*window, 3*time.Second).Seconds()), // EXPECT kvttl
	})
	writeJSON(w, http.StatusCreated, map[string]string{"url": "https://hoopoe.fm/p/" + id})
}

// setPromo shows a promo banner on a show page until the end of the day (UTC)
// or for a number of hours.
func setPromo(e *env, w http.ResponseWriter, r *http.Request) {
	text, _ := io.ReadAll(io.LimitReader(r.Body, 2048))
	show := r.PathValue("show")
	now := time.Now().UTC()
	if h, err := strconv.Atoi(r.URL.Query().Get("hours")); err == nil && h > 0 {
		ttl := max(time.Duration(h)*time.Hour, time.Minute)
		_ = e.kv.PutString("promo:"+show, string(text), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())})
		w.WriteHeader(http.StatusNoContent)
		return
	}
	endOfDay := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, time.UTC)
	if err := e.kv.PutString("promo:"+show, string(text), &cloudflare.KVNamespacePutOptions{
		Expiration: int(endOfDay.UnixMilli()), // EXPECT kvttl
	}); err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	// The weekly digest banner runs until Monday 00:00 UTC.
	monday := now.AddDate(0, 0, (8-int(now.Weekday()))%7+1).Truncate(24 * time.Hour)
	_ = e.kv.PutString("digest:"+show, string(text), &cloudflare.KVNamespacePutOptions{Expiration: int(monday.Unix())})
	w.WriteHeader(http.StatusNoContent)
}

// serveSite serves a show's static site; pages are stored by relative path.
func serveSite(e *env, w http.ResponseWriter, r *http.Request) {
	site, err := cloudflare.NewKVNamespace(r.Context(), "SITES_"+strings.ToUpper(cloudflare.Getenv(r.Context(), "SITES_SHARD")))
	if err != nil {
		site = e.kv
	}
	rel := strings.Trim(r.PathValue("rest"), "/")
	if rel == "" {
		rel = "." // EXPECT kvlimits
	}
	page, err := site.GetString(rel, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600})
	if err != nil || page == nullValue {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, page)
}

type episodeRow struct {
	ID        string `json:"id"`
	ShowID    string `json:"show_id"`
	Title     string `json:"title"`
	Duration  int    `json:"duration"`
	Published string `json:"published"`
}

// episodeInfo is a read-through cache in front of D1.
func episodeInfo(e *env, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("episode")
	cached, err := e.kv.GetString("ep:"+id, &cloudflare.KVNamespaceGetOptions{CacheTTL: 120})
	if err == nil && cached != nullValue {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, cached)
		return
	}
	var ep episodeRow
	err = e.db.QueryRowContext(r.Context(), `SELECT id, show_id, title, duration, published FROM episodes WHERE id = ?`, id).
		Scan(&ep.ID, &ep.ShowID, &ep.Title, &ep.Duration, &ep.Published)
	if errors.Is(err, sql.ErrNoRows) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	body, _ := json.Marshal(ep)
	ctx := r.Context()
	cloudflare.WaitUntil(ctx, func() {
		_ = e.kv.PutString("ep:"+id, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300})
	})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
