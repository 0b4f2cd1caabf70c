//go:build js && wasm

// Package downloads redirects enclosure requests to the media host and
// counts them. Counting happens off the request path: the redirect handler
// enqueues an event and the queue consumer aggregates batches.
package downloads

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
)

// Event is the queue message for one download.
type Event struct {
	ShowID    string    `json:"show_id"`
	EpisodeID string    `json:"episode_id"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"ua"`
	At        time.Time `json:"at"`
}

type Handlers struct {
	Cfg config.Config
}

func (h Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /dl/{show}/{file}", h.redirect)
}

func (h Handlers) redirect(w http.ResponseWriter, r *http.Request) {
	show, file := r.PathValue("show"), r.PathValue("file")
	episodeID := strings.TrimSuffix(file, ".mp3")
	target := fmt.Sprintf("%s/audio/%s/%s", h.Cfg.MediaBaseURL, show, file)
	if r.Method == http.MethodGet && r.Header.Get("Range") == "" || strings.HasPrefix(r.Header.Get("Range"), "bytes=0-") {
		if err := enqueue(Event{ShowID: show, EpisodeID: episodeID, IP: httpx.ClientIP(r), UserAgent: r.UserAgent(), At: time.Now().UTC()}); err != nil {
			log.Printf("downloads: enqueue %s/%s: %v", show, episodeID, err)
		}
		stats, err := cloudflare.NewKVNamespace("STATS")
		if err == nil {
			stats.PutString(keys.LastDownloadAt, time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func enqueue(ev Event) error {
	q, err := queues.NewProducer("DOWNLOAD_EVENTS")
	if err != nil {
		return err
	}
	return q.SendJSON(map[string]any{
		"show_id":    ev.ShowID,
		"episode_id": ev.EpisodeID,
		"ip":         ev.IP,
		"ua":         ev.UserAgent,
		"at":         ev.At.Format(time.RFC3339),
	})
}

// decode reads a queue message body written by enqueue.
func decode(body string) (Event, error) {
	var ev Event
	err := json.Unmarshal([]byte(body), &ev)
	return ev, err
}
