//go:build js && wasm

// Package audio stores and serves audio-guide tracks.
package audio

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"grosbeak/internal/keys"
	"grosbeak/internal/kvstore"
)

// Service serves /audio routes.
type Service struct {
	Blobs *kvstore.Store
}

// Track is one stop on the audio guide.
type Track struct {
	Stop     int       `json:"stop"`
	Lang     string    `json:"lang"`
	Title    string    `json:"title"`
	Chunks   int       `json:"chunks"`
	Bytes    int64     `json:"bytes"`
	Uploaded time.Time `json:"uploaded"`
}

const chunkSize = 4 << 20

func chunkKey(stop int, lang string, i int) string {
	return fmt.Sprintf("%s%d:%s:chunk:%04d", keys.AudioPrefix, stop, lang, i)
}

func progressKey(stop int, lang string) string {
	return fmt.Sprintf("%s%d:%s:progress", keys.AudioPrefix, stop, lang)
}

// Upload stores a track in fixed-size chunks and records it in the
// manifest.
func (s *Service) Upload(w http.ResponseWriter, r *http.Request) {
	stop, err := strconv.Atoi(r.URL.Query().Get("stop"))
	if err != nil {
		http.Error(w, "stop required", http.StatusBadRequest)
		return
	}
	lang := r.URL.Query().Get("lang")
	ns := s.Blobs.Namespace()
	opts := &kv.PutOptions{ExpirationTTL: keys.AudioTTL}

	var total int64
	buf := make([]byte, chunkSize)
	i := 0
	for ; ; i++ {
		n, rerr := io.ReadFull(r.Body, buf)
		if n > 0 {
			chunk := strings.NewReader(string(buf[:n]))
			if err := ns.PutReader(chunkKey(stop, lang, i), chunk, opts); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			total += int64(n)
			status := fmt.Sprintf(`{"chunks":%d,"bytes":%d}`, i+1, total)
			if err := ns.PutString(progressKey(stop, lang), status, opts); err != nil { // EXPECT kvhotkey
				log.Printf("progress: %v", err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			if n > 0 {
				i++
			}
			break
		}
		if rerr != nil {
			http.Error(w, rerr.Error(), http.StatusBadRequest)
			return
		}
	}

	track := Track{Stop: stop, Lang: lang, Title: r.URL.Query().Get("title"), Chunks: i, Bytes: total, Uploaded: time.Now().UTC()}
	if err := s.addToManifest(track); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// addToManifest streams the manifest out of KV, replaces or appends the
// track, and streams it back.
func (s *Service) addToManifest(t Track) error {
	ns := s.Blobs.Namespace()
	var tracks []Track
	rd, err := ns.GetReader(keys.AudioManifestKey, nil) // DEBATABLE kvnull
	if err != nil {
		return err
	}
	if err := json.NewDecoder(rd).Decode(&tracks); err != nil && err != io.EOF {
		return fmt.Errorf("manifest: %w", err)
	}
	replaced := false
	for i := range tracks {
		if tracks[i].Stop == t.Stop && tracks[i].Lang == t.Lang {
			tracks[i] = t
			replaced = true
		}
	}
	if !replaced {
		tracks = append(tracks, t)
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(json.NewEncoder(pw).Encode(tracks))
	}()
	return ns.PutReader(keys.AudioManifestKey, pr, nil) // EXPECT kvrace
}

// Play streams a track's chunks in order.
func (s *Service) Play(w http.ResponseWriter, r *http.Request) {
	stop, _ := strconv.Atoi(r.URL.Query().Get("stop"))
	lang := r.URL.Query().Get("lang")
	ns := s.Blobs.Namespace()

	var t Track
	found := false
	rd, err := ns.GetReader(keys.AudioManifestKey, &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var tracks []Track
	if err := json.NewDecoder(rd).Decode(&tracks); err != nil {
		http.Error(w, "manifest unreadable", http.StatusInternalServerError)
		return
	}
	for _, x := range tracks {
		if x.Stop == stop && x.Lang == lang {
			t, found = x, true
			break
		}
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "audio/mpeg")
	w.Header().Set("Content-Length", strconv.FormatInt(t.Bytes, 10))
	for i := 0; i < t.Chunks; i++ {
		if _, err := s.Blobs.Stream(chunkKey(stop, lang, i), w); err != nil {
			log.Printf("play %d/%s chunk %d: %v", stop, lang, i, err)
			return
		}
	}
}

// playEvent is one line of a device's offline play log.
type playEvent struct {
	Stop   int    `json:"stop"`
	Lang   string `json:"lang"`
	Device string `json:"device"`
	Secs   int    `json:"secs"`
}

// IngestLog accepts a rental device's newline-delimited play log and
// files each event under the device's daily log.
func (s *Service) IngestLog(w http.ResponseWriter, r *http.Request) {
	device := r.URL.Query().Get("device")
	day := time.Now().UTC().Format("20060102")
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	accepted := 0
lines:
	for sc.Scan() {
		var ev playEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			continue lines
		}
		if ev.Device != device {
			continue lines
		}
		key := keys.AudioPrefix + "plays:" + device + ":" + day
		if err := s.Blobs.AppendLine(key, sc.Text(), 48*time.Hour); err != nil { // EXPECT kvhotkey
			log.Printf("ingest: %v", err)
			break lines
		}
		accepted++
	}
	fmt.Fprintf(w, `{"accepted":%d}`, accepted)
}
