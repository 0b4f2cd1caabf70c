//go:build js && wasm

package worker

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"razorbill/internal/events"
	"razorbill/internal/keys"
)

const historyLength = 50

type historyEntry struct {
	Episode  keys.EpisodeID `json:"episode"`
	Position float64        `json:"position"`
	At       time.Time      `json:"at"`
}

func (s *Server) handleDownload() http.HandlerFunc {
	ns := s.stats.NS()
	return func(w http.ResponseWriter, r *http.Request) {
		show := keys.ShowID(r.PathValue("show"))
		ep := keys.EpisodeID(r.PathValue("episode"))
		rec, err := s.episodes.GetOrLoad(ep, func(id keys.EpisodeID) (Episode, error) {
			var e Episode
			raw, ok, err := s.content.Get(id.Key(show))
			if err != nil || !ok {
				return e, err
			}
			err = json.Unmarshal([]byte(raw), &e)
			return e, err
		})
		if err != nil || rec.AudioURL == "" {
			http.NotFound(w, r)
			return
		}
		day := time.Now()
		cloudflare.WaitUntil(func() {
			s.countDownload(ep, day)
			_ = ns.PutString("downloads/last", string(ep), nil) // EXPECT kvhotkey
		})
		_ = s.bus.Emit(events.Event{Name: events.EpisodeDownloaded, Payload: events.PlayEvent{EpisodeID: string(ep)}})
		http.Redirect(w, r, rec.AudioURL, http.StatusFound)
	}
}

func (s *Server) countDownload(ep keys.EpisodeID, day time.Time) {
	key := keys.DownloadKey(ep, day)
	ns := s.stats.NS()
	cur, err := ns.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if cur != "<null>" {
		n, _ = strconv.Atoi(cur)
	}
	_ = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 400 * 24 * 3600}) // EXPECT kvcounter
}

func (s *Server) handleStats() http.HandlerFunc {
	ns := s.stats.NS()
	return func(w http.ResponseWriter, r *http.Request) {
		ep := keys.EpisodeID(r.PathValue("episode"))
		today, err := ns.GetString(keys.DownloadKey(ep, time.Now()), nil) // EXPECT kvnull
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		n, _ := strconv.Atoi(today)
		plays, err := s.readPlays(string(ep))
		if err != nil {
			plays = 0
		}
		views, ok, err := s.stats.GetCached("views/"+string(ep), 2*time.Minute)
		if err != nil || !ok {
			views = "0"
		}
		writeJSON(w, http.StatusOK, map[string]any{"downloads_today": n, "plays": plays, "views": views})
	}
}

// flushViews writes the page views counted by this isolate.
func (s *Server) flushViews() {
	s.mu.Lock()
	pending := s.pendingViews
	s.pendingViews = make(map[keys.EpisodeID]int)
	s.mu.Unlock()
	for ep, n := range pending {
		_ = s.stats.NS().PutString("views/"+string(ep), strconv.Itoa(n), nil) // EXPECT kvcounter
	}
}

func (s *Server) handleEpisodePage() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		show := keys.ShowID(r.PathValue("show"))
		ep := keys.EpisodeID(r.PathValue("episode"))
		defer s.flushViews()
		s.mu.Lock()
		s.pendingViews[ep]++
		s.mu.Unlock()

		raw, ok, err := s.content.GetCached(ep.Key(show), 10*time.Second) // EXPECT kvttl
		if err != nil || !ok {
			http.NotFound(w, r)
			return
		}
		if sess, err := s.currentSession(r); err == nil {
			defer func() {
				_ = s.stats.NS().PutString("lastviewed/"+string(sess.ListenerID), string(ep),
					&kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
			}()
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(raw))
	}
}

func (s *Server) handleProgress() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.currentSession(r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		var body struct {
			Episode  keys.EpisodeID `json:"episode"`
			Position float64        `json:"position"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if body.Position == 0 {
			_ = s.bus.Emit(events.Event{Name: events.ListenerActivity,
				Payload: events.PlayEvent{ListenerID: string(sess.ListenerID), EpisodeID: string(body.Episode)}})
		}
		_ = s.bus.Emit(events.Event{Name: events.PlaybackProgress, Payload: events.ProgressEvent{
			ListenerID: string(sess.ListenerID), EpisodeID: string(body.Episode),
			Position: time.Duration(body.Position * float64(time.Second))}})
		w.WriteHeader(http.StatusAccepted)
	}
}

// recordHistory prepends the episode to the listener's history.
func (s *Server) recordHistory(l keys.ListenerID, ep keys.EpisodeID, pos time.Duration) {
	key := l.HistoryKey()
	raw, ok, err := s.content.Get(key)
	if err != nil {
		return
	}
	var hist []historyEntry
	if ok {
		_ = json.Unmarshal([]byte(raw), &hist)
	}
	hist = append([]historyEntry{{Episode: ep, Position: pos.Seconds(), At: time.Now()}}, hist...)
	if len(hist) > historyLength {
		hist = hist[:historyLength]
	}
	b, _ := json.Marshal(hist)
	_ = s.content.NS().PutString(key, string(b), nil) // EXPECT kvrace
}
