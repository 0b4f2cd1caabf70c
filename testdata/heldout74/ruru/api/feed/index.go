// Package handler serves /api/feed: a show's public RSS document, cached in
// KV in front of the renderer at the origin.
package handler

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
	"github.com/ruru-fm/ruru/internal/vercelkv"
)

// Handler is the Vercel entry point.
func Handler(w http.ResponseWriter, r *http.Request) {
	showID := r.URL.Query().Get("show")
	variant := r.URL.Query().Get("variant")
	if variant == "" {
		variant = "public"
	}
	if showID == "" {
		http.Error(w, "show is required", http.StatusBadRequest)
		return
	}
	st, cfg, err := vercelkv.Store()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if variant == "preview" {
		preview(w, r, st, showID)
		return
	}
	ctx := r.Context()
	key := podcast.FeedCacheKey(showID, variant)

	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := st.Put(ctx, "feeds:last-poll", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
		log.Printf("record poll: %v", err)
	}

	body, err := st.Get(ctx, key)
	if err == nil {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Header().Set("X-Cache", "HIT")
		w.Write(body)
		return
	}
	if !errors.Is(err, kvclient.ErrNotFound) {
		log.Printf("feed cache read %s: %v", key, err)
	}

	resp, err := http.Get(fmt.Sprintf("%s/render/%s.xml?variant=%s", cfg.OriginURL, showID, variant))
	if err != nil {
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		http.Error(w, "feed not found", resp.StatusCode)
		return
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, 20<<20))
	if err != nil {
		http.Error(w, "origin read failed", http.StatusBadGateway)
		return
	}
	if err := st.Put(ctx, key, body, cfg.FeedCacheTTL); err != nil {
		log.Printf("feed cache write %s: %v", key, err)
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("X-Cache", "MISS")
	w.Write(body)
}

// preview serves the editor's unpublished preview of a feed, cached briefly
// so the dashboard's live preview does not hammer the renderer.
func preview(w http.ResponseWriter, r *http.Request, st *kvclient.Store, showID string) {
	key := podcast.FeedCacheKey(showID, "preview")
	resp, err := st.CF.KV.Namespaces.Values.Get(r.Context(), st.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(st.AccountID),
	})
	if err != nil {
		http.Error(w, "preview unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) == 0 { // EXPECT kvnull
		http.Error(w, "no preview yet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write(raw)
}
