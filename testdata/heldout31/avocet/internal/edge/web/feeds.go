//go:build js && wasm

package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/feeds"
	"example.com/avocet/internal/ops"
)

// episodesOf reads the show's episode list document, which the backend
// rewrites whenever an episode is published.
func (s *server) episodesOf(ctx context.Context, show string) ([]domain.Episode, error) {
	res, err := s.d.Exec(ctx, ops.Get("episodes:"+show))
	if err != nil || !res.Found {
		return nil, err
	}
	var eps []domain.Episode
	return eps, json.Unmarshal(res.Value, &eps)
}

func (s *server) renderer(show domain.Show, token string) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		eps, err := s.episodesOf(ctx, show.ID)
		if err != nil {
			return nil, err
		}
		return feeds.Render(s.d.BaseURL, show, eps, token)
	}
}

func writeFeed(w http.ResponseWriter, doc []byte) {
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(doc)
}

func (s *server) publicFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	show, err := s.d.Shows.Get(ctx, r.PathValue("show"))
	if err != nil || show.Private {
		http.NotFound(w, r)
		return
	}
	doc, err := s.d.Feeds.Fetch(ctx, show.ID, s.renderer(show, ""))
	if err != nil {
		unavailable(w)
		return
	}
	stamp := []byte(strconv.FormatInt(s.d.Now().Unix(), 10))
	if err := s.touch(ctx, "last-feed-hit", stamp); err != nil { // EXPECT kvhotkey
		s.d.Log.Warn("feed hit", "err", err)
	}
	writeFeed(w, doc)
}

func (s *server) previewFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	show, ok := s.ownsShow(r, r.PathValue("show"))
	if !ok {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	doc, err := s.d.Preview.Fetch(ctx, show.ID, s.renderer(show, ""))
	if err != nil {
		unavailable(w)
		return
	}
	writeFeed(w, doc)
}

func (s *server) privateFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok, err := s.d.FeedTokens.Check(ctx, r.PathValue("token"), r.PathValue("show"))
	if errors.Is(err, feeds.ErrForbidden) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		unavailable(w)
		return
	}
	show, err := s.d.Shows.Get(ctx, tok.ShowID)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// Private feeds carry the listener's token in every URL, so each one is
	// rendered per token and never shared through the feed cache.
	doc, err := s.renderer(show, tok.Token)(ctx)
	if err != nil {
		unavailable(w)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	writeFeed(w, doc)
}

func (s *server) issueFeedToken(w http.ResponseWriter, r *http.Request) {
	show, ok := s.ownsShow(r, r.PathValue("show"))
	if !ok || !show.Private {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	listener := r.URL.Query().Get("listener")
	if listener == "" {
		http.Error(w, "listener required", http.StatusBadRequest)
		return
	}
	tok, err := s.d.FeedTokens.Issue(r.Context(), show.ID, listener)
	if err != nil {
		unavailable(w)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{
		"token": tok.Token, "url": s.d.BaseURL + "/private/" + show.ID + "/" + tok.Token,
	})
}

// download records the download on the queue and redirects to the audio.
// Totals are computed by the backend from the queue, not kept here.
func (s *server) download(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	show, ep := r.PathValue("show"), r.PathValue("episode")
	eps, err := s.episodesOf(ctx, show)
	if err != nil {
		unavailable(w)
		return
	}
	for _, e := range eps {
		if e.ID != ep {
			continue
		}
		ev, _ := json.Marshal(domain.DownloadEvent{Show: show, Episode: ep, Country: r.Header.Get("CF-IPCountry"), At: s.d.Now().Unix()})
		if err := s.d.Downloads.SendText(string(ev)); err != nil {
			s.d.Log.Warn("download event", "err", err)
		}
		http.Redirect(w, r, e.AudioURL, http.StatusFound)
		return
	}
	http.NotFound(w, r)
}

func (s *server) discover(w http.ResponseWriter, r *http.Request) {
	doc, err := s.d.Directory.Charts(r.Context(), r.PathValue("country"))
	if err != nil {
		unavailable(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(doc)
}

// episodeStats returns the backend's download total for an episode.
func (s *server) episodeStats(w http.ResponseWriter, r *http.Request) {
	ep := r.PathValue("episode")
	v, err := s.d.Store.Namespace().GetString("rollup:"+ep+":total", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		unavailable(w)
		return
	}
	if v == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"episode":` + strconv.Quote(ep) + `,"total":` + v + `}`))
}
