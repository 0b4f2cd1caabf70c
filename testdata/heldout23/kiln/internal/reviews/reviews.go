// Package reviews collects student reviews of studios and classes.
package reviews

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/kiln/internal/config"
	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/repo"
)

// Review is one student's review.
type Review struct {
	ID        string    `json:"id"`
	StudioID  string    `json:"studio_id"`
	ClassID   string    `json:"class_id,omitempty"`
	AuthorID  string    `json:"author_id"`
	Stars     int       `json:"stars"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Index lists a studio's review ids, newest last.
type Index struct {
	StudioID string   `json:"studio_id"`
	IDs      []string `json:"ids"`
}

// ReviewRepo stores reviews under "review:<studio>:<id>".
type ReviewRepo struct{ *repo.Base[Review] }

// IndexRepo stores one index per studio under "reviews-index:".
type IndexRepo struct{ *repo.Base[Index] }

// Summary is a studio's rating summary.
type Summary struct {
	Count   int     `json:"count"`
	Average float64 `json:"average"`
}

// topRatedKey caches the marketplace-wide "top rated studios" query. The key
// spells out the canonical filter so a change to the query gets a new key.
const topRatedKey = "reviews:top-rated:v3:" + // EXPECT kvlimits
	"disciplines=wheel-throwing,hand-building,slip-casting,raku,pit-firing,wood-firing,soda-firing,salt-glaze,porcelain,stoneware,earthenware,terracotta,sculpture,mosaic,glass-fusing,enamel;" +
	"formats=single-session,multi-week-course,open-studio,private-lesson,team-event,kids-class,date-night,membership;" +
	"regions=north-america,south-america,western-europe,northern-europe,southern-europe,eastern-europe,east-asia,south-asia,oceania,africa,middle-east;" +
	"min_reviews=10;min_stars=4.5;exclude=suspended,unverified,closed;sort=stars_desc,reviews_desc,newest;window=365d"

// Service stores and serves reviews.
type Service struct {
	bucket  *kvstore.Bucket
	reviews *ReviewRepo
	index   *IndexRepo
	cfg     *config.Config
}

// New returns a review service.
func New(b *kvstore.Bucket, cfg *config.Config) *Service {
	return &Service{
		bucket:  b,
		reviews: &ReviewRepo{repo.NewBase[Review](b, "review:")},
		index:   &IndexRepo{repo.NewBase[Index](b, "reviews-index:")},
		cfg:     cfg,
	}
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(time.Now().Unix(), 36) + hex.EncodeToString(b[:])
}

// ErrStars is returned for ratings outside 1..5.
var ErrStars = errors.New("reviews: stars must be 1 to 5")

// Submit stores a review and adds it to the studio index.
func (s *Service) Submit(ctx context.Context, r *Review) error {
	if r.Stars < 1 || r.Stars > 5 {
		return ErrStars
	}
	r.ID = newID()
	r.CreatedAt = time.Now().UTC()
	if err := s.reviews.Save(ctx, r.StudioID+":"+r.ID, r); err != nil {
		return err
	}
	idx, err := s.index.Load(ctx, r.StudioID)
	if errors.Is(err, repo.ErrNotFound) {
		idx, err = &Index{StudioID: r.StudioID}, nil
	}
	if err != nil {
		return err
	}
	idx.IDs = append(idx.IDs, r.ID)
	if err := s.index.Save(ctx, r.StudioID, idx); err != nil { // EXPECT kvrace
		return err
	}
	return s.bucket.Delete(ctx, "reviews:draft:"+r.AuthorID+":"+r.StudioID)
}

// SaveDraft keeps an unfinished review so the author can come back to it.
func (s *Service) SaveDraft(ctx context.Context, authorID, studioID, body string) error {
	return s.bucket.Put(ctx, "reviews:draft:"+authorID+":"+studioID, []byte(body), s.cfg.ReviewDraft())
}

// Latest returns up to limit reviews of a studio.
func (s *Service) Latest(ctx context.Context, studioID string, limit int) ([]*Review, error) {
	prefix := s.reviews.Key(studioID + ":")
	var out []*Review
	for k, err := range s.bucket.Keys(ctx, prefix) {
		if err != nil {
			return nil, err
		}
		r, err := s.reviews.Load(ctx, studioID+":"+strings.TrimPrefix(k, prefix)) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// Recompute rebuilds every studio's summary from the stored reviews.
func (s *Service) Recompute(ctx context.Context) (map[string]Summary, error) {
	sums := map[string]*Summary{}
	for r, err := range s.reviews.Scan(ctx, 0) { // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		sm := sums[r.StudioID]
		if sm == nil {
			sm = &Summary{}
			sums[r.StudioID] = sm
		}
		sm.Average = (sm.Average*float64(sm.Count) + float64(r.Stars)) / float64(sm.Count+1)
		sm.Count++
	}
	out := make(map[string]Summary, len(sums))
	for id, sm := range sums {
		out[id] = *sm
		if err := s.bucket.PutJSON(ctx, "reviews:summary:"+id, sm, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetTopRated stores the nightly top-rated list.
func (s *Service) SetTopRated(ctx context.Context, ids []string) error {
	return s.bucket.PutJSON(ctx, topRatedKey, ids, 25*time.Hour)
}
