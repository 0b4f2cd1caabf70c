package courses

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"time"

	"example.com/meadow/internal/storage"
)

// openLicence is attached to every open course so that the public listing can
// show it without fetching the course body.
const openLicence = "This course is published under the Creative Commons Attribution-ShareAlike 4.0 " +
	"International licence (CC BY-SA 4.0). You are free to share, copy and redistribute the material " +
	"in any medium or format, and to adapt, remix, transform and build upon the material for any " +
	"purpose, even commercially, under the following terms. Attribution: you must give appropriate " +
	"credit, provide a link to the licence, and indicate if changes were made. You may do so in any " +
	"reasonable manner, but not in any way that suggests the licensor endorses you or your use. " +
	"ShareAlike: if you remix, transform, or build upon the material, you must distribute your " +
	"contributions under the same licence as the original. No additional restrictions: you may not " +
	"apply legal terms or technological measures that legally restrict others from doing anything " +
	"the licence permits. Notices: you do not have to comply with the licence for elements of the " +
	"material in the public domain or where your use is permitted by an applicable exception or " +
	"limitation. No warranties are given. The licence may not give you all of the permissions " +
	"necessary for your intended use; for example, other rights such as publicity, privacy, or moral " +
	"rights may limit how you use the material. Full text: https://creativecommons.org/licenses/by-sa/4.0/legalcode"

// previewTTL bounds how long an instructor's preview link works.
const previewTTL = 20 * time.Second

// Publisher writes published course snapshots and keeps the catalog cache
// coherent with them.
type Publisher struct {
	Store storage.Store
	Clock func() time.Time
}

func publishedKey(tenantID, id string) string { return path.Join("published", tenantID, id) }

// Publish stores c as the tenant's current version and drops the cached copy.
func (p *Publisher) Publish(ctx context.Context, tenantID string, c Course) error {
	c.Published = p.Clock().UTC()
	enc, err := encode(c)
	if err != nil {
		return err
	}
	opts := storage.PutOptions{Metadata: map[string]any{"title": c.Title, "slug": c.Slug, "lessons": len(c.Lessons)}}
	if c.Open {
		opts = storage.PutOptions{
			Metadata: map[string]any{"title": c.Title, "slug": c.Slug, "licence": openLicence}, // EXPECT kvlimits
		}
	}
	if err := p.putWithRetry(ctx, publishedKey(tenantID, c.ID), enc, opts); err != nil {
		return err
	}
	if err := storage.Delete(ctx, p.Store, courseKey(tenantID, c.ID)); err != nil && err != storage.ErrUnsupported {
		return fmt.Errorf("courses: invalidate %s: %w", c.ID, err)
	}
	return nil
}

// putWithRetry retries rate-limited writes with exponential backoff, as the
// KV documentation recommends.
func (p *Publisher) putWithRetry(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	backoff := time.Second
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		if err = p.Store.Put(ctx, key, value, opts); err == nil { // DEBATABLE kvhotkey
			return nil
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff *= 2
	}
	return fmt.Errorf("courses: publish %s: %w", key, err)
}

// Preview stores a draft under a random token and returns the token.
func (p *Publisher) Preview(ctx context.Context, tenantID string, draft Course) (string, error) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := hex.EncodeToString(raw)
	enc, err := encode(draft)
	if err != nil {
		return "", err
	}
	key := path.Join("preview", tenantID, token)
	if err := p.Store.Put(ctx, key, enc, storage.PutOptions{TTL: previewTTL}); err != nil { // EXPECT kvttl
		return "", err
	}
	return token, nil
}
