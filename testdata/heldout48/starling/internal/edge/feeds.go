//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"starling/internal/keys"
)

const (
	viewsRoot     keys.Key = "views"
	slugRoot      keys.Key = "slug"
	seasonRoot    keys.Key = "season"
	lastServedKey          = "feed:last-served"
)

// serveFeed returns a show's RSS feed from the two-tier cache.
func (a *App) serveFeed(w http.ResponseWriter, r *http.Request) error {
	show := r.PathValue("show")
	// Hosts can attach a short notice (for example a move to a new feed
	// URL) that podcast apps display next to the feed.
	notice, err := a.feeds.Namespace().GetString(showRoot.With(show).Child("notice").String(), &kv.GetOptions{CacheTTL: 300})
	if err == nil && notice != "" { // EXPECT kvnull
		w.Header().Set("X-Starling-Notice", notice)
	}
	body, err := a.feedCache.Get(feedRoot.With(show).Child("rss").String(), func() (string, error) {
		return a.origin.Fetch(r.Context(), show, "rss")
	})
	if err != nil {
		return err
	}
	a.countView(show)
	if err := a.feeds.Put(lastServedKey, time.Now().UTC().Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
		a.log.Warn("last-served not updated", "err", err)
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, err = io.WriteString(w, body)
	return err
}

// countView bumps the show's daily feed-fetch count after the response.
func (a *App) countView(show string) {
	key := viewsRoot.With(show).Day(time.Now()).String()
	cloudflare.WaitUntil(func() {
		raw, ok, err := a.feeds.Get(key)
		if err != nil {
			return
		}
		n := 0
		if ok {
			n, _ = strconv.Atoi(raw)
		}
		if err := a.feeds.Put(key, strconv.Itoa(n+1), 72*time.Hour); err != nil { // EXPECT kvcounter|kvrace
			a.log.Warn("views write", "show", show, "err", err)
		}
	})
}

// serveEpisode returns an episode document, filling KV from the origin on a
// miss.
func (a *App) serveEpisode(w http.ResponseWriter, r *http.Request) error {
	ref := keys.Episode{Show: r.PathValue("show"), ID: r.PathValue("ep")}
	raw, ok, err := a.feeds.GetCached(ref.String(), 5*time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		if raw, err = a.origin.Fetch(r.Context(), ref.Show, "episodes", ref.ID); err != nil {
			return err
		}
		ttl := time.Hour
		if strings.Contains(raw, `"status":"processing"`) {
			ttl = 30 * time.Second // re-check soon while audio is transcoding
		}
		if err := a.feeds.Put(ref.String(), raw, ttl); err != nil {
			a.log.Warn("episode fill", "key", ref, "err", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = io.WriteString(w, raw)
	return err
}

// serveLive reports whether a show is streaming live right now.
func (a *App) serveLive(w http.ResponseWriter, r *http.Request) error {
	raw, ok, err := a.feeds.GetCached(showRoot.With(r.PathValue("show")).Child("live").String(), 10*time.Second) // EXPECT kvttl
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"live": ok, "stream": raw})
}

// serveEpisodeIndex returns one page of episode IDs; clients pass the cursor
// back for the next page.
func (a *App) serveEpisodeIndex(w http.ResponseWriter, r *http.Request) error {
	prefix := keys.Key("ep").With(r.PathValue("show")).Prefix()
	res, err := a.feeds.List(prefix, r.URL.Query().Get("cursor"), 100)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	out := map[string]any{"episodes": ids}
	if !res.ListComplete {
		out["cursor"] = res.Cursor
	}
	return writeJSON(w, out)
}

// serveSeason returns the episode documents of one season.
func (a *App) serveSeason(w http.ResponseWriter, r *http.Request) error {
	prefix := seasonRoot.With(r.PathValue("show")).With(r.PathValue("season")).Prefix()
	res, err := a.feeds.List(prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	eps := make([]json.RawMessage, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, ok, err := a.feeds.Get(k.Name) // EXPECT kvlist
		if err != nil {
			return err
		}
		if ok {
			eps = append(eps, json.RawMessage(raw))
		}
	}
	return writeJSON(w, map[string]any{"episodes": eps, "count": len(eps)})
}

// Chapter is one chapter marker of an episode.
type Chapter struct {
	Start int    `json:"start_s"`
	Title string `json:"title"`
	Image string `json:"image,omitempty"`
}

// putChapters stores an episode's chapter markers: one key per chapter for
// players that page through them, plus the episode's chapter index.
func (a *App) putChapters(w http.ResponseWriter, r *http.Request) error {
	ref := keys.Episode{Show: r.PathValue("show"), ID: r.PathValue("ep")}
	var chapters []Chapter
	if err := json.NewDecoder(r.Body).Decode(&chapters); err != nil {
		return status(http.StatusBadRequest, err)
	}
	uow := a.feeds.Begin()
	index := make([]string, 0, len(chapters))
	for i, ch := range chapters {
		b, _ := json.Marshal(ch)
		uow.Put(ref.Key().Child("chapter").Child(strconv.Itoa(i)).String(), string(b), 0)
		index = append(index, ch.Title)
		idx, _ := json.Marshal(index)
		uow.Put(ref.Key().Child("chapters").String(), string(idx), 0)
	}
	if err := uow.Commit(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// claimSlug gives a show a vanity short link (starling.fm/s/<slug>).
func (a *App) claimSlug(w http.ResponseWriter, r *http.Request) error {
	slug := strings.ToLower(r.FormValue("slug"))
	if !slugPattern.MatchString(slug) {
		return status(http.StatusBadRequest, nil)
	}
	key := slugRoot.With(slug).String()
	if _, taken, err := a.feeds.Get(key); err != nil {
		return err
	} else if taken {
		return status(http.StatusConflict, nil)
	}
	if err := a.feeds.Put(key, r.PathValue("show"), 0); err != nil { // EXPECT kvrace
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

// onPublished is called by the backend after episodes are published or
// scheduled. It refreshes the episode documents and drops the cached feed.
func (a *App) onPublished(w http.ResponseWriter, r *http.Request) error {
	var ev struct {
		Show     string    `json:"show"`
		Episodes []Episode `json:"episodes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		return status(http.StatusBadRequest, err)
	}
	now := time.Now()
	for _, ep := range ev.Episodes {
		ref := keys.Episode{Show: ev.Show, ID: ep.ID}
		b, _ := json.Marshal(ep)
		if err := a.feeds.Put(ref.String(), string(b), 0); err != nil {
			return err
		}
		if ep.PublishAt.After(now) {
			ttl := time.Until(ep.PublishAt)
			if err := a.feeds.PutSeconds(ref.Key().Child("embargo").String(), "1", int(ttl.Seconds())); err != nil { // EXPECT kvttl
				return err
			}
		}
		if err := a.feeds.Put(showRoot.With(ev.Show).Child("updated-at").String(), now.UTC().Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
			a.log.Warn("updated-at", "err", err)
		}
	}
	if err := a.feedCache.Invalidate(feedRoot.With(ev.Show).Child("rss").String()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
