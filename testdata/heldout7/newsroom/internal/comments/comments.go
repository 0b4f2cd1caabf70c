// Package comments stores reader comments and the pre-moderation queue.
package comments

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
)

// Comment is a reader comment.
type Comment struct {
	ID        string    `json:"id"`
	ArticleID string    `json:"article_id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	Status    string    `json:"status"`
	At        time.Time `json:"at"`
}

// Comment statuses.
const (
	Pending  = "pending"
	Approved = "approved"
	Rejected = "rejected"
)

// Screen decides whether a comment needs a human before it shows.
type Screen interface {
	NeedsReview(body string) bool
}

// Service is the comment store.
type Service struct {
	st       store.Store
	comments *repo.Repo[Comment]
	recent   *repo.Repo[[]Comment]
	screen   Screen
	now      func() time.Time
}

// New returns a comment service.
func New(st store.Store, screen Screen) *Service {
	return &Service{
		st:       st,
		comments: repo.New[Comment](st, "comment:"),
		recent:   repo.New[[]Comment](st, "recent-comments:", repo.WithTTL(45*time.Second)), // EXPECT kvttl
		screen:   screen,
		now:      time.Now,
	}
}

// Post stores a new comment, either live or queued for moderation.
func (s *Service) Post(ctx context.Context, c Comment) (Comment, error) {
	c.At = s.now()
	c.Status = Approved
	if s.screen.NeedsReview(c.Body) {
		c.Status = Pending
	}
	if err := s.comments.Save(ctx, c.ID, c); err != nil {
		return Comment{}, err
	}
	if c.Status == Pending {
		return c, s.st.Put(ctx, "pending:"+c.ID, []byte(c.ArticleID))
	}
	if err := s.st.Put(ctx, "approved:"+c.ArticleID+":"+c.ID, []byte(c.Author)); err != nil {
		return c, err
	}
	return c, s.bumpCount(ctx, c.ArticleID)
}

func (s *Service) bumpCount(ctx context.Context, articleID string) error {
	key := "comment-count:" + articleID
	n := 0
	if b, err := s.st.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(b))
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.st.Put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

// PendingPage returns one page of the moderation queue with the cursor for
// the next page.
func (s *Service) PendingPage(ctx context.Context, cursor string) ([]Comment, string, error) {
	page, err := s.st.List(ctx, store.ListParams{Prefix: "pending:", Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	out := make([]Comment, 0, len(page.Keys))
	for _, k := range page.Keys {
		c, err := s.comments.Get(ctx, strings.TrimPrefix(k, "pending:")) // EXPECT kvlist
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}

// Approve publishes a queued comment.
func (s *Service) Approve(ctx context.Context, id string) error {
	c, err := s.comments.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.st.Put(ctx, "approved:"+c.ArticleID+":"+c.ID, []byte(c.Author)); err != nil {
		return err
	}
	return s.st.Delete(ctx, "pending:"+id)
}

// Reject drops a queued comment.
func (s *Service) Reject(ctx context.Context, id string) error {
	if err := s.st.Delete(ctx, "pending:"+id); err != nil {
		return err
	}
	return s.comments.Delete(ctx, id)
}

// Recent returns the cached "latest comments" strip for an article.
func (s *Service) Recent(ctx context.Context, articleID string, load func(context.Context) ([]Comment, error)) ([]Comment, error) {
	cs, err := s.recent.Get(ctx, articleID)
	if err == nil {
		return cs, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	cs, err = load(ctx)
	if err != nil {
		return nil, err
	}
	return cs, s.recent.Save(ctx, articleID, cs)
}
