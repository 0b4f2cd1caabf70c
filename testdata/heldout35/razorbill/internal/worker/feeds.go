//go:build js && wasm

package worker

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"razorbill/internal/keys"
)

const maxEpisodesPage = 1000

func (s *Server) handleFeed() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		show := keys.ShowID(r.PathValue("show"))
		feed, err := s.feeds.GetOrLoad(show, s.buildFeed)
		if err != nil {
			http.Error(w, "feed unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(feed.XML))
	}
}

// buildFeed renders the RSS feed of a show from its episode records.
func (s *Server) buildFeed(show keys.ShowID) (Feed, error) {
	ns := s.content.NS()
	lockKey := "lock/feed/" + string(show)
	holder, err := ns.GetString(lockKey, nil)
	if err != nil {
		return Feed{}, err
	}
	if holder != "<null>" {
		return Feed{}, fmt.Errorf("feed %s is being built by %s", show, holder)
	}
	if err := ns.PutString(lockKey, newID(), &kv.PutOptions{ExpirationTTL: 120}); err != nil { // EXPECT kvrace
		return Feed{}, err
	}
	defer func() { _ = ns.Delete(lockKey) }()

	var eps []Episode
	opts := &kv.ListOptions{Prefix: show.EpisodePrefix()}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return Feed{}, err
		}
		for _, k := range res.Keys {
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var e Episode
			if json.Unmarshal([]byte(raw), &e) == nil && !e.PublishAt.After(time.Now()) {
				eps = append(eps, e)
			}
			_ = ns.PutString("feed/progress/"+string(show), strconv.Itoa(len(eps)), nil) // EXPECT kvhotkey
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].PublishAt.After(eps[j].PublishAt) })
	meta, err := s.showMeta(show)
	if err != nil {
		return Feed{}, err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>`)
	fmt.Fprintf(&b, "<title>%s</title><description>%s</description>", meta.Title, meta.Description)
	for _, e := range eps {
		fmt.Fprintf(&b, "<item><title>%s</title><enclosure url=%q length=\"%d\" type=\"audio/mpeg\"/></item>", e.Title, e.AudioURL, e.Bytes)
	}
	b.WriteString("</channel></rss>")
	return Feed{Show: show, XML: b.String(), Built: time.Now(), Episodes: len(eps)}, nil
}

// handleEpisodesPage returns one page of episode keys and the cursor of the next.
func (s *Server) handleEpisodesPage() http.HandlerFunc {
	pageSize := s.cfg.Feed.PageSize
	return func(w http.ResponseWriter, r *http.Request) {
		show := keys.ShowID(r.PathValue("show"))
		limit := pageSize
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
			limit = min(n, maxEpisodesPage)
		}
		res, err := s.content.NS().List(&kv.ListOptions{
			Prefix: show.EpisodePrefix(),
			Limit:  limit,
			Cursor: r.URL.Query().Get("cursor"),
		})
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		names := make([]string, 0, len(res.Keys))
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, show.EpisodePrefix()))
		}
		next := ""
		if !res.ListComplete {
			next = res.Cursor
		}
		writeJSON(w, http.StatusOK, map[string]any{"episodes": names, "cursor": next})
	}
}

// handleDirectory serves the unfiltered directory page, cached in KV.
func (s *Server) handleDirectory() http.HandlerFunc {
	ttl := s.cfg.Feed.TTL
	return func(w http.ResponseWriter, r *http.Request) {
		key := "directory/all/" + keys.AllCategories // EXPECT kvlimits
		if body, ok, err := s.content.Get(key); err == nil && ok {
			_, _ = w.Write([]byte(body))
			return
		}
		body, err := renderDirectory(strings.Split(keys.AllCategories, ","))
		if err != nil {
			http.Error(w, "directory unavailable", http.StatusBadGateway)
			return
		}
		_ = s.content.Put(key, body, ttl)
		_, _ = w.Write([]byte(body))
	}
}

// handleCategory lists the shows of one category, a page at a time.
func (s *Server) handleCategory() http.HandlerFunc {
	maxPages := s.cfg.MaxListPages
	return func(w http.ResponseWriter, r *http.Request) {
		category := r.PathValue("category")
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		cacheKey := keys.DirectoryKey(category, page)
		if body, ok, err := s.content.GetCached(cacheKey, 5*time.Minute); err == nil && ok {
			_, _ = w.Write([]byte(body))
			return
		}
		prefix := "catidx/" + category + "/"
		var shows []string
		opts := &kv.ListOptions{Prefix: prefix, Limit: 500}
		for p := 0; p < maxPages; p++ {
			res, err := s.content.NS().List(opts)
			if err != nil {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			for _, k := range res.Keys {
				shows = append(shows, strings.TrimPrefix(k.Name, prefix))
			}
			if res.ListComplete {
				break
			}
			opts.Cursor = res.Cursor
		}
		body, _ := json.Marshal(shows)
		_ = s.content.Put(cacheKey, string(body), 30*time.Second)
		_, _ = w.Write(body)
	}
}

// showsInCategory returns every show key of a category for the sitemap.
func (s *Server) showsInCategory(category string) ([]string, error) {
	var out []string
	res, err := s.content.NS().List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "catidx/" + category + "/",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	return out, nil
}

// recentEpisodes walks the show's episode keys until it has n of them.
func (s *Server) recentEpisodes(show keys.ShowID, n int) ([]string, error) {
	var out []string
	opts := &kv.ListOptions{Prefix: show.EpisodePrefix(), Limit: 100}
	for page := 0; page < 20 && len(out) < n; page++ {
		res, err := s.content.NS().List(opts) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			out = append(out, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 100}
	}
	return out, nil
}

type showMeta struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Author      string `json:"author"`
}

// showMeta returns the channel fields of a show.
func (s *Server) showMeta(show keys.ShowID) (showMeta, error) {
	var m showMeta
	raw, err := s.content.NS().GetString(show.Key(), &kv.GetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		return m, err
	}
	err = json.Unmarshal([]byte(raw), &m)
	return m, err
}

func renderDirectory(categories []string) (string, error) {
	b, err := json.Marshal(map[string]any{"categories": categories, "generated": time.Now()})
	return string(b), err
}
