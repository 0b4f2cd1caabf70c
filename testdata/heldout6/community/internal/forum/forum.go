// Package forum holds threads, replies, reactions and the activity index.
// Reply bodies and view counts live in D1; KV keeps thread documents and the
// small projections the front page reads.
package forum

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
)

const (
	ThreadPrefix  = "thread:"
	activityKey   = "activity:recent"
	activityDepth = 200
)

var ErrLocked = errors.New("forum: thread is locked")

// Thread is the KV document for a thread.
type Thread struct {
	ID, Slug, Title, Body, AuthorID string
	Locked                          bool `json:",omitempty"`
	CreatedAt                       time.Time
}

// Reply is persisted by a ReplyStore.
type Reply struct {
	ID, ThreadID, AuthorID, Body string
	CreatedAt                    time.Time
}

// ActivityEntry is one row of the "last activity" index.
type ActivityEntry struct {
	ThreadID string
	At       time.Time
}

// Deps are the raw key-value operations the counters and projections use.
type Deps struct {
	Load func(ctx context.Context, key string, opts ...store.GetOption) ([]byte, error)
	Save func(ctx context.Context, key string, value []byte, opts ...store.PutOption) error
}

// ReplyStore persists reply bodies and ViewCounter counts views (D1).
type ReplyStore interface {
	Insert(ctx context.Context, r Reply) error
	ListByThread(ctx context.Context, threadID string, limit int) ([]Reply, error)
}

type ViewCounter interface {
	Incr(ctx context.Context, threadID string) (int64, error)
}

// Notifier delivers inbox notifications.
type Notifier interface {
	Notify(ctx context.Context, uid, kind, text, link string) error
}

// Service implements forum use cases.
type Service struct {
	kv       store.KV
	deps     Deps
	threads  *collection.Collection[Thread]
	replies  ReplyStore
	views    ViewCounter
	notifier Notifier
}

func NewService(kv store.KV, deps Deps, replies ReplyStore, views ViewCounter, n Notifier) *Service {
	return &Service{kv: kv, deps: deps, threads: collection.New[Thread](kv, ThreadPrefix), replies: replies, views: views, notifier: n}
}

func replyCountKey(tid string) string { return "replies:" + tid }
func subsKey(tid string) string       { return "subs:" + tid }
func reactKey(postID string) string   { return "react:" + postID }

// CreateThread stores a new thread. The caller has already claimed the slug.
func (s *Service) CreateThread(ctx context.Context, author, slug, title, body string) (Thread, error) {
	t := Thread{ID: rand.Text(), Slug: slug, Title: title, Body: body, AuthorID: author, CreatedAt: time.Now().UTC()}
	if err := s.threads.Put(ctx, t.ID, t); err != nil {
		return Thread{}, err
	}
	return t, s.touchActivity(ctx, t.ID, t.CreatedAt)
}

// Reply adds a reply, bumps the counters and notifies subscribers.
func (s *Service) Reply(ctx context.Context, tid, author, body string) (Reply, error) {
	t, err := s.threads.Get(ctx, tid)
	if err != nil {
		return Reply{}, err
	}
	if t.Locked {
		return Reply{}, ErrLocked
	}
	r := Reply{ID: rand.Text(), ThreadID: tid, AuthorID: author, Body: body, CreatedAt: time.Now().UTC()}
	if err := s.replies.Insert(ctx, r); err != nil {
		return Reply{}, err
	}
	if err := s.bumpReplies(ctx, tid); err != nil {
		return r, err
	}
	if err := s.touchActivity(ctx, tid, r.CreatedAt); err != nil {
		return r, err
	}
	subs, _, err := store.GetJSON[map[string]bool](ctx, s.kv, subsKey(tid))
	for uid := range subs {
		if uid != author && err == nil {
			err = s.notifier.Notify(ctx, uid, "reply", "New reply in "+t.Title, "/t/"+t.Slug)
		}
	}
	return r, err
}

func (s *Service) bumpReplies(ctx context.Context, tid string) error {
	n := 0
	raw, err := s.deps.Load(ctx, replyCountKey(tid))
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !store.IsNotFound(err) {
		return err
	}
	n++
	return s.deps.Save(ctx, replyCountKey(tid), []byte(strconv.Itoa(n))) // EXPECT kvcounter
}

func (s *Service) touchActivity(ctx context.Context, tid string, at time.Time) error {
	var idx []ActivityEntry
	raw, err := s.deps.Load(ctx, activityKey)
	if err == nil {
		err = json.Unmarshal(raw, &idx)
	}
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	idx = slices.DeleteFunc(idx, func(e ActivityEntry) bool { return e.ThreadID == tid })
	idx = append([]ActivityEntry{{ThreadID: tid, At: at}}, idx...)
	out, err := json.Marshal(idx[:min(len(idx), activityDepth)])
	if err != nil {
		return err
	}
	return s.deps.Save(ctx, activityKey, out) // EXPECT kvrace
}

// Subscribe adds uid to the thread's reply notifications.
func (s *Service) Subscribe(ctx context.Context, tid, uid string) error {
	subs, _, err := store.GetJSON[map[string]bool](ctx, s.kv, subsKey(tid))
	if err != nil {
		return err
	}
	if subs == nil {
		subs = make(map[string]bool)
	}
	subs[uid] = true
	return store.PutJSON(ctx, s.kv, subsKey(tid), subs) // EXPECT kvrace
}

// React records an emoji reaction on a thread or reply.
func (s *Service) React(ctx context.Context, postID, emoji string) (map[string]int, error) {
	counts := map[string]int{}
	raw, err := s.deps.Load(ctx, reactKey(postID))
	if err == nil {
		_ = json.Unmarshal(raw, &counts)
	} else if !store.IsNotFound(err) {
		return nil, err
	}
	counts[emoji]++
	out, _ := json.Marshal(counts)
	return counts, s.deps.Save(ctx, reactKey(postID), out) // EXPECT kvcounter|kvrace
}

// RecentActivity returns up to limit entries of the activity index.
func (s *Service) RecentActivity(ctx context.Context, limit int) ([]ActivityEntry, error) {
	raw, err := s.deps.Load(ctx, activityKey, store.WithCacheTTL(time.Minute))
	if store.IsNotFound(err) {
		return nil, nil
	}
	var idx []ActivityEntry
	if err == nil {
		err = json.Unmarshal(raw, &idx)
	}
	return idx[:min(len(idx), limit)], err
}

// ThreadPage is what the thread view renders.
type ThreadPage struct {
	Thread    Thread
	Replies   []Reply
	Count     int
	Reactions map[string]int
	Views     int64
}

// Page loads everything the thread view needs concurrently.
func (s *Service) Page(ctx context.Context, tid string) (p ThreadPage, err error) {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { p.Thread, err = s.threads.Get(gctx, tid); return err })
	g.Go(func() (err error) { p.Replies, err = s.replies.ListByThread(gctx, tid, 100); return err })
	g.Go(func() (err error) {
		p.Reactions, _, err = store.GetJSON[map[string]int](gctx, s.kv, reactKey(tid))
		return err
	})
	g.Go(func() (err error) { p.Views, err = s.views.Incr(gctx, tid); return err })
	g.Go(func() error {
		raw, err := s.deps.Load(gctx, replyCountKey(tid))
		if err == nil {
			p.Count, _ = strconv.Atoi(string(raw))
		}
		if store.IsNotFound(err) {
			return nil
		}
		return err
	})
	return p, g.Wait()
}
