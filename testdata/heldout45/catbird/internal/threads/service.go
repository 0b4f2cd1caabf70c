//go:build !js

// Package threads owns threads and posts on the backend: Postgres is the
// source of truth and the FORUM namespace holds the projections the Worker
// serves.
package threads

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"catbird/internal/forum"
	"catbird/internal/kvrest"
)

var (
	ErrNotFound  = errors.New("threads: not found")
	ErrSlugTaken = errors.New("threads: slug already in use")
)

// Config holds cache lifetimes. It is small and passed by value.
type Config struct {
	ThreadTTL time.Duration
	PostTTL   time.Duration
	CountTTL  time.Duration
}

// DefaultConfig is used by the API server and the admin tool.
var DefaultConfig = Config{ThreadTTL: 10 * time.Minute, PostTTL: time.Hour, CountTTL: 5 * time.Minute}

func (c Config) lockKey(threadID string) string  { return fmt.Sprintf("lock:thread:%s", threadID) }
func (c Config) countKey(threadID string) string { return fmt.Sprintf("count:replies:%s", threadID) }

// Hook types run around cache writes and deletes.
type (
	SaveHook   func(ctx context.Context, t *forum.Thread) error
	DeleteHook func(ctx context.Context, threadID string) error
)

// Service is shared by all handlers.
type Service struct {
	KV  kvrest.Store
	DB  *sql.DB
	Cfg Config

	beforeSave  []SaveHook
	afterDelete []DeleteHook
}

// New wires a Service with the standard hooks.
func New(store kvrest.Store, db *sql.DB, cfg Config) *Service {
	s := &Service{KV: store, DB: db, Cfg: cfg}
	s.OnBeforeSave(func(_ context.Context, t *forum.Thread) error {
		if len(t.PostIDs) > 500 {
			t.PostIDs = t.PostIDs[len(t.PostIDs)-500:]
		}
		return nil
	})
	s.OnAfterDelete(func(ctx context.Context, id string) error {
		return s.KV.Delete(ctx, forum.ThreadKey(id))
	})
	s.OnAfterDelete(func(ctx context.Context, id string) error {
		return s.KV.Delete(ctx, cfg.countKey(id))
	})
	return s
}

func (s *Service) OnBeforeSave(h SaveHook)    { s.beforeSave = append(s.beforeSave, h) }
func (s *Service) OnAfterDelete(h DeleteHook) { s.afterDelete = append(s.afterDelete, h) }

