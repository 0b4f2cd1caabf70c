// Package moderation holds per-desk moderation queues and the word screen.
// It predates store.Store and still uses the MODERATION binding directly.
package moderation

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// Queue tracks which comments each desk still has to look at.
type Queue struct {
	ns *kv.Namespace
}

// NewQueue returns a queue on ns.
func NewQueue(ns *kv.Namespace) *Queue { return &Queue{ns: ns} }

func queueKey(desk string) string { return "modqueue:" + desk }

// Items returns the desk's queue.
func (q *Queue) Items(desk string) ([]string, error) {
	raw, err := q.ns.GetString(queueKey(desk), nil)
	if err != nil {
		return nil, err
	}
	if raw == "<null>" {
		return nil, nil
	}
	var ids []string
	err = json.Unmarshal([]byte(raw), &ids)
	return ids, err
}

// Done removes a handled comment from the desk's queue.
func (q *Queue) Done(desk, commentID string) error {
	ids, err := q.Items(desk)
	if err != nil || len(ids) == 0 {
		return err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == commentID })
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return q.ns.PutString(queueKey(desk), string(b), nil) // EXPECT kvrace
}

var defaultBlocklist = []string{"viagra", "casino bonus", "crypto giveaway"}

// Screen flags comments that contain blocked phrases.
type Screen struct {
	ns   *kv.Namespace
	once sync.Once
	list []string
}

// NewScreen returns a screen that loads its phrase list from ns once per isolate.
func NewScreen(ns *kv.Namespace) *Screen { return &Screen{ns: ns} }

func (s *Screen) load() {
	raw, err := s.ns.GetString("moderation:blocklist", nil)
	if err != nil || raw == "" { // EXPECT kvnull
		s.list = defaultBlocklist
		return
	}
	for _, p := range strings.Split(raw, "\n") {
		if p = strings.TrimSpace(strings.ToLower(p)); p != "" {
			s.list = append(s.list, p)
		}
	}
}

// NeedsReview reports whether body contains a blocked phrase.
func (s *Screen) NeedsReview(body string) bool {
	s.once.Do(s.load)
	body = strings.ToLower(body)
	for _, p := range s.list {
		if strings.Contains(body, p) {
			return true
		}
	}
	return false
}
