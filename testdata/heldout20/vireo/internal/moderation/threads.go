package moderation

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var (
	threadAt = kvx.Prefixed("thread:")
	heldAt   = kvx.Prefixed("held:")
)

// maxCommentRunes bounds a single comment.
const (
	maxCommentRunes = 4000
	maxHeldPages    = 3
)

// Threads stores comment threads as one document per thread.
type Threads struct {
	Store kvstore.Store
	Clock func() time.Time
}

// Thread loads a thread.
func (t *Threads) Thread(ctx context.Context, id string) (domain.Thread, error) {
	th, err := kvx.GetJSON[domain.Thread](ctx, t.Store, threadAt(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return th, fmt.Errorf("thread %s: %w", id, domain.ErrNotFound)
	}
	return th, err
}

// Open creates an empty thread for a consultation.
func (t *Threads) Open(ctx context.Context, consultationID string) (domain.Thread, error) {
	th := domain.Thread{ID: rand.Text(), ConsultationID: consultationID}
	return th, kvx.PutJSON(ctx, t.Store, threadAt(th.ID), th, 0)
}

// Post appends a comment to a thread.
func (t *Threads) Post(ctx context.Context, threadID, authorID, body string) (domain.Comment, error) {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > maxCommentRunes {
		return domain.Comment{}, fmt.Errorf("comment length: %w", domain.ErrInvalid)
	}
	th, err := t.Thread(ctx, threadID)
	if err != nil {
		return domain.Comment{}, err
	}
	if th.Locked {
		return domain.Comment{}, fmt.Errorf("thread %s: %w", threadID, domain.ErrClosed)
	}
	c := domain.Comment{
		ID:       rand.Text(),
		AuthorID: authorID,
		Body:     body,
		PostedAt: t.Clock().UTC(),
		Status:   domain.CommentVisible,
	}
	th.Comments = append(th.Comments, c)
	return c, kvx.PutJSON(ctx, t.Store, threadAt(threadID), th, 0) // EXPECT kvrace
}

// Hold hides a comment pending review. Holds are stored beside the thread
// document, one key per held comment.
func (t *Threads) Hold(ctx context.Context, threadID, commentID string) error {
	return t.Store.Put(ctx, heldAt(threadID, commentID), nil, kvstore.WriteOptions{
		Metadata: map[string]int64{"since": t.Clock().Unix()},
	})
}

// Held returns the held comment IDs of a thread. Threads rarely have more
// than a handful of holds; the listing stops after maxHeldPages.
func (t *Threads) Held(ctx context.Context, threadID string) (map[string]bool, error) {
	held := map[string]bool{}
	q := kvstore.ListQuery{Prefix: heldAt.Prefix(threadID)}
	for range maxHeldPages {
		page, err := t.Store.List(ctx, q)
		if err != nil {
			return held, err
		}
		for _, k := range page.Keys {
			held[strings.TrimPrefix(k.Name, q.Prefix)] = true
		}
		if page.Complete {
			break
		}
		q.Cursor = page.Cursor
	}
	return held, nil
}
