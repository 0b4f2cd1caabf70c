// Package ingest takes new episode uploads from the creator dashboard through
// transcoding to a published episode.
package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"starling/internal/keys"
	"starling/internal/kvrest"
	"starling/internal/lock"
	"starling/internal/retry"
)

const (
	uploadRoot     keys.Key = "upload"
	statusRoot     keys.Key = "status"
	inflightRoot   keys.Key = "inflight"
	quotaRoot      keys.Key = "quota"
	showIndexRoot  keys.Key = "show-index"
	uploadLogRoot  keys.Key = "upload-log"
	ingestCheckKey          = "ingest:checkpoint"

	manifestTTLSeconds = 30 * 24 * 3600
	failedTTLSeconds   = 7 * 24 * 3600
)

// Config tunes the pipeline.
type Config struct {
	TranscoderURL   string
	HeartbeatWindow time.Duration // how often workers report progress
	PollEvery       time.Duration
	Parallel        int
}

// Pipeline processes uploads.
type Pipeline struct {
	kv   *kvrest.Instrumented
	http *http.Client
	cfg  Config
	log  *slog.Logger
}

// New returns a pipeline.
func New(kv *kvrest.Instrumented, cfg Config, log *slog.Logger) *Pipeline {
	return &Pipeline{kv: kv, http: &http.Client{Timeout: 30 * time.Second}, cfg: cfg, log: log}
}

// Upload is an audio file the dashboard received.
type Upload struct {
	ID      string       `json:"id"`
	Account string       `json:"account"`
	Episode keys.Episode `json:"episode"`
}

// Manifest is what the pipeline produced for an upload.
type Manifest struct {
	Upload     Upload        `json:"upload"`
	Renditions []string      `json:"renditions,omitempty"`
	Duration   time.Duration `json:"duration"`
}

// ProcessBatch transcodes uploads in parallel and writes their manifests in
// bulk when the batch is done.
func (p *Pipeline) ProcessBatch(ctx context.Context, uploads []Upload) error {
	batch := kvrest.NewBatch(p.kv)
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(p.cfg.Parallel, 1))
	for _, u := range uploads {
		g.Go(func() error {
			m, err := p.process(gctx, u)
			key := uploadRoot.With(u.ID).String()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				p.log.Warn("upload failed", "upload", u.ID, "err", err)
				b, _ := json.Marshal(map[string]any{"upload": u, "error": err.Error()})
				batch.Put(key, b, time.Duration(failedTTLSeconds)) // EXPECT kvttl
				return nil
			}
			b, _ := json.Marshal(m)
			batch.Put(key, b, manifestTTLSeconds*time.Second)
			batch.Merge(showIndexRoot.With(u.Episode.Show).String(), appendEpisode(u.Episode.ID))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := batch.Flush(ctx); err != nil {
		return err
	}
	for _, u := range uploads {
		if err := p.kv.Put(ctx, ingestCheckKey, []byte(u.ID)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func appendEpisode(id string) kvrest.MergeFunc {
	return func(old []byte) ([]byte, error) {
		var ids []string
		if old != nil {
			if err := json.Unmarshal(old, &ids); err != nil {
				return nil, err
			}
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		return json.Marshal(ids)
	}
}

func (p *Pipeline) process(ctx context.Context, u Upload) (*Manifest, error) {
	l, err := lock.Acquire(ctx, p.kv, "transcode:"+u.Episode.String(), 30*time.Second) // EXPECT kvttl
	if err != nil {
		return nil, err
	}
	defer l.Release(context.WithoutCancel(ctx))

	ttl := max(2*p.cfg.HeartbeatWindow, 3*time.Second) // EXPECT kvttl
	if err := p.kv.PutTTL(ctx, inflightRoot.With(u.ID).String(), []byte(u.Episode.String()), ttl); err != nil {
		return nil, err
	}
	var job struct {
		ID string `json:"job"`
	}
	err = retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return p.call(ctx, http.MethodPost, p.cfg.TranscoderURL+"/jobs", u, &job)
	})
	if err != nil {
		return nil, err
	}
	m, err := p.await(ctx, u, job.ID)
	if err != nil {
		return nil, err
	}
	if err := p.chargeQuota(ctx, u.Account, m.Duration); err != nil {
		return nil, err
	}
	if err := p.kv.Delete(ctx, inflightRoot.With(u.ID).String()); err != nil {
		p.log.Warn("inflight marker", "upload", u.ID, "err", err)
	}
	p.appendLog(ctx, u, fmt.Sprintf("%s transcoded %d renditions, %s\n", time.Now().UTC().Format(time.RFC3339), len(m.Renditions), m.Duration))
	return m, nil
}

func (p *Pipeline) call(ctx context.Context, method, url string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return retry.Permanent{Err: err}
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, &body)
	if err != nil {
		return retry.Permanent{Err: err}
	}
	res, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, url, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// await polls the transcoder and mirrors its progress to KV for the
// dashboard's progress bar.
func (p *Pipeline) await(ctx context.Context, u Upload, job string) (*Manifest, error) {
	statusKey := statusRoot.With(u.ID).String()
	for {
		var st struct {
			State      string   `json:"state"`
			Progress   int      `json:"progress"`
			Renditions []string `json:"renditions"`
			DurationS  int      `json:"duration_s"`
		}
		if err := p.call(ctx, http.MethodGet, p.cfg.TranscoderURL+"/jobs/"+job, nil, &st); err != nil {
			return nil, err
		}
		b, _ := json.Marshal(st)
		if err := p.kv.PutTTL(ctx, statusKey, b, 24*time.Hour); err != nil { // EXPECT kvhotkey
			p.log.Warn("status mirror", "upload", u.ID, "err", err)
		}
		switch st.State {
		case "done":
			return &Manifest{Upload: u, Renditions: st.Renditions, Duration: time.Duration(st.DurationS) * time.Second}, nil
		case "failed":
			return nil, fmt.Errorf("transcode %s failed", job)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(p.cfg.PollEvery):
		}
	}
}

// chargeQuota adds an upload's minutes to the account's monthly usage.
func (p *Pipeline) chargeQuota(ctx context.Context, account string, d time.Duration) error {
	key := quotaRoot.With(account).Month(time.Now()).String()
	raw, _ := p.kv.GetRaw(ctx, key) // EXPECT kvnull
	used, _ := strconv.Atoi(string(raw))
	used += int(d.Round(time.Minute).Minutes())
	return p.kv.Put(ctx, key, []byte(strconv.Itoa(used))) // EXPECT kvcounter|kvrace
}

// appendLog adds a line to the episode's processing log, shown in the
// dashboard. It runs in the background.
func (p *Pipeline) appendLog(ctx context.Context, u Upload, line string) {
	ctx = context.WithoutCancel(ctx)
	go func() {
		key := uploadLogRoot.With(u.Episode.Show).With(u.Episode.ID).String()
		old, err := p.kv.Get(ctx, key)
		if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
			return
		}
		if err := p.kv.PutTTL(ctx, key, append(old, line...), 90*24*time.Hour); err != nil { // EXPECT kvrace
			p.log.Warn("upload log", "err", err)
		}
	}()
}