func (s *Service) runBeforeSave(ctx context.Context, t *forum.Thread) error {
	for _, h := range s.beforeSave {
		if err := h(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Thread returns the thread projection, filling the cache on a miss.
func (s *Service) Thread(ctx context.Context, id string) (forum.Thread, error) {
	var t forum.Thread
	found, err := s.KV.GetJSON(ctx, forum.ThreadKey(id), &t)
	if err != nil {
		return forum.Thread{}, err
	}
	if found {
		return t, nil
	}
	t, err = s.loadThread(ctx, id)
	if err != nil {
		return forum.Thread{}, err
	}
	if err := s.runBeforeSave(ctx, &t); err != nil {
		return forum.Thread{}, err
	}
	return t, s.KV.PutCache(ctx, forum.ThreadKey(id), t, s.Cfg.ThreadTTL)
}

// Refresh rewrites the cached thread from the database.
func (s *Service) Refresh(ctx context.Context, id string) error {
	t, err := s.loadThread(ctx, id)
	if err != nil {
		return err
	}
	if err := s.runBeforeSave(ctx, &t); err != nil {
		return err
	}
	return s.KV.PutCache(ctx, forum.ThreadKey(id), t, s.Cfg.ThreadTTL)
}

// Feature puts a thread on the front page. Featured threads change quickly
// while they are hot, so their cached copy is kept short.
func (s *Service) Feature(ctx context.Context, id string) error {
	t, err := s.loadThread(ctx, id)
	if err != nil {
		return err
	}
	t.Pinned = true
	cfg := s.Cfg
	cfg.ThreadTTL = 30 * time.Second // EXPECT kvttl
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.KV.PutTTL(ctx, forum.ThreadKey(id), raw, cfg.ThreadTTL)
}

// HidePost hides a post and caches the tombstone briefly so that the
// Worker stops serving the old body soon.
func (s *Service) HidePost(ctx context.Context, threadID, postID string) error {
	if _, err := s.DB.ExecContext(ctx, `UPDATE posts SET hidden = true WHERE id = $1`, postID); err != nil {
		return err
	}
	tomb := struct {
		ID     string `json:"id"`
		Hidden bool   `json:"hidden"`
	}{postID, true}
	c := s.Cfg
	c.PostTTL = 10 * time.Second
	return s.KV.PutCache(ctx, forum.PostKey(threadID, postID), tomb, c.PostTTL)
}

// AddReply stores p and appends it to the cached thread.
func (s *Service) AddReply(ctx context.Context, threadID string, p forum.Post) error {
	_, err := s.DB.ExecContext(ctx,
		`INSERT INTO posts (id, thread_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
		p.ID, threadID, p.AuthorID, p.Body, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("threads: insert post: %w", err)
	}
	var today int
	err = s.DB.QueryRowContext(ctx,
		`SELECT count(*) FROM posts WHERE author_id = $1 AND created_at > now() - interval '1 day'`, p.AuthorID).Scan(&today)
	if err != nil {
		return err
	}
	if err := s.KV.PutTTL(ctx, fmt.Sprintf("quota:posts:%s", p.AuthorID), []byte(strconv.Itoa(today)), 24*time.Hour); err != nil { // EXPECT kvcounter
		return err
	}
	key := forum.ThreadKey(threadID)
	var t forum.Thread
	found, err := s.KV.GetJSON(ctx, key, &t)
	if err != nil || !found {
		return err
	}
	t.PostIDs = append(t.PostIDs, p.ID)
	t.ReplyCount++
	t.LastPostAt = p.CreatedAt
	if err := s.runBeforeSave(ctx, &t); err != nil {
		return err
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.KV.PutTTL(ctx, key, raw, s.Cfg.ThreadTTL) // EXPECT kvrace
}

// Create inserts a new thread and claims its slug.
func (s *Service) Create(ctx context.Context, t forum.Thread) (forum.Thread, error) {
	if err := forum.ValidSlug(t.Slug); err != nil {
		return forum.Thread{}, err
	}
	slugKey := forum.SlugKey(t.Slug)
	_, taken, err := s.KV.Get(ctx, slugKey)
	if err != nil {
		return forum.Thread{}, err
	}
	if taken {
		return forum.Thread{}, ErrSlugTaken
	}
	t.ID = forum.NewID()
	t.LastPostAt = time.Now().UTC()
	_, err = s.DB.ExecContext(ctx,
		`INSERT INTO threads (id, slug, title, category_id, author_id, last_post_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.Slug, t.Title, t.CategoryID, t.AuthorID, t.LastPostAt)
	if err != nil {
		return forum.Thread{}, fmt.Errorf("threads: insert: %w", err)
	}
	if err := s.KV.Put(ctx, slugKey, []byte(t.ID)); err != nil { // EXPECT kvrace
		return forum.Thread{}, err
	}
	return t, nil
}

// Lock closes a thread to replies until the given time.
func (s *Service) Lock(ctx context.Context, id string, until time.Time) error {
	if _, err := s.DB.ExecContext(ctx, `UPDATE threads SET locked_until = $2 WHERE id = $1`, id, until); err != nil {
		return err
	}
	ttl := time.Until(until)
	return s.KV.PutTTL(ctx, s.Cfg.lockKey(id), []byte(until.UTC().Format(time.RFC3339)), ttl) // EXPECT kvttl
}

// ReplyCount is the cached number of replies in a thread.
func (s *Service) ReplyCount(ctx context.Context, id string) (int, error) {
	raw, found, err := s.KV.Get(ctx, s.Cfg.countKey(id))
	if err != nil {
		return 0, err
	}
	if found {
		return strconv.Atoi(string(raw))
	}
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM posts WHERE thread_id = $1 AND NOT hidden`, id).Scan(&n); err != nil {
		return 0, err
	}
	return n, s.KV.PutTTL(ctx, s.Cfg.countKey(id), []byte(strconv.Itoa(n)), s.Cfg.CountTTL) // DEBATABLE kvcounter
}

// PostBody returns a post, preferring the cached copy.
func (s *Service) PostBody(ctx context.Context, threadID, postID string) (forum.Post, error) {
	raw, err := s.KV.API.GetWorkersKV(ctx, s.KV.Account, cloudflare.GetWorkersKVParams{
		NamespaceID: s.KV.NamespaceID,
		Key:         forum.PostKey(threadID, postID),
	})
	if err != nil {
		return forum.Post{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return s.loadPost(ctx, postID)
	}
	var p forum.Post
	return p, json.Unmarshal(raw, &p)
}

// Delete removes a thread and runs the after-delete hooks in order.
func (s *Service) Delete(ctx context.Context, id string) error {
	if _, err := s.DB.ExecContext(ctx, `DELETE FROM threads WHERE id = $1`, id); err != nil {
		return err
	}
	for _, h := range s.afterDelete {
		if err := h(ctx, id); err != nil {
			return fmt.Errorf("threads: after delete %s: %w", id, err)
		}
	}
	return nil
}

func (s *Service) loadThread(ctx context.Context, id string) (forum.Thread, error) {
	var t forum.Thread
	var locked sql.NullTime
	var postIDs string
	err := s.DB.QueryRowContext(ctx, `
		SELECT t.id, t.slug, t.title, t.category_id, t.author_id, t.last_post_at, t.locked_until,
		       coalesce(string_agg(p.id, ',' ORDER BY p.created_at), '')
		FROM threads t LEFT JOIN posts p ON p.thread_id = t.id AND NOT p.hidden
		WHERE t.id = $1 GROUP BY t.id`, id).
		Scan(&t.ID, &t.Slug, &t.Title, &t.CategoryID, &t.AuthorID, &t.LastPostAt, &locked, &postIDs)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.Thread{}, ErrNotFound
	}
	t.LockedUntil = locked.Time
	if postIDs != "" {
		t.PostIDs = strings.Split(postIDs, ",")
	}
	t.ReplyCount = max(0, len(t.PostIDs)-1)
	return t, err
}

func (s *Service) loadPost(ctx context.Context, id string) (forum.Post, error) {
	var p forum.Post
	err := s.DB.QueryRowContext(ctx,
		`SELECT id, thread_id, author_id, body, created_at, hidden FROM posts WHERE id = $1`, id).
		Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.Body, &p.CreatedAt, &p.Hidden)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.Post{}, ErrNotFound
	}
	return p, err
}
