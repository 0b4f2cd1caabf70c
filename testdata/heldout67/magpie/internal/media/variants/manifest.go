// Package variants keeps the manifest of rendered variants (sizes, formats)
// for every source image. The manifest lives in the VARIANTS namespace so the
// edge Worker can resolve /img/<id>/<variant> without calling the origin.
package variants

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/magpie-media/magpie/internal/kvrest"
)

// Variant is one rendered rendition of a source image.
type Variant struct {
	Name    string `json:"name"` // e.g. "w640-webp"
	Width   int    `json:"w"`
	Height  int    `json:"h"`
	Format  string `json:"fmt"`
	Bytes   int64  `json:"bytes"`
	R2Key   string `json:"r2"`
	Created int64  `json:"created"`
}

// Manifest lists the variants rendered for one source image.
type Manifest struct {
	ImageID  string    `json:"image_id"`
	Owner    string    `json:"owner"`
	Variants []Variant `json:"variants"`
	Tags     []string  `json:"tags,omitempty"`
	Updated  int64     `json:"updated"`
}

func (m *Manifest) Find(name string) (Variant, bool) {
	for _, v := range m.Variants {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// Renderer produces manifests from the origin database when KV has none.
type Renderer interface {
	LoadManifest(ctx context.Context, imageID string) (*Manifest, error)
}

// Service reads and writes manifests.
type Service struct {
	KV     *kvrest.Namespace
	Origin Renderer
	Log    *slog.Logger
	// CacheFor is how long a manifest loaded from the origin stays in KV.
	CacheFor time.Duration
}

func manifestKey(imageID string) string { return "manifest:" + imageID }

// Manifest returns the manifest for imageID, loading it from the origin and
// caching it in KV on a miss.
func (s *Service) Manifest(ctx context.Context, imageID string) (*Manifest, error) {
	var m Manifest
	err := s.KV.GetJSON(ctx, manifestKey(imageID), &m)
	if err == nil {
		return &m, nil
	}
	if !kvrest.IsNotFound(err) {
		return nil, err
	}
	fresh, err := s.Origin.LoadManifest(ctx, imageID)
	if err != nil {
		return nil, err
	}
	if err := s.KV.PutJSON(ctx, manifestKey(imageID), fresh, max(s.CacheFor, kvrest.MinTTL)); err != nil {
		s.Log.Warn("manifest cache fill failed", "image", imageID, "err", err)
	}
	return fresh, nil
}

// AddVariant records a freshly rendered variant in the image's manifest.
func (s *Service) AddVariant(ctx context.Context, imageID string, v Variant) error {
	key := manifestKey(imageID)
	var m Manifest
	if err := s.KV.GetJSON(ctx, key, &m); err != nil && !kvrest.IsNotFound(err) {
		return err
	}
	m.ImageID = imageID
	m.Variants = slices.DeleteFunc(m.Variants, func(o Variant) bool { return o.Name == v.Name })
	m.Variants = append(m.Variants, v)
	m.Updated = time.Now().Unix()
	return s.KV.PutJSON(ctx, key, &m, 0) // EXPECT kvrace
}

// Retag replaces the tag set of an image. The manifest is rebuilt from the
// origin so the tags are the only thing this request decides.
func (s *Service) Retag(ctx context.Context, imageID string, tags []string) error {
	m, err := s.Origin.LoadManifest(ctx, imageID)
	if err != nil {
		return err
	}
	m.Tags = slices.Compact(slices.Sorted(slices.Values(tags)))
	m.Updated = time.Now().Unix()
	return s.KV.PutJSON(ctx, manifestKey(imageID), m, 0)
}

// MergeTags adds tags suggested by the classifier. It runs after the upload
// response has been sent.
func (s *Service) MergeTags(imageID string, suggested []string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		raw, err := s.KV.Get(ctx, manifestKey(imageID)) // EXPECT kvnull
		var m Manifest
		if err != nil {
			m = Manifest{ImageID: imageID}
		} else if err := json.Unmarshal(raw, &m); err != nil {
			return
		}
		for _, t := range suggested {
			if !slices.Contains(m.Tags, t) {
				m.Tags = append(m.Tags, t)
			}
		}
		if err := s.KV.PutJSON(ctx, manifestKey(imageID), m, 0); err != nil { // EXPECT kvrace
			s.Log.Error("merge tags", "image", imageID, "err", err)
		}
	}()
}

// Drop removes a manifest after the source image is deleted.
func (s *Service) Drop(ctx context.Context, imageID string) error {
	return s.KV.Delete(ctx, manifestKey(imageID))
}

// Summary is what the admin dashboard shows for one manifest.
type Summary struct {
	ImageID  string
	Variants int
	Bytes    int64
}

// Summaries loads every manifest owned by owner for the dashboard.
func (s *Service) Summaries(ctx context.Context, owner string) ([]Summary, error) {
	keys, cursor, err := s.KV.Page(ctx, "manifest:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	_ = cursor
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		var m Manifest
		if err := s.KV.GetJSON(ctx, k.Name, &m); err != nil { // EXPECT kvlist
			continue
		}
		if m.Owner != owner {
			continue
		}
		sum := Summary{ImageID: m.ImageID, Variants: len(m.Variants)}
		for _, v := range m.Variants {
			sum.Bytes += v.Bytes
		}
		out = append(out, sum)
	}
	return out, nil
}

// ErrStop ends Reindex early without an error.
var ErrStop = errors.New("stop")

// Reindex walks every manifest key and hands its name to visit.
func (s *Service) Reindex(ctx context.Context, visit func(key string) error) error {
	cursor := ""
	for {
		keys, next, err := s.KV.Page(ctx, "manifest:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		for _, k := range keys {
			if err := visit(k.Name); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// Page returns one page of manifest keys and the cursor for the next one, for
// the admin API's paginated listing.
func (s *Service) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	limit = min(max(limit, 10), 1000)
	keys, next, err := s.KV.Page(ctx, "manifest:", cursor, limit)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	return names, next, nil
}
