// Package upstream holds the HTTP plumbing the service uses to talk to the
// sites' own backends: a KV-backed response cache and a KV-backed cookie jar.
package upstream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"time"

	"sunbird/internal/kvstore"
)

// CachingTransport is an http.RoundTripper that answers GET requests from KV
// when it can and stores successful responses for TTL.
type CachingTransport struct {
	Base   http.RoundTripper
	KV     *kvstore.Namespace
	Prefix string
	TTL    time.Duration
}

var _ http.RoundTripper = (*CachingTransport)(nil)

func (t *CachingTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *CachingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Header.Get("Range") != "" {
		return t.base().RoundTrip(req)
	}
	key := t.Prefix + req.URL.String()
	if raw, err := t.KV.Get(req.Context(), key); err == nil {
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), req)
		if err == nil {
			resp.Header.Set("X-From-Cache", "1")
			return resp, nil
		}
		log.Printf("upstream: undecodable cache entry %s: %v", key, err)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		log.Printf("upstream: cache read %s: %v", key, err)
	}

	resp, err := t.base().RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	orig := resp.Body
	var body bytes.Buffer
	_, err = io.Copy(io.Discard, io.TeeReader(orig, &body))
	orig.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body.Bytes()))
	// DumpResponse reads the body and puts an equivalent one back.
	dump, err := httputil.DumpResponse(resp, true)
	if err != nil {
		return nil, err
	}
	ctx := context.WithoutCancel(req.Context())
	if err := t.KV.Put(ctx, key, dump, t.TTL); err != nil {
		log.Printf("upstream: cache write %s: %v", key, err)
	}
	return resp, nil
}

// Clients the service uses for upstream calls.
type Clients struct {
	// Sitemaps fetches sitemap.xml and robots.txt from custom domains.
	Sitemaps *http.Client
	// Search pulls search indexes that sites publish from their CI.
	Search *http.Client
	// Status polls the sites' health endpoints.
	Status *http.Client
}

// NewClients wires the cached clients over one namespace and cookie jar.
func NewClients(kv *kvstore.Namespace, jar http.CookieJar) Clients {
	return Clients{
		Sitemaps: &http.Client{
			Timeout: 20 * time.Second,
			Jar:     jar,
			Transport: &CachingTransport{
				KV:     kv,
				Prefix: "http/sitemaps/",
				TTL:    6 * time.Hour,
			},
		},
		Search: &http.Client{
			Timeout:   time.Minute,
			Transport: &CachingTransport{Base: http.DefaultTransport, KV: kv, Prefix: "http/search/", TTL: 15 * time.Minute},
		},
		Status: &http.Client{
			Timeout: 5 * time.Second,
			Transport: &CachingTransport{
				KV:     kv,
				Prefix: "http/status/",
				TTL:    30 * time.Second, // EXPECT kvttl
			},
		},
	}
}
