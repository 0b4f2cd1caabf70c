//go:build js && wasm

// Package audio hands out audio-guide download links and streams the
// files.
package audio

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/edge/kvstore"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/keys"
)

// linkLifetime is how long a download link works.
const linkLifetime = 15 * time.Minute

// maxAudioBytes bounds an uploaded file; KV values are limited to 25 MiB.
const maxAudioBytes = 24 << 20

// Service is the audio-guide service.
type Service struct {
	ns     *kv.Namespace
	files  *kvstore.Bucket
	tracks *kvstore.Bucket
	stats  *kvstore.Bucket
	base   string
	now    func() time.Time
}

// New wires a Service; base is the public origin used in links.
func New(st *kvstore.Store, base string) *Service {
	return &Service{
		ns:     st.Namespace(),
		files:  st.Bucket("audio-file"),
		tracks: st.Bucket("track", kvstore.WithCacheTTL(10*time.Minute)),
		stats:  st.Bucket("audio-stats"),
		base:   base,
		now:    time.Now,
	}
}

// TrackReq names a track.
type TrackReq struct {
	ID string `json:"id"`
}

// Bind reads the id from the path.
func (t *TrackReq) Bind(r *http.Request) error {
	t.ID = r.PathValue("id")
	return nil
}

// Track returns a track's details.
func (s *Service) Track(ctx context.Context, req TrackReq) (domain.AudioTrack, error) {
	raw, ok, err := s.tracks.Get(req.ID)
	if err != nil {
		return domain.AudioTrack{}, err
	}
	if !ok {
		return domain.AudioTrack{}, httpx.Errorf(http.StatusNotFound, "no such track")
	}
	var t domain.AudioTrack
	return t, json.Unmarshal([]byte(raw), &t)
}

// LinkResp is a signed download link.
type LinkResp struct {
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

// IssueLink creates a one-off download link for a track.
func (s *Service) IssueLink(ctx context.Context, req TrackReq) (LinkResp, error) {
	t, err := s.Track(ctx, req)
	if err != nil {
		return LinkResp{}, err
	}
	obj, err := keys.AudioObject(t.Lang, t.ExhibitID, t.ID)
	if err != nil {
		return LinkResp{}, err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	if err := s.ns.PutString("dl:"+tok, obj, &kv.PutOptions{ExpirationTTL: int(linkLifetime)}); err != nil { // EXPECT kvttl
		return LinkResp{}, err
	}
	return LinkResp{URL: s.base + "/audio/dl/" + tok, Expires: s.now().Add(linkLifetime)}, nil
}

// Download streams the file behind a link.
func (s *Service) Download(w http.ResponseWriter, r *http.Request) {
	obj, err := s.ns.GetString("dl:"+r.PathValue("token"), nil)
	if err != nil {
		httpx.WriteError(w, err)
		return
	}
	if obj == kvstore.Missing {
		httpx.WriteError(w, httpx.Errorf(http.StatusGone, "link expired"))
		return
	}
	body, err := s.files.Stream(obj) // EXPECT kvnull
	if err != nil {
		httpx.WriteError(w, err)
		return
	}
	w.Header().Set("Content-Type", "audio/mpeg")
	w.Header().Set("Cache-Control", "private, max-age=900")
	if _, err := io.Copy(w, bufio.NewReaderSize(body, 64<<10)); err != nil {
		slog.Warn("audio download interrupted", "object", obj, "err", err)
		return
	}
	if err := s.countDownload(obj); err != nil {
		slog.Warn("download count", "err", err)
	}
}

func (s *Service) countDownload(obj string) error {
	v, ok, err := s.stats.Get(obj)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(v)
	}
	return s.stats.Put(obj, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// Upload stores an audio file sent by the content team.
func (s *Service) Upload(w http.ResponseWriter, r *http.Request) {
	obj, err := keys.AudioObject(r.PathValue("lang"), r.PathValue("exhibit"), r.PathValue("track"))
	if err != nil {
		httpx.WriteError(w, err)
		return
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, io.LimitReader(bufio.NewReader(r.Body), maxAudioBytes))
		pw.CloseWithError(err)
	}()
	if err := s.files.PutStream(obj, pr, nil); err != nil {
		httpx.WriteError(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"object": obj})
}
