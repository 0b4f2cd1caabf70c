// Package commands keeps per-device command queues. Devices pick up their
// queue at check-in and acknowledge what they ran.
package commands

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/takahe-iot/takahe/internal/async"
	"github.com/takahe-iot/takahe/internal/kvstore"
)

// Command is one instruction for a device.
type Command struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Args    json.RawMessage `json:"args,omitempty"`
	Created time.Time       `json:"created"`
}

// Result is what a device reports after running a command.
type Result struct {
	CommandID string    `json:"command_id"`
	DeviceID  string    `json:"device_id"`
	ExitCode  int       `json:"exit_code"`
	Output    string    `json:"output"`
	At        time.Time `json:"at"`
}

// Queue is the stored list of commands for one device.
type Queue struct {
	Commands []Command `json:"commands"`
}

// Service manages queues in one namespace.
type Service struct {
	ns        *kvstore.Namespace
	queueTTL  time.Duration
	resultTTL time.Duration
}

// NewService returns a Service.
func NewService(ns *kvstore.Namespace) *Service {
	return &Service{ns: ns, queueTTL: 7 * 24 * time.Hour, resultTTL: 24 * time.Hour}
}

func queueKey(device string) string { return "cmdq/" + device }

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Enqueue appends a command to the device's queue and calls done with the
// command's id once the queue is stored.
func (s *Service) Enqueue(ctx context.Context, device, name string, args json.RawMessage, done func(id string, err error)) {
	cmd := Command{ID: newID(), Name: name, Args: args, Created: time.Now().UTC()}
	key := queueKey(device)
	s.ns.GetAsync(ctx, key, func(val []byte, err error) {
		var q Queue
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			done("", err)
			return
		default:
			if err := json.Unmarshal(val, &q); err != nil {
				done("", err)
				return
			}
		}
		q.Commands = append(q.Commands, cmd)
		raw, _ := json.Marshal(q)
		s.ns.PutAsync(ctx, key, raw, s.queueTTL, func(err error) { // EXPECT kvrace
			done(cmd.ID, err)
		})
	})
}

// Ack removes the acknowledged commands from the queue and stores each
// result under its own key.
func (s *Service) Ack(ctx context.Context, device string, results []Result, done func(error)) {
	key := queueKey(device)
	s.ns.GetAsync(ctx, key, func(val []byte, err error) { // EXPECT kvnull
		var q Queue
		if err != nil {
			q = Queue{}
		} else if err := json.Unmarshal(val, &q); err != nil {
			done(err)
			return
		}
		acked := make(map[string]bool, len(results))
		for _, r := range results {
			acked[r.CommandID] = true
		}
		q.Commands = slices.DeleteFunc(q.Commands, func(c Command) bool { return acked[c.ID] })
		raw, _ := json.Marshal(q)
		s.ns.PutAsync(ctx, key, raw, s.queueTTL, func(err error) { // EXPECT kvrace
			if err != nil {
				done(err)
				return
			}
			s.storeResults(ctx, results, done)
		})
	})
}

// storeResults writes each result under its own key, one after the other,
// from the completion callbacks.
func (s *Service) storeResults(ctx context.Context, results []Result, done func(error)) {
	if len(results) == 0 {
		done(nil)
		return
	}
	r := results[0]
	raw, _ := json.Marshal(r)
	s.ns.PutAsync(ctx, "cmdres/"+r.DeviceID+"/"+r.CommandID, raw, s.resultTTL, func(err error) {
		if err != nil {
			done(err)
			return
		}
		s.storeResults(ctx, results[1:], done)
	})
}

// Peek returns the device's queue as a future.
func (s *Service) Peek(ctx context.Context, device string) *async.Future[Queue] {
	return async.Then(s.ns.Fetch(ctx, queueKey(device)), func(raw []byte) (Queue, error) {
		var q Queue
		return q, json.Unmarshal(raw, &q)
	})
}

// Page returns one page of devices that have a queue, and the cursor of the
// next page for the caller to pass back.
func (s *Service) Page(ctx context.Context, cursor string) ([]string, string, error) {
	keys, next, err := s.ns.ListPage(ctx, "cmdq/", cursor, 200)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name[len("cmdq/"):]
	}
	return out, next, nil
}

// Backlog counts the queued commands of every device.
func (s *Service) Backlog(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	cursor := ""
	for {
		var keys []kv.Key
		var err error
		keys, cursor, err = s.ns.ListPage(ctx, "cmdq/", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			raw, err := s.ns.Get(ctx, k.Name) // EXPECT kvlist
			if errors.Is(err, kvstore.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			var q Queue
			if json.Unmarshal(raw, &q) == nil {
				out[k.Name[len("cmdq/"):]] = len(q.Commands)
			}
		}
		if cursor == "" {
			return out, nil
		}
	}
}

// Result returns the stored result of a command as a future.
func (s *Service) Result(ctx context.Context, device, id string) *async.Future[Result] {
	p := async.NewPromise[Result]()
	s.ns.GetAsync(ctx, "cmdres/"+device+"/"+id, func(val []byte, err error) {
		if err != nil {
			p.Reject(err)
			return
		}
		var r Result
		err = json.Unmarshal(val, &r)
		p.Settle(r, err)
	})
	return p.Future()
}
