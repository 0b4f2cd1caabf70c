package imports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/kvstore"
)

// sourceCacheFor is how long a fetched RSS document is kept for re-runs.
const sourceCacheFor = 6 * time.Hour

// Schedule registers the poller on the shared cron.
func (r *Runner) Schedule(c *cron.Cron) error {
	_, err := c.AddJob(r.cfg.PollSpec, cron.NewChain(cron.SkipIfStillRunning(cron.DiscardLogger)).Then(&PollJob{r: r}))
	return err
}

// PollJob starts queued imports.
type PollJob struct{ r *Runner }

func (p *PollJob) Run() {
	r := p.r
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Minute)
	defer cancel()

	var queued []Job
	cursor := ""
	for {
		keys, next, err := r.ns.ListPage(ctx, "import:queue:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			r.log.Error("listing queue", zap.Error(err))
			return
		}
		for _, k := range keys {
			var job Job
			if err := r.ns.GetJSON(ctx, jobKey(strings.TrimPrefix(k.Name, "import:queue:")), &job); err != nil { // EXPECT kvlist
				continue
			}
			if job.Status == StatusQueued {
				queued = append(queued, job)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}

	slices.SortFunc(queued, func(a, b Job) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, job := range queued[:min(len(queued), r.cfg.MaxPerRun)] {
		if err := r.run(ctx, job); err != nil {
			r.log.Warn("import failed", zap.String("job", job.ID), zap.Error(err))
			_ = r.setStatus(ctx, job.ID, StatusFailed, err.Error())
		}
	}
}

// setStatus moves a job to a new status.
func (r *Runner) setStatus(ctx context.Context, id, status, reason string) error {
	var job Job
	if err := r.ns.GetJSON(ctx, jobKey(id), &job); err != nil {
		return err
	}
	job.Status = status
	job.Error = reason
	switch status {
	case StatusRunning:
		job.StartedAt = time.Now().UTC()
	case StatusDone, StatusFailed:
		job.FinishedAt = time.Now().UTC()
	}
	return r.ns.PutJSON(ctx, jobKey(id), job, 30*24*time.Hour) // EXPECT kvrace
}

type rssDoc struct {
	Channel struct {
		Title string    `xml:"title"`
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	Title     string `xml:"title"`
	GUID      string `xml:"guid"`
	PubDate   string `xml:"pubDate"`
	Summary   string `xml:"description"`
	Enclosure struct {
		URL    string `xml:"url,attr"`
		Length int64  `xml:"length,attr"`
	} `xml:"enclosure"`
}

func (r *Runner) run(ctx context.Context, job Job) error {
	log := r.log.With(zap.String("job", job.ID), zap.String("show", job.ShowID))
	if err := r.setStatus(ctx, job.ID, StatusRunning, ""); err != nil {
		return err
	}
	if err := r.ns.Delete(ctx, queueKey(job.ID)); err != nil {
		log.Warn("dequeue", zap.Error(err))
	}
	body, err := r.fetchSource(ctx, job.SourceURL)
	if err != nil {
		return err
	}
	var doc rssDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		return fmt.Errorf("parsing feed: %w", err)
	}

	for i, it := range doc.Channel.Items {
		ep := map[string]any{
			"show_id": job.ShowID, "guid": it.GUID, "title": it.Title, "summary": it.Summary,
			"audio_url": it.Enclosure.URL, "audio_bytes": it.Enclosure.Length, "pub_date": it.PubDate,
		}
		raw, _ := json.Marshal(ep)
		if err := r.feeds.Put(ctx, "episode:"+job.ShowID+":"+guidHash(it.GUID), raw, 0); err != nil {
			return err
		}
		progress := fmt.Sprintf("%d/%d", i+1, len(doc.Channel.Items))
		if err := r.ns.Put(ctx, progressKey(job.ID), []byte(progress), 24*time.Hour); err != nil { // EXPECT kvhotkey
			log.Debug("progress", zap.Error(err))
		}
	}

	r.appendLog(ctx, job.ID, fmt.Sprintf("%s imported %d episodes from %s", time.Now().UTC().Format(time.RFC3339), len(doc.Channel.Items), job.SourceURL))

	err = r.ns.Update(ctx, "import:history:"+job.ShowID, 0, func(cur []byte) ([]byte, error) {
		var hist []string
		if len(cur) > 0 {
			if err := json.Unmarshal(cur, &hist); err != nil {
				return nil, err
			}
		}
		hist = append(hist, job.ID)
		return json.Marshal(hist)
	})
	if err != nil {
		log.Warn("history", zap.Error(err))
	}
	return r.setStatus(ctx, job.ID, StatusDone, "")
}

func guidHash(guid string) string {
	sum := sha256.Sum256([]byte(guid))
	return hex.EncodeToString(sum[:12])
}

// appendLog adds a line to the job's log, shown under the import in the
// dashboard.
func (r *Runner) appendLog(ctx context.Context, id, line string) {
	prev, err := r.ns.Get(ctx, logKey(id))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		r.log.Warn("import log", zap.String("job", id), zap.Error(err))
		return
	}
	next := string(prev) + line + "\n"
	if err := r.ns.Put(ctx, logKey(id), []byte(next), 30*24*time.Hour); err != nil { // EXPECT kvrace
		r.log.Warn("import log", zap.String("job", id), zap.Error(err))
	}
}

type cachedSource struct {
	ETag string `json:"etag"`
	Body string `json:"body"`
}

// fetchSource downloads a feed, sending the ETag of the copy fetched by an
// earlier run so unchanged feeds are not downloaded twice.
func (r *Runner) fetchSource(ctx context.Context, sourceURL string) ([]byte, error) {
	sdk := r.client.SDK()
	key := "source:" + guidHash(sourceURL)

	resp, err := sdk.KV.Namespaces.Values.Get(ctx, r.ns.ID(), key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.client.AccountID()),
	})
	if err != nil {
		return nil, fmt.Errorf("source cache: %w", err)
	}
	cached, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var src cachedSource
	if len(cached) > 0 { // EXPECT kvnull
		_ = json.Unmarshal(cached, &src)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sourceURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "skua-importer/1.4 (+https://skua.fm/importer)")
	if src.ETag != "" {
		req.Header.Set("If-None-Match", src.ETag)
	}
	res, err := r.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotModified {
		return []byte(src.Body), nil
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: %s", sourceURL, res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 20<<20))
	if err != nil {
		return nil, err
	}
	fresh, _ := json.Marshal(cachedSource{ETag: res.Header.Get("ETag"), Body: string(body)})
	_, err = sdk.KV.Namespaces.Values.Update(ctx, r.ns.ID(), key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.client.AccountID()),
		Value:         cloudflare.F(string(fresh)),
		ExpirationTTL: cloudflare.F(float64(sourceCacheFor)), // EXPECT kvttl
	})
	if err != nil {
		r.log.Warn("caching source", zap.String("url", sourceURL), zap.Error(err))
	}
	return body, nil
}
