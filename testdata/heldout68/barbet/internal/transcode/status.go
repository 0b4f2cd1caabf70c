// Package transcode receives the transcoder's events and keeps each upload's
// transcoding status in KV, where the dashboard and the edge read it.
package transcode

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/barbet-video/barbet/internal/kvstore"
)

// Rendition is one encoded output.
type Rendition struct {
	Name    string `json:"name"`
	Bitrate int    `json:"bitrate"`
	Object  string `json:"object"`
}

// Status is the transcoding status of one upload.
type Status struct {
	UploadID   string      `json:"upload_id"`
	Stage      string      `json:"stage"`
	Progress   float64     `json:"progress"`
	Renditions []Rendition `json:"renditions"`
	Attempts   int         `json:"attempts"`
	Error      string      `json:"error,omitempty"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// Event is one transcoder event.
type Event struct {
	Kind       string      `json:"kind"`
	UploadID   string      `json:"upload_id"`
	Stage      string      `json:"stage,omitempty"`
	Progress   float64     `json:"progress,omitempty"`
	Rendition  *Rendition  `json:"rendition,omitempty"`
	Renditions []Rendition `json:"renditions,omitempty"`
	Error      string      `json:"error,omitempty"`
}

// Service serves the transcoder's callbacks and the dashboard's status reads.
type Service struct {
	NS  *kvstore.Namespace
	Log *slog.Logger
}

const statusTTL = 30 * 24 * time.Hour

func statusKey(id string) string   { return "status/" + id }
func progressKey(id string) string { return "progress/" + id }
func manifestKey(id string) string { return "manifest/" + id }

// Events accepts a batch of events as one JSON array and applies them in
// order. The transcoder posts a batch every few seconds per worker.
func (s *Service) Events(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(r.Body)
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		http.Error(w, "expected a JSON array of events", http.StatusBadRequest)
		return
	}
	applied := 0
	for dec.More() {
		var ev Event
		if err := dec.Decode(&ev); err != nil {
			http.Error(w, fmt.Sprintf("event %d: %v", applied, err), http.StatusBadRequest)
			return
		}
		if err := s.apply(r.Context(), ev); err != nil {
			s.Log.Error("event not applied", "kind", ev.Kind, "upload", ev.UploadID, "err", err)
			http.Error(w, "event not applied", http.StatusBadGateway)
			return
		}
		applied++
	}
	if _, err := dec.Token(); err != nil {
		http.Error(w, "unterminated event array", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"applied":%d}`+"\n", applied)
}

func (s *Service) apply(ctx context.Context, ev Event) error {
	switch ev.Kind {
	case "progress":
		return s.NS.PutJSON(ctx, progressKey(ev.UploadID), ev, time.Hour) // DEBATABLE kvhotkey
	case "rendition":
		if ev.Rendition == nil {
			return errors.New("rendition event without rendition")
		}
		return kvstore.Update(ctx, s.NS, statusKey(ev.UploadID), statusTTL, func(st *Status) error {
			st.UploadID = ev.UploadID
			st.Stage = "encoding"
			st.Renditions = append(st.Renditions, *ev.Rendition)
			st.UpdatedAt = time.Now().UTC()
			return nil
		})
	case "failed":
		return s.fail(ctx, ev)
	case "done":
		return s.finish(ctx, ev)
	default:
		s.Log.Debug("ignored event", "kind", ev.Kind)
		return nil
	}
}

// fail records a failed attempt and requeues the job until it has failed
// three times.
func (s *Service) fail(ctx context.Context, ev Event) (err error) {
	key := statusKey(ev.UploadID)
	var st Status
	if err := s.NS.GetJSON(ctx, key, &st); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	defer func() {
		st.UpdatedAt = time.Now().UTC()
		if perr := s.NS.PutJSON(ctx, key, st, statusTTL); perr != nil && err == nil { // EXPECT kvrace
			err = perr
		}
	}()
	st.UploadID = ev.UploadID
	st.Attempts++
	st.Error = ev.Error
	if st.Attempts >= 3 {
		st.Stage = "failed"
		return nil
	}
	st.Stage = "retrying"
	return s.NS.Put(ctx, "transcode/retry/"+ev.UploadID+"/"+strconv.Itoa(st.Attempts), []byte(ev.Error), 6*time.Hour)
}

// finish replaces the status with the final one. The previous status is read
// only to log how long the job took.
func (s *Service) finish(ctx context.Context, ev Event) error {
	var prev Status
	if err := s.NS.GetJSON(ctx, statusKey(ev.UploadID), &prev); err == nil {
		s.Log.Info("transcode finished", "upload", ev.UploadID, "took", time.Since(prev.UpdatedAt), "attempts", prev.Attempts)
	}
	st := Status{
		UploadID:   ev.UploadID,
		Stage:      "ready",
		Progress:   1,
		Renditions: ev.Renditions,
		UpdatedAt:  time.Now().UTC(),
	}
	if err := s.NS.PutJSON(ctx, statusKey(ev.UploadID), st, statusTTL); err != nil {
		return err
	}
	// The player polls this hint instead of the full status; it only needs
	// to outlive the player's next poll.
	if err := s.NS.CacheFor(ctx, "hint/ready/"+ev.UploadID, []byte("ready"), 30*time.Second); err != nil {
		s.Log.Warn("ready hint not written", "upload", ev.UploadID, "err", err)
	}
	return s.NS.Delete(ctx, progressKey(ev.UploadID))
}

// Progress accepts a newline-delimited stream of progress events for one
// upload; the transcoder holds it open for the whole encode.
func (s *Service) Progress(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("upload")
	if id == "" {
		http.Error(w, "upload is required", http.StatusBadRequest)
		return
	}
	key := progressKey(id)
	dec := json.NewDecoder(r.Body)
	var lastWrite time.Time
	var lastStage string
	for dec.More() {
		var ev Event
		if err := dec.Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if ev.Stage == lastStage && time.Since(lastWrite) < 5*time.Second {
			continue
		}
		ev.UploadID = id
		if err := s.NS.PutJSON(r.Context(), key, ev, time.Hour); err != nil {
			s.Log.Warn("progress not stored", "upload", id, "err", err)
			continue
		}
		lastWrite, lastStage = time.Now(), ev.Stage
	}
	w.WriteHeader(http.StatusNoContent)
}

// PutManifest stores the HLS master playlist the transcoder produced. The
// body is hashed on the way in so the edge can serve it with a strong ETag.
func (s *Service) PutManifest(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("upload")
	sum := sha256.New()
	body, err := io.ReadAll(io.TeeReader(r.Body, sum))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	etag := hex.EncodeToString(sum.Sum(nil))[:32]
	meta := map[string]any{"etag": etag, "bytes": len(body)}
	if err := s.NS.PutWithMeta(r.Context(), manifestKey(id), body, meta, statusTTL); err != nil {
		http.Error(w, "manifest not stored", http.StatusBadGateway)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	w.WriteHeader(http.StatusCreated)
}

// GetManifest streams a stored playlist and reports its checksum in a trailer.
func (s *Service) GetManifest(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("upload")
	rc, err := s.NS.Open(r.Context(), manifestKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		http.Error(w, "manifest unavailable", http.StatusBadGateway)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	w.Header().Set("Trailer", "X-Barbet-CRC32")
	crc := crc32.NewIEEE()
	if _, err := io.Copy(io.MultiWriter(w, crc), rc); err != nil {
		s.Log.Warn("manifest copy interrupted", "upload", id, "err", err)
		return
	}
	w.Header().Set("X-Barbet-CRC32", strconv.FormatUint(uint64(crc.Sum32()), 16))
}
