package crawler

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Item is one entry of a fetched feed.
type Item struct {
	GUID      string    `xml:"guid"`
	Title     string    `xml:"title"`
	Link      string    `xml:"link"`
	Summary   string    `xml:"description"`
	PubDate   string    `xml:"pubDate"`
	Published time.Time `xml:"-"`
	// Expires is set for live blogs and breaking items that the publisher
	// wants taken down automatically.
	Expires time.Time `xml:"-"`
	ExpRaw  string    `xml:"expires"`
}

// Result is what a fetch produced.
type Result struct {
	Status      int
	NotModified bool
	ETag        string
	LastMod     string
	Expires     time.Time
	MaxAge      time.Duration
	Items       []Item
}

// HTTPFetcher fetches RSS 2.0 documents with conditional requests.
type HTTPFetcher struct {
	Client    *http.Client
	UserAgent string
}

type rss struct {
	Channel struct {
		Items []Item `xml:"item"`
	} `xml:"channel"`
}

// Fetch retrieves feed.URL, sending etag as If-None-Match.
func (h HTTPFetcher) Fetch(ctx context.Context, feed Feed, etag string) (Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feed.URL, nil)
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("User-Agent", h.UserAgent)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()

	res := Result{Status: resp.StatusCode, ETag: resp.Header.Get("ETag"), LastMod: resp.Header.Get("Last-Modified")}
	if exp, err := http.ParseTime(resp.Header.Get("Expires")); err == nil {
		res.Expires = exp
	}
	res.MaxAge = maxAge(resp.Header.Get("Cache-Control"))

	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
		return res, nil
	case resp.StatusCode >= 400:
		return res, &StatusError{Code: resp.StatusCode}
	}
	var doc rss
	if err := xml.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&doc); err != nil {
		return res, fmt.Errorf("%w: %v", ErrParse, err)
	}
	for _, it := range doc.Channel.Items {
		it.Published, _ = time.Parse(time.RFC1123Z, it.PubDate)
		if it.ExpRaw != "" {
			it.Expires, _ = time.Parse(time.RFC3339, it.ExpRaw)
		}
		if it.GUID == "" {
			it.GUID = it.Link
		}
		res.Items = append(res.Items, it)
	}
	return res, nil
}

func maxAge(cc string) time.Duration {
	for _, part := range strings.Split(cc, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

// StatusError is a non-2xx/304 response.
type StatusError struct{ Code int }

func (e *StatusError) Error() string { return fmt.Sprintf("crawler: upstream status %d", e.Code) }
