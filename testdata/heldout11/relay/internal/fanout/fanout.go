// Package fanout delivers channel events to members: inbox entries, unread
// counts and push notifications. The API queues events; a fixed pool of
// workers handles them.
package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/push"
	"example.com/relay/internal/retry"
	"example.com/relay/internal/uow"
)

// Op codes.
const (
	OpPosted   = "message.posted"
	OpEdited   = "message.edited"
	OpDeleted  = "message.deleted"
	OpReaction = "reaction.added"
)

const inboxTTL = 30 * 24 * time.Hour

// Event is one thing that happened in a channel.
type Event struct {
	Op          string    `json:"op"`
	WorkspaceID string    `json:"workspace_id"`
	ChannelID   string    `json:"channel_id"`
	MessageID   string    `json:"message_id"`
	AuthorID    string    `json:"author_id"`
	Text        string    `json:"text,omitempty"`
	Mentions    []string  `json:"mentions,omitempty"`
	At          time.Time `json:"at"`
}

// Deps are the services the workers call.
type Deps struct {
	Roster    func(ctx context.Context, ws, ch string) ([]string, error)
	Increment func(ctx context.Context, user, ws, ch string, by int) error
	Notify    func(ctx context.Context, user string, n push.Notification) error
	Forget    func(ctx context.Context, ws, msgID string) error
	Inbox     cfns.Namespace
}

// ErrQueueFull is returned by Submit when the queue is full.
var ErrQueueFull = errors.New("fanout: queue full")

// Pool is the worker pool.
type Pool struct {
	deps    Deps
	jobs    chan Event
	workers int
	timeout time.Duration
	log     *slog.Logger
	wg      sync.WaitGroup
}

// New returns a pool; call Start to run it.
func New(deps Deps, workers int, timeout time.Duration, log *slog.Logger) *Pool {
	workers = max(workers, 1)
	return &Pool{deps: deps, jobs: make(chan Event, workers*64), workers: workers, timeout: timeout, log: log}
}

// Start launches the workers.
func (p *Pool) Start(ctx context.Context) {
	for i := 0; i < p.workers; i++ {
		p.wg.Add(1)
		go p.worker(ctx, i)
	}
}

// Submit queues ev without blocking.
func (p *Pool) Submit(ev Event) error {
	select {
	case p.jobs <- ev:
		return nil
	default:
		return ErrQueueFull
	}
}

// Stop drains the queue and waits for the workers.
func (p *Pool) Stop() {
	close(p.jobs)
	p.wg.Wait()
}

func (p *Pool) worker(ctx context.Context, id int) {
	defer p.wg.Done()
	log := p.log.With("worker", id)
	for ev := range p.jobs {
		jctx, cancel := context.WithTimeout(ctx, p.timeout)
		err := p.handle(jctx, ev)
		cancel()
		if err != nil {
			log.Error("fanout failed", "op", ev.Op, "msg", ev.MessageID, "err", err)
			continue
		}
		mark, _ := json.Marshal(map[string]any{"msg": ev.MessageID, "at": time.Now().UTC()})
		ns := p.deps.Inbox
		if _, err := ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, "fanout:checkpoint", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(ns.AccountID),
			Value:     cloudflare.F(string(mark)),
		}); err != nil {
			log.Warn("checkpoint", "err", err)
		}
	}
}

func inboxKey(user, ws, msg string) string { return fmt.Sprintf("inbox:%s:%s:%s", user, ws, msg) }

func (p *Pool) handle(ctx context.Context, ev Event) error {
	switch ev.Op {
	case OpPosted, OpDeleted:
	case OpEdited, OpReaction:
		return nil // clients pick these up from the channel stream
	default:
		return fmt.Errorf("fanout: unknown op %q", ev.Op)
	}
	members, err := p.deps.Roster(ctx, ev.WorkspaceID, ev.ChannelID)
	if err != nil {
		return err
	}
	u := uow.Begin(p.deps.Inbox)
	var errs []error
	if ev.Op == OpDeleted {
		for _, user := range members {
			u.Delete(inboxKey(user, ev.WorkspaceID, ev.MessageID))
		}
		errs = append(errs, p.deps.Forget(ctx, ev.WorkspaceID, ev.MessageID))
	} else {
		entry, _ := json.Marshal(map[string]any{"channel": ev.ChannelID, "author": ev.AuthorID, "at": ev.At.Unix()})
		for _, user := range members {
			if user == ev.AuthorID {
				continue
			}
			u.Put(inboxKey(user, ev.WorkspaceID, ev.MessageID), entry, inboxTTL, map[string]any{"ch": ev.ChannelID})
			errs = append(errs, p.deps.Increment(ctx, user, ev.WorkspaceID, ev.ChannelID, 1))
			n := push.Notification{Title: "New message", Body: ev.Text, ChannelID: ev.ChannelID, Mention: slices.Contains(ev.Mentions, user)}
			if err := p.deps.Notify(ctx, user, n); !errors.Is(err, push.ErrOverQuota) {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, retry.Do(ctx, retry.Default, u.Commit))
	return errors.Join(errs...)
}
