//go:build js && wasm

package worker

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"razorbill/internal/events"
	"razorbill/internal/keys"
)

const (
	audioChunkBytes = 32 << 20
	maxChunks       = 64
	uploadURLLife   = 2 * time.Hour
)

// Upload tracks a chunked episode upload.
type Upload struct {
	ID        string         `json:"id"`
	Show      keys.ShowID    `json:"show"`
	Episode   keys.EpisodeID `json:"episode"`
	Chunks    int            `json:"chunks"`
	ExpiresAt time.Time      `json:"expires_at"`
}

func (s *Server) handleUploadInit() http.HandlerFunc {
	limit := s.cfg.UploadsPerIP
	ttl := s.cfg.Upload.TTL
	return func(w http.ResponseWriter, r *http.Request) {
		ns := s.stats.NS()
		rlKey := "ratelimit/upload/" + clientIP(r)
		cur, err := ns.GetString(rlKey, nil)
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		used := 0
		if cur != "<null>" {
			used, _ = strconv.Atoi(cur)
		}
		if used >= limit {
			http.Error(w, "too many uploads", http.StatusTooManyRequests)
			return
		}
		_ = ns.PutString(rlKey, strconv.Itoa(used+1), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter

		up := Upload{ID: newID(), Show: keys.ShowID(r.FormValue("show")),
			Episode: keys.EpisodeID(r.FormValue("episode")), ExpiresAt: time.Now().Add(uploadURLLife)}
		b, _ := json.Marshal(up)
		if err := s.content.Put("upload/"+up.ID, string(b), ttl); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		_ = s.content.NS().PutString("upload-url/"+up.ID, r.FormValue("callback"), &kv.PutOptions{
			Expiration: int(up.ExpiresAt.UnixMilli()), // EXPECT kvttl
		})
		_ = s.stats.NS().PutString("uploads/latest", up.ID, nil) // EXPECT kvhotkey
		writeJSON(w, http.StatusCreated, up)
	}
}

func (s *Server) handleUploadChunk() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		n, err := strconv.Atoi(r.PathValue("chunk"))
		if err != nil || n < 0 || n >= maxChunks {
			http.Error(w, "bad chunk", http.StatusBadRequest)
			return
		}
		if _, ok, err := s.content.Get("upload/" + id); err != nil || !ok {
			http.Error(w, "unknown upload", http.StatusNotFound)
			return
		}
		buf := make([]byte, audioChunkBytes)
		read, err := io.ReadFull(r.Body, buf)
		if err != nil && err != io.ErrUnexpectedEOF {
			http.Error(w, "short chunk", http.StatusBadRequest)
			return
		}
		if err := s.content.NS().PutReader(keys.ChunkKey(id, n), bytes.NewReader(buf[:read]), nil); err != nil { // DEBATABLE kvlimits
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) handleUploadComplete() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		raw, ok, err := s.content.Get("upload/" + id)
		if err != nil || !ok {
			http.Error(w, "unknown upload", http.StatusNotFound)
			return
		}
		var up Upload
		if err := json.Unmarshal([]byte(raw), &up); err != nil {
			http.Error(w, "corrupt upload", http.StatusInternalServerError)
			return
		}
		publishAt := time.Now()
		if v := r.FormValue("publish_at"); v != "" {
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				publishAt = t
			}
		}
		ep := Episode{ID: up.Episode, Show: up.Show, Title: r.FormValue("title"),
			AudioURL: "https://" + s.cfg.PublicHost + "/audio/" + id, PublishAt: publishAt}
		b, _ := json.Marshal(ep)
		if err := s.content.Put(ep.ID.Key(ep.Show), string(b), 0); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if publishAt.After(time.Now()) {
			embargo := time.Until(publishAt)
			_ = s.content.PutSeconds("embargo/"+string(ep.ID), ep.Title, int(embargo.Seconds())) // EXPECT kvttl
		}
		grace := max(time.Until(up.ExpiresAt), time.Minute)
		_ = s.content.PutSeconds("upload-done/"+id, string(ep.ID), int(grace.Seconds()))

		cloudflare.WaitUntil(func() {
			_ = s.bus.Emit(events.Event{Name: events.EpisodePublished,
				Payload: events.PublishedEvent{ShowID: string(ep.Show), EpisodeID: string(ep.ID), Title: ep.Title}})
		})
		writeJSON(w, http.StatusOK, ep)
	}
}

func (s *Server) handlePreview() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.PathValue("token")
		ep, ok, err := s.previews.Get(tok)
		if err != nil || !ok {
			http.NotFound(w, r)
			return
		}
		shareID := newID()
		_ = s.content.NS().PutString("share/"+shareID, tok, &kv.PutOptions{
			Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
		})
		_ = s.content.NS().PutString("share-long/"+shareID, tok, &kv.PutOptions{
			Expiration: int(time.Now().Add(48 * time.Hour).Unix()),
		})
		writeJSON(w, http.StatusOK, map[string]any{"episode": ep, "share": shareID})
	}
}
