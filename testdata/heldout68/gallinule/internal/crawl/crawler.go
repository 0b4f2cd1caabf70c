// Package crawl fetches sites for agents' browsing tools and keeps the
// pages in a KV-backed cache that the edge also reads.
package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/gocolly/colly/v2"

	"github.com/birdline/gallinule/internal/kvstore"
)

// ErrBusy is returned when another crawl of the same site is running.
var ErrBusy = errors.New("crawl: site is already being crawled")

// Crawler crawls one site at a time per call.
type Crawler struct {
	Pages   *kvstore.Namespace // page bodies, read by the edge
	Meta    *kvstore.Namespace // locks, link graph, progress
	PageTTL time.Duration
	Log     *slog.Logger

	UserAgent   string
	Parallelism int
}

// Report summarises one crawl.
type Report struct {
	Site     string        `json:"site"`
	Pages    int64         `json:"pages"`
	Skipped  int64         `json:"skipped"`
	Failures int64         `json:"failures"`
	Took     time.Duration `json:"took"`
}

// Page is the cached form of a fetched page.
type Page struct {
	URL     string    `json:"url"`
	Status  int       `json:"status"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Fetched time.Time `json:"fetched"`
}

func pageKey(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	k := "page/" + u.Host + p
	if u.RawQuery != "" {
		k += "?" + u.RawQuery
	}
	return k
}

// Crawl visits seeds on site, following links up to maxDepth.
func (c *Crawler) Crawl(ctx context.Context, site string, seeds []string, maxDepth int) (Report, error) {
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	lockKey := "lock/crawl/" + site
	if _, err := c.Meta.Get(ctx, lockKey); err == nil {
		return Report{}, ErrBusy
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Report{}, err
	}
	if err := c.Meta.Put(ctx, lockKey, []byte(runID), 30*time.Minute); err != nil { // EXPECT kvrace
		return Report{}, err
	}
	defer c.Meta.Delete(context.WithoutCancel(ctx), lockKey)

	start := time.Now()
	rep := Report{Site: site}
	var pages, skipped, failures atomic.Int64
	batch := &pageBatch{ns: c.Pages, ttl: c.PageTTL}

	col := colly.NewCollector(
		colly.Async(true),
		colly.MaxDepth(maxDepth),
		colly.AllowedDomains(site, "www."+site),
		colly.UserAgent(cmpOr(c.UserAgent, "gallinule-crawler/1.4")),
	)
	if err := col.Limit(&colly.LimitRule{
		DomainGlob:  "*",
		Parallelism: max(c.Parallelism, 1),
		Delay:       250 * time.Millisecond,
		RandomDelay: 250 * time.Millisecond,
	}); err != nil {
		return Report{}, err
	}

	col.OnRequest(func(r *colly.Request) {
		if ctx.Err() != nil {
			r.Abort()
			return
		}
		fresh, err := c.cached(ctx, pageKey(r.URL))
		if err != nil {
			c.Log.Debug("page cache", "url", r.URL.String(), "err", err)
			return
		}
		if fresh {
			skipped.Add(1)
			r.Abort()
		}
	})

	col.OnHTML("title", func(e *colly.HTMLElement) {
		e.Request.Ctx.Put("title", strings.TrimSpace(e.Text))
	})

	col.OnHTML("a[href]", func(e *colly.HTMLElement) {
		link := e.Request.AbsoluteURL(e.Attr("href"))
		if link == "" || strings.HasPrefix(link, "mailto:") {
			return
		}
		links, _ := e.Request.Ctx.GetAny("links").([]string)
		e.Request.Ctx.Put("links", append(links, link))
		_ = e.Request.Visit(link)
	})

	col.OnResponse(func(r *colly.Response) {
		if !strings.HasPrefix(r.Headers.Get("Content-Type"), "text/html") {
			return
		}
		p := Page{
			URL: r.Request.URL.String(), Status: r.StatusCode, Title: r.Ctx.Get("title"),
			Body: string(r.Body), Fetched: time.Now().UTC(),
		}
		if err := batch.add(ctx, pageKey(r.Request.URL), p); err != nil {
			c.Log.Warn("page batch", "err", err)
		}
		pages.Add(1)
	})

	col.OnError(func(r *colly.Response, err error) {
		failures.Add(1)
		c.noteFailure(ctx, r.Request.URL)
		c.Log.Info("crawl error", "url", r.Request.URL.String(), "status", r.StatusCode, "err", err)
	})

	col.OnScraped(func(r *colly.Response) {
		links, _ := r.Ctx.GetAny("links").([]string)
		c.recordInbound(ctx, r.Request.URL.String(), links)
		prog := fmt.Sprintf(`{"run":%q,"pages":%d,"last":%q}`, runID, pages.Load(), r.Request.URL.String())
		_ = c.Meta.Put(ctx, "crawl/"+site+"/progress", []byte(prog), 0) // DEBATABLE kvhotkey
	})

	for _, seed := range seeds {
		if err := col.Visit(seed); err != nil {
			c.Log.Warn("seed", "url", seed, "err", err)
			continue
		}
		_ = c.Meta.Put(ctx, "crawl/"+site+"/last-seed", []byte(seed), 0) // EXPECT kvhotkey
	}
	col.Wait()
	if err := batch.flush(ctx); err != nil {
		return rep, err
	}

	rep.Pages, rep.Skipped, rep.Failures = pages.Load(), skipped.Load(), failures.Load()
	rep.Took = time.Since(start)
	if err := c.Meta.PutJSON(ctx, "crawl/"+site+"/last-run", rep, 0); err != nil {
		return rep, err
	}
	return rep, nil
}

// cached reports whether the page cache holds key.
func (c *Crawler) cached(ctx context.Context, key string) (bool, error) {
	res, err := c.Pages.Client.KV.Namespaces.Values.Get(ctx, c.Pages.ID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.Pages.AccountID),
	})
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<10))
	if err != nil {
		return false, err
	}
	return len(body) > 0, nil // EXPECT kvnull
}

func (c *Crawler) noteFailure(ctx context.Context, u *url.URL) {
	key := "attempts/" + u.Host + u.EscapedPath()
	n := 0
	raw, err := c.Meta.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	_ = c.Meta.Put(ctx, key, []byte(strconv.Itoa(n+1)), 24*time.Hour) // EXPECT kvcounter|kvrace
}

// recordInbound adds from to the inbound-link list of each target.
func (c *Crawler) recordInbound(ctx context.Context, from string, targets []string) {
	for _, t := range targets {
		u, err := url.Parse(t)
		if err != nil {
			continue
		}
		key := "inbound/" + u.Host + u.EscapedPath()
		var srcs []string
		if _, err := c.Meta.GetJSON(ctx, key, &srcs); err != nil {
			continue
		}
		if len(srcs) >= 200 {
			continue
		}
		srcs = append(srcs, from)
		_ = c.Meta.PutJSON(ctx, key, srcs, 7*24*time.Hour) // EXPECT kvrace
	}
}

// pageBatch buffers fetched pages and writes them with the bulk API.
type pageBatch struct {
	mu      sync.Mutex
	ns      *kvstore.Namespace
	ttl     time.Duration
	entries []kv.NamespaceBulkUpdateParamsBody
}

const batchSize = 100

func (b *pageBatch) add(ctx context.Context, key string, p Page) error {
	raw, err := jsonString(p)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.entries = append(b.entries, kv.NamespaceBulkUpdateParamsBody{
		Key:           cloudflare.F(key),
		Value:         cloudflare.F(raw),
		ExpirationTTL: cloudflare.F(float64(b.ttl)),                                                                     // EXPECT kvttl
		Metadata:      cloudflare.F(map[string]interface{}{"title": p.Title, "status": p.Status, "terms": reuseNotice}), // EXPECT kvlimits
	})
	full := len(b.entries) >= batchSize
	b.mu.Unlock()
	if full {
		return b.flush(ctx)
	}
	return nil
}

func (b *pageBatch) flush(ctx context.Context) error {
	b.mu.Lock()
	out := b.entries
	b.entries = nil
	b.mu.Unlock()
	return b.ns.BulkPut(ctx, out)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
