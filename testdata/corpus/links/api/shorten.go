package api

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/ratelimit"
	"example.com/links/settings"
)

type shortenRequest struct {
	URL       string   `json:"url"`
	Slug      string   `json:"slug,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	ExpiresIn int64    `json:"expires_in,omitempty"` // seconds
}

const slugAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

func randomSlug() string {
	b := make([]byte, 7)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = slugAlphabet[int(b[i])%len(slugAlphabet)]
	}
	return string(b)
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// create inserts the link in D1 (the source of truth) and writes it through
// to KV.
func create(r *http.Request, req shortenRequest) (*Link, int, error) {
	l := &Link{
		Slug:      req.Slug,
		URL:       req.URL,
		Owner:     apiKey(r),
		Tags:      req.Tags,
		CreatedAt: time.Now().Unix(),
	}
	if l.Slug == "" {
		l.Slug = randomSlug()
	}
	if req.ExpiresIn > 0 {
		l.ExpiresAt = l.CreatedAt + req.ExpiresIn
	}
	db, err := openDB()
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	_, err = db.ExecContext(r.Context(),
		`INSERT INTO links (slug, url, owner, created_at, expires_at) VALUES (?, ?, ?, ?, NULLIF(?, 0))`,
		l.Slug, l.URL, l.Owner, l.CreatedAt, l.ExpiresAt)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return nil, http.StatusConflict, err
		}
		return nil, http.StatusInternalServerError, err
	}

	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	b, _ := json.Marshal(l)
	opts := &cloudflare.KVNamespacePutOptions{}
	if l.ExpiresAt != 0 {
		opts.Expiration = int(l.ExpiresAt)
	} else {
		opts.ExpirationTTL = int(settings.LinkCacheFor.Seconds())
	}
	if err := links.PutString(linkKey(l.Slug), string(b), opts); err != nil {
		return nil, http.StatusInternalServerError, err
	}
	if err := links.PutString("owner:"+l.Owner+":"+l.Slug, "", nil); err != nil {
		return nil, http.StatusInternalServerError, err
	}
	return l, http.StatusCreated, nil
}

func Shorten(w http.ResponseWriter, r *http.Request) {
	var req shortenRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !validURL(req.URL) {
		http.Error(w, "invalid request", http.StatusBadRequest)
		return
	}
	if req.ExpiresIn != 0 && req.ExpiresIn < 60 {
		http.Error(w, "expires_in must be at least 60 seconds", http.StatusBadRequest)
		return
	}
	if ok, err := ratelimit.Allow(clientIP(r)); err != nil || !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if ok, err := ratelimit.ConsumeQuota(apiKey(r)); err != nil || !ok {
		http.Error(w, "daily quota exceeded", http.StatusTooManyRequests)
		return
	}
	l, status, err := create(r, req)
	if err != nil {
		if status == http.StatusConflict {
			http.Error(w, "slug taken", status)
			return
		}
		oops(w, err)
		return
	}

	// remembered for the "undo" button on the web UI
	if links, err := kvx.Open(settings.LinksKV); err == nil {
		_ = links.PutString("recent:"+clientIP(r), l.Slug, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int((2 * time.Minute).Milliseconds()), // EXPECT kvttl
		})
	}
	reply(w, status, l)
}

// ShortenBatch creates up to 100 links and bills them to the API key's
// monthly usage.
func ShortenBatch(w http.ResponseWriter, r *http.Request) {
	var batch []shortenRequest
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil || len(batch) == 0 || len(batch) > 100 {
		http.Error(w, "invalid batch", http.StatusBadRequest)
		return
	}
	created := make([]*Link, 0, len(batch))
	for _, req := range batch {
		if !validURL(req.URL) {
			continue
		}
		req.Slug = ""
		l, _, err := create(r, req)
		if err != nil {
			oops(w, err)
			return
		}
		created = append(created, l)
	}

	stats, err := kvx.Open(settings.StatsKV)
	if err != nil {
		oops(w, err)
		return
	}
	usageKey := "usage:" + apiKey(r) + ":" + time.Now().UTC().Format("2006-01")
	used, _, err := kvx.Load(stats, usageKey)
	if err != nil {
		oops(w, err)
		return
	}
	n, _ := strconv.Atoi(used)
	n += len(created)
	if err := stats.PutString(usageKey, strconv.Itoa(n), nil); err != nil { // EXPECT kvcounter
		oops(w, err)
		return
	}
	reply(w, http.StatusCreated, created)
}
