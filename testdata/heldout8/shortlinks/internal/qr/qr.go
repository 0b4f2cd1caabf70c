// Package qr stores rendered QR codes for short links.
package qr

import (
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/keys"
)

// Renderer turns a URL into an SVG image.
type Renderer interface {
	SVG(url string, size int) (string, error)
}

type Store struct {
	ns     *kv.Namespace
	render Renderer
	ttl    time.Duration
	size   int
	host   string
}

func New(ns *kv.Namespace, r Renderer, cfg config.QRConfig, host string) *Store {
	return &Store{ns: ns, render: r, ttl: cfg.CacheTTL, size: cfg.Size, host: host}
}

func (s *Store) svgKey(slug string) string {
	return fmt.Sprintf("%s%s:%d.svg", keys.QRPrefix, slug, s.size)
}

// SVG returns the cached SVG, rendering it on first use.
func (s *Store) SVG(slug string) (string, error) {
	key := s.svgKey(slug)
	svg, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if svg == "" { // EXPECT kvnull
		if svg, err = s.render.SVG(s.host+"/"+slug, s.size); err != nil {
			return "", err
		}
		opts := &kv.PutOptions{ExpirationTTL: int(s.ttl)} // EXPECT kvttl
		if err := s.ns.PutString(key, svg, opts); err != nil {
			return "", err
		}
	}
	return svg, nil
}
