//go:build js && wasm

// Package thumbs renders thumbnails through the image resizer and caches
// them in the thumbnail KV namespace.
package thumbs

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const nullValue = "<null>"

// watermarkSVG is the overlay drawn on public previews.
const watermarkSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="96" viewBox="0 0 480 96">` +
	`<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#ffffff" stop-opacity="0.0"/>` +
	`<stop offset="0.5" stop-color="#ffffff" stop-opacity="0.55"/><stop offset="1" stop-color="#ffffff" stop-opacity="0.0"/>` +
	`</linearGradient></defs><rect x="0" y="0" width="480" height="96" fill="url(#g)"/>` +
	`<text x="240" y="60" font-family="Inter, Helvetica, Arial, sans-serif" font-size="40" font-weight="700" ` +
	`text-anchor="middle" fill="#111111" fill-opacity="0.35" letter-spacing="6">MOSAIC</text>` +
	`<text x="240" y="84" font-family="Inter, Helvetica, Arial, sans-serif" font-size="12" text-anchor="middle" ` +
	`fill="#111111" fill-opacity="0.35">shared with mosaic.example.com</text></svg>`

// A contact sheet holds up to sheetSlots small thumbnails in fixed slots.
const (
	sheetSlots = 256
	slotBytes  = 128 << 10
	sheetBytes = sheetSlots * slotBytes
)

// Cache serves thumbnails, rendering and storing them on a miss.
type Cache struct {
	ns         *kv.Namespace
	resizer    Resizer
	ttl        time.Duration
	previewTTL time.Duration
	flight     Group
	log        *slog.Logger
}

// NewCache returns a cache over ns. ttl is the lifetime of a thumbnail and
// previewTTL the lifetime of a watermarked preview.
func NewCache(ns *kv.Namespace, r Resizer, ttl, previewTTL time.Duration, log *slog.Logger) *Cache {
	return &Cache{ns: ns, resizer: r, ttl: ttl, previewTTL: previewTTL, log: log}
}

func thumbKey(photoID string, size Size) string { return fmt.Sprintf("thumb:%s:%d", photoID, size) }

func (c *Cache) read(key string, opts *kv.GetOptions) ([]byte, bool, error) {
	v, err := c.ns.GetString(key, opts)
	if err != nil || v == nullValue {
		return nil, false, err
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, false, fmt.Errorf("thumbs: corrupt entry %s: %w", key, err)
	}
	return b, true, nil
}

// Get returns the JPEG thumbnail of photoID at size.
func (c *Cache) Get(ctx context.Context, photoID string, size Size) ([]byte, error) {
	key := thumbKey(photoID, size)
	if b, ok, err := c.read(key, &kv.GetOptions{CacheTTL: 3600}); err != nil || ok {
		return b, err
	}
	b, err, _ := c.flight.Do(key, func() ([]byte, error) {
		img, err := c.resizer.Resize(ctx, photoID, size)
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(img)
		if err := c.ns.PutString(key, enc, &kv.PutOptions{ExpirationTTL: int(c.ttl / time.Second)}); err != nil {
			c.log.Warn("thumbnail cache fill failed", "key", key, "err", err)
		}
		return img, nil
	})
	return b, err
}

// Hot returns the small thumbnail used by the live activity feed, which
// should reflect re-crops quickly.
func (c *Cache) Hot(ctx context.Context, photoID string) ([]byte, error) {
	b, ok, err := c.read(thumbKey(photoID, Small), &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil || ok {
		return b, err
	}
	return c.Get(ctx, photoID, Small)
}

// Placeholder returns the blurred placeholder shown while a photo loads.
func (c *Cache) Placeholder(photoID string) ([]byte, bool, error) {
	return c.read("placeholder:"+photoID, &kv.GetOptions{
		CacheTTL: 30, // DEBATABLE kvttl
	})
}

// Preview renders a watermarked medium preview for share links.
func (c *Cache) Preview(ctx context.Context, photoID string) ([]byte, error) {
	key := "preview:" + photoID
	if b, ok, err := c.read(key, nil); err != nil || ok {
		return b, err
	}
	img, err := c.resizer.Resize(ctx, photoID, Medium)
	if err != nil {
		return nil, err
	}
	err = c.ns.PutString(key, base64.StdEncoding.EncodeToString(img), &kv.PutOptions{
		ExpirationTTL: int(c.previewTTL), // EXPECT kvttl
	})
	return img, err
}

// StoreWatermark caches the rasterised overlay keyed by its source.
func (c *Cache) StoreWatermark(png []byte) error {
	enc := base64.StdEncoding.EncodeToString(png)
	return c.ns.PutString("watermark:"+watermarkSVG, enc, nil) // EXPECT kvlimits
}

// ContactSheet packs the small thumbnails of an album into the fixed-slot
// sheet consumed by the print service.
func (c *Cache) ContactSheet(ctx context.Context, albumID string, photoIDs []string) error {
	sheet := make([]byte, sheetBytes)
	for i, id := range photoIDs[:min(len(photoIDs), sheetSlots)] {
		img, err := c.Get(ctx, id, Small)
		if err != nil {
			return err
		}
		copy(sheet[i*slotBytes:(i+1)*slotBytes], img)
	}
	return c.ns.PutReader("sheet:"+albumID, bytes.NewReader(sheet), &kv.PutOptions{ExpirationTTL: 86400}) // EXPECT kvlimits
}
