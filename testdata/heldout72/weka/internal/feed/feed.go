// Package feed builds the per-user home feeds, keeps the tag indexes that the
// feeds are made from, and remembers which questions a user has already seen.
package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bits-and-blooms/bloom/v3"

	"weka/internal/codec"
	"weka/internal/kvstore"
)

// ErrTagTaken is returned when a tag slug is already registered.
var ErrTagTaken = errors.New("feed: tag already exists")

const (
	seenCapacity = 20_000
	seenFPRate   = 0.01
	feedSize     = 50
)

// hotQuestionsSQL is the ranking query of the anonymous home page. Its text is
// part of the cache key so that a change of the query never serves old rows.
const hotQuestionsSQL = `SELECT q.id, q.title, q.slug, q.score, q.answer_count, q.created_at
FROM questions q
JOIN question_stats s ON s.question_id = q.id
WHERE q.deleted_at IS NULL
  AND q.closed_at IS NULL
  AND q.created_at > now() - interval '7 days'
  AND q.score >= 0
  AND NOT EXISTS (SELECT 1 FROM moderation_holds h WHERE h.question_id = q.id AND h.released_at IS NULL)
ORDER BY (s.unique_viewers_7d * 0.2 + q.score * 3 + q.answer_count * 2)
         / power(extract(epoch FROM now() - q.created_at) / 3600 + 2, 1.5) DESC,
         q.id DESC
LIMIT 100`

// Builder assembles feeds.
type Builder struct {
	KV *kvstore.Client
	DB *sql.DB
}

func tagKey(tag string) string       { return "tag:" + tag + ":qids" }
func tagOwnerKey(slug string) string { return "tag:" + slug + ":owner" }
func seenKey(uid uint64) string      { return fmt.Sprintf("seen:u:%d", uid) }
func homeKey(uid uint64, day time.Time) string {
	return fmt.Sprintf("feed:u:%d:%s", uid, day.UTC().Format("20060102"))
}

// HotQuestions returns the cached ranking of the anonymous home page.
func (b *Builder) HotQuestions(ctx context.Context) ([]byte, error) {
	if v, found, err := b.KV.Get(ctx, kvstore.NSQuestions, "cache:sql:"+hotQuestionsSQL); err != nil { // EXPECT kvlimits
		return nil, err
	} else if found {
		return v, nil
	}
	rows, err := b.DB.QueryContext(ctx, hotQuestionsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids codec.IDSet
	for rows.Next() {
		var id uint64
		var title, slug string
		var score, answers int
		var created time.Time
		if err := rows.Scan(&id, &title, &slug, &score, &answers, &created); err != nil {
			return nil, err
		}
		ids.Insert(id)
	}
	out, _ := ids.MarshalBinary()
	return out, b.KV.PutTTL(ctx, kvstore.NSQuestions, "cache:sql:"+hotQuestionsSQL, out, 5*time.Minute) // EXPECT kvlimits
}

// AddToTag indexes question q under tag.
func (b *Builder) AddToTag(ctx context.Context, tag string, q uint64) error {
	return b.KV.Mutate(ctx, kvstore.NSQuestions, tagKey(tag), func(old []byte, found bool) ([]byte, error) {
		var set codec.IDSet
		if found {
			if err := set.UnmarshalBinary(old); err != nil {
				return nil, err
			}
		}
		if !set.Insert(q) {
			return nil, nil
		}
		return set.MarshalBinary()
	})
}

// RebuildTag rewrites the index of tag from the database.
func (b *Builder) RebuildTag(ctx context.Context, tag string) error {
	rows, err := b.DB.QueryContext(ctx, `SELECT question_id FROM question_tags WHERE tag = $1`, tag)
	if err != nil {
		return err
	}
	defer rows.Close()
	var set codec.IDSet
	for rows.Next() {
		var id uint64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		set.Insert(id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	raw, _ := set.MarshalBinary()
	return b.KV.Put(ctx, kvstore.NSQuestions, tagKey(tag), raw)
}

// ClaimTag registers a new tag slug for its creator.
func (b *Builder) ClaimTag(ctx context.Context, slug string, owner uint64) error {
	_, found, err := b.KV.Get(ctx, kvstore.NSQuestions, tagOwnerKey(slug))
	if err != nil {
		return err
	}
	if found {
		return ErrTagTaken
	}
	return b.KV.Put(ctx, kvstore.NSQuestions, tagOwnerKey(slug), []byte(fmt.Sprint(owner))) // EXPECT kvrace
}

// loadSeen returns the user's "already seen" filter, or an empty one.
func (b *Builder) loadSeen(ctx context.Context, uid uint64) (*bloom.BloomFilter, error) {
	f := bloom.NewWithEstimates(seenCapacity, seenFPRate)
	raw, found, err := b.KV.Get(ctx, kvstore.NSQuestions, seenKey(uid))
	if err != nil || !found {
		return f, err
	}
	if err := f.UnmarshalBinary(raw); err != nil {
		return nil, err
	}
	return f, nil
}

// MergeDevice folds a filter uploaded by one of the user's apps into the
// stored one, so that questions read offline are not shown again.
func (b *Builder) MergeDevice(ctx context.Context, uid uint64, device []byte) error {
	incoming := bloom.NewWithEstimates(seenCapacity, seenFPRate)
	if err := incoming.UnmarshalBinary(device); err != nil {
		return err
	}
	stored, err := b.loadSeen(ctx, uid)
	if err != nil {
		return err
	}
	if err := stored.Merge(incoming); err != nil {
		return err
	}
	raw, err := stored.MarshalBinary()
	if err != nil {
		return err
	}
	return b.KV.PutTTL(ctx, kvstore.NSQuestions, seenKey(uid), raw, 30*24*time.Hour) // EXPECT kvrace
}

// BuildHome computes today's feed of uid from the tags the user follows and
// stores it until the end of the day.
func (b *Builder) BuildHome(ctx context.Context, uid uint64, tags []string, now time.Time) ([]uint64, error) {
	seen, err := b.loadSeen(ctx, uid)
	if err != nil {
		return nil, err
	}
	var picked []uint64
	for _, tag := range tags {
		raw, found, err := b.KV.Get(ctx, kvstore.NSQuestions, tagKey(tag))
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		var set codec.IDSet
		if err := set.UnmarshalBinary(raw); err != nil {
			return nil, err
		}
		for _, id := range set.IDs() {
			if !seen.Test(codec.AppendFrame(nil, fmt.Append(nil, id))) {
				picked = append(picked, id)
			}
		}
	}
	slices.Sort(picked)
	picked = slices.Compact(picked)
	slices.Reverse(picked)
	picked = picked[:min(len(picked), feedSize)]

	var buf []byte
	for _, id := range picked {
		buf = codec.AppendFrame(buf, fmt.Append(nil, id))
	}
	eod := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	meta := map[string]any{"n": len(picked), "built": now.Unix()}
	err = b.KV.PutWithMeta(ctx, kvstore.NSQuestions, homeKey(uid, now), buf, meta, time.Until(eod)) // EXPECT kvttl
	return picked, err
}
