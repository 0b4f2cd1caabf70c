package importer

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/siskinfm/siskin/internal/cfkv"
	"github.com/siskinfm/siskin/internal/kvdb"
	"github.com/siskinfm/siskin/internal/kvstore"
)

// Job is one import of one show.
type Job struct {
	ID        string `json:"id"`
	CreatorID string `json:"creator_id"`
	ShowID    string `json:"show_id"`
	Host      string `json:"host"`
	FeedURL   string `json:"feed_url"`
}

// Progress is polled by the dashboard while a job runs.
type Progress struct {
	JobID string    `json:"job_id"`
	Done  int       `json:"done"`
	Total int       `json:"total"`
	Last  string    `json:"last"`
	At    time.Time `json:"at"`
}

// Runner executes import jobs.
type Runner struct {
	KV       *cfkv.Client
	Q        *kvdb.Queries
	HTTP     *http.Client
	DraftTTL time.Duration // how long unpublished drafts are kept; from config
}

type rssFeed struct {
	Channel struct {
		Title string    `xml:"title"`
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	GUID      string `xml:"guid"`
	Title     string `xml:"title"`
	PubDate   string `xml:"pubDate"`
	Enclosure struct {
		URL string `xml:"url,attr"`
	} `xml:"enclosure"`
	Duration  string `xml:"duration"`
	Downloads int    `xml:"downloads"`
	Status    string `xml:"status"`
}

func (r *Runner) fetch(ctx context.Context, feedURL string) (*rssFeed, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feedURL, nil)
	if err != nil {
		return nil, err
	}
	res, err := r.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("importer: feed returned %s", res.Status)
	}
	var f rssFeed
	if err := xml.NewDecoder(res.Body).Decode(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Run imports every item of the job's feed.
func (r *Runner) Run(ctx context.Context, job Job) error {
	if err := r.Q.AppendImportLog(ctx, job.ID, "started import from "+job.Host); err != nil {
		return err
	}
	if err := r.debounce(ctx, job.ShowID); err != nil {
		return err
	}
	feed, err := r.fetch(ctx, job.FeedURL)
	if err != nil {
		return err
	}

	var (
		bodies    []kv.NamespaceBulkUpdateParamsBody
		newIDs    []string
		downloads int
	)
	prog := Progress{JobID: job.ID, Total: len(feed.Channel.Items)}
	for i, it := range feed.Channel.Items {
		id := episodeID(it.GUID)
		raw, _ := r.KV.Get(ctx, fmt.Sprintf("episode:%s:%s", job.ShowID, id))
		if len(raw) > 0 { // EXPECT kvnull
			continue
		}
		ep := toEpisode(job.ShowID, id, it)
		body, err := r.episodeBody(ep)
		if err != nil {
			return err
		}
		if ep.Draft {
			body.ExpirationTTL = cloudflare.F(r.DraftTTL.Seconds())
		}
		bodies = append(bodies, body)
		newIDs = append(newIDs, id)
		downloads += it.Downloads

		prog.Done, prog.Last, prog.At = i+1, it.Title, time.Now()
		if err := kvstore.Put(ctx, "import:progress:"+job.ID, prog, time.Hour); err != nil { // EXPECT kvhotkey
			slog.Warn("progress write failed", "job", job.ID, "err", err)
		}
	}

	if err := r.flushEpisodes(ctx, bodies); err != nil {
		return err
	}
	if err := r.addToIndex(ctx, job.ShowID, newIDs); err != nil {
		return err
	}
	if err := r.Q.SetDownloadCount(ctx, job.ShowID, downloads); err != nil {
		return err
	}
	if err := r.rememberHost(ctx, job.CreatorID, job.Host); err != nil {
		return err
	}
	if err := r.KV.Put(ctx, "import:cooldown:"+job.CreatorID, []byte(job.ID), 30*time.Second); err != nil {
		return err
	}
	summary := fmt.Sprintf("imported %d of %d items", len(newIDs), len(feed.Channel.Items))
	if err := kvstore.Put(ctx, "import:preview:"+job.ID, summary, 30*time.Second); err != nil { // EXPECT kvttl
		return err
	}
	return r.Q.AppendImportLog(ctx, job.ID, summary)
}

// debounce marks the show as being imported so that a double click in the
// dashboard does not start a second job.
func (r *Runner) debounce(ctx context.Context, showID string) error {
	p := r.KV.UpdateParams([]byte("1"))
	p.Expiration = cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())) // EXPECT kvttl
	return r.KV.Update(ctx, "import:running:"+showID, p)
}

func episodeID(guid string) string {
	guid = strings.TrimSpace(guid)
	guid = strings.TrimPrefix(guid, "urn:uuid:")
	return strings.ReplaceAll(guid, "/", "_")
}

func toEpisode(showID, id string, it rssItem) kvdb.Episode {
	pub, _ := time.Parse(time.RFC1123Z, it.PubDate)
	var secs int
	if d, err := time.ParseDuration(strings.ReplaceAll(it.Duration, ":", "m") + "s"); err == nil {
		secs = int(d.Seconds())
	}
	return kvdb.Episode{
		ShowID:      showID,
		ID:          id,
		Title:       it.Title,
		AudioURL:    it.Enclosure.URL,
		DurationSec: secs,
		PublishedAt: pub,
		Draft:       it.Status == "draft",
		Version:     1,
	}
}

// episodeBody is the base bulk entry for ep; callers add expiry for drafts.
func (r *Runner) episodeBody(ep kvdb.Episode) (kv.NamespaceBulkUpdateParamsBody, error) {
	b, err := json.Marshal(ep)
	if err != nil {
		return kv.NamespaceBulkUpdateParamsBody{}, err
	}
	return kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(fmt.Sprintf("episode:%s:%s", ep.ShowID, ep.ID)),
		Value: cloudflare.F(string(b)),
		Metadata: cloudflare.F[any](map[string]any{
			"title": ep.Title,
			"draft": ep.Draft,
		}),
	}, nil
}

// addToIndex appends the imported IDs to the show's episode index.
func (r *Runner) addToIndex(ctx context.Context, showID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var idx []string
	if _, err := kvstore.Load(ctx, "index:"+showID, &idx); err != nil {
		return err
	}
	idx = append(idx, ids...)
	return kvstore.Put(ctx, "index:"+showID, idx, 0) // EXPECT kvrace
}

// rememberHost records which hosts a creator has imported from, for the
// "import again" shortcut.
func (r *Runner) rememberHost(ctx context.Context, creatorID, host string) error {
	key := "creator:hosts:" + creatorID
	raw, err := r.KV.Get(ctx, key)
	if err != nil && !cfkv.IsNotFound(err) {
		return err
	}
	hosts := string(raw)
	for _, h := range strings.Split(hosts, ",") {
		if h == host {
			return nil
		}
	}
	if hosts != "" {
		hosts += ","
	}
	return r.KV.Put(ctx, key, []byte(hosts+host), 0) // EXPECT kvrace
}
