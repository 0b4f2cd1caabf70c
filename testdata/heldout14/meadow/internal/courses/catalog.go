package courses

import (
	"context"
	"errors"
	"log/slog"
	"path"
	"time"

	"golang.org/x/sync/singleflight"

	"example.com/meadow/internal/storage"
)

// Cache is the store the catalog caches into.
type Cache interface {
	storage.Store
	storage.Lister
	PutTTL(ctx context.Context, key string, value []byte, ttlSeconds int64) error
}

var errSlowCache = errors.New("courses: cache read timed out")

// lessonCacheFor is how long a rendered lesson stays cached.
const lessonCacheFor = 10 * time.Minute

// Catalog is the read-through course cache.
type Catalog struct {
	cache      Cache
	src        Source
	ttlSeconds int64
	readBudget time.Duration
	fills      singleflight.Group
	log        *slog.Logger
}

// NewCatalog returns a catalog caching for ttlSeconds.
func NewCatalog(cache Cache, src Source, ttlSeconds int64, log *slog.Logger) *Catalog {
	return &Catalog{cache: cache, src: src, ttlSeconds: ttlSeconds, readBudget: 150 * time.Millisecond, log: log}
}

func courseKey(tenantID, id string) string { return path.Join("catalog", tenantID, "course", id) }

// getWithin reads key but gives up after d, so a slow cache does not make the
// catalog slower than the authoring service.
func (c *Catalog) getWithin(ctx context.Context, key string, d time.Duration) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := c.cache.Get(ctx, key)
		ch <- result{b, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.b, r.err
	case <-t.C:
		return nil, errSlowCache
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Course returns a course, filling the cache on a miss.
func (c *Catalog) Course(ctx context.Context, tenantID, id string) (Course, error) {
	key := courseKey(tenantID, id)
	b, err := c.getWithin(ctx, key, c.readBudget)
	switch {
	case err == nil:
		var course Course
		if derr := decode(b, &course); derr == nil {
			return course, nil
		}
		c.log.Warn("undecodable catalog entry", "key", key)
	case storage.IsNotFound(err), errors.Is(err, errSlowCache):
	default:
		return Course{}, err
	}
	v, err, _ := c.fills.Do(key, func() (any, error) {
		course, err := c.src.Course(ctx, tenantID, id)
		if err != nil {
			return nil, err
		}
		enc, err := encode(course)
		if err != nil {
			return nil, err
		}
		if err := c.cache.PutTTL(ctx, key, enc, c.ttlSeconds); err != nil {
			c.log.Warn("catalog fill failed", "key", key, "err", err)
		}
		return course, nil
	})
	if err != nil {
		return Course{}, err
	}
	return v.(Course), nil
}

// Lesson returns one lesson, cached separately from its course.
func (c *Catalog) Lesson(ctx context.Context, tenantID, courseID, lessonID string) (Lesson, error) {
	key := path.Join("catalog", tenantID, "lesson", courseID, lessonID)
	if b, err := c.cache.Get(ctx, key); err == nil {
		var l Lesson
		if err := decode(b, &l); err == nil {
			return l, nil
		}
	} else if !storage.IsNotFound(err) {
		return Lesson{}, err
	}
	l, err := c.src.Lesson(ctx, tenantID, courseID, lessonID)
	if err != nil {
		return Lesson{}, err
	}
	enc, err := encode(l)
	if err != nil {
		return Lesson{}, err
	}
	err = c.cache.PutTTL(ctx, key, enc,
		int64(lessonCacheFor), // EXPECT kvttl
	)
	if err != nil {
		c.log.Warn("lesson fill failed", "key", key, "err", err)
	}
	return l, nil
}

// Cached returns every course currently cached for tenantID, for the
// catalog landing page. It reads at most maxPages pages of keys.
func (c *Catalog) Cached(ctx context.Context, tenantID string, maxPages int) ([]Course, error) {
	prefix := path.Join("catalog", tenantID, "course") + "/"
	var out []Course
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := c.cache.List(ctx, storage.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			b, err := c.cache.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var course Course
			if decode(b, &course) == nil {
				out = append(out, course)
			}
		}
		if res.Complete() {
			break
		}
		cursor = res.Cursor
	}
	return out, nil
}
