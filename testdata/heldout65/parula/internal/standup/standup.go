// Package standup stores standup definitions and answers and runs the
// reminder sweep that nudges people when their standup is due.
package standup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parula-labs/parula/internal/kvstore"
)

// Standup is one recurring standup in a channel.
type Standup struct {
	TeamID    string    `json:"team_id"`
	Slug      string    `json:"slug"`
	Channel   string    `json:"channel"`
	At        string    `json:"at"` // HH:MM in the workspace timezone
	Owner     string    `json:"owner"`
	Members   []string  `json:"members,omitempty"`
	Questions []string  `json:"questions"`
	Created   time.Time `json:"created"`
}

// Answer is one person's reply for one day.
type Answer struct {
	User    string            `json:"user"`
	Replies map[string]string `json:"replies"`
	At      time.Time         `json:"at"`
}

// Store keeps standups in KV.
type Store struct {
	kv *kvstore.Namespace
}

func NewStore(kv *kvstore.Namespace) *Store { return &Store{kv: kv} }

func defKey(team, slug string) string { return "standup:" + team + ":" + slug }

func answersKey(team, slug, day string) string {
	return fmt.Sprintf("answers:%s:%s:%s", team, slug, day)
}

// SkipKey marks that user sits out team's standup slug until the key expires.
func SkipKey(team, slug, user string) string { return "skip:" + team + ":" + slug + ":" + user }

// Get returns the standup team/slug.
func (s *Store) Get(ctx context.Context, team, slug string) (*Standup, error) {
	var st Standup
	if err := s.kv.GetJSON(ctx, defKey(team, slug), &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Save writes the standup definition.
func (s *Store) Save(ctx context.Context, st Standup) error {
	return s.kv.PutJSON(ctx, defKey(st.TeamID, st.Slug), st, 0)
}

// Page returns one page of standup names for team and the cursor of the next.
func (s *Store) Page(ctx context.Context, team, cursor string) ([]string, string, error) {
	prefix := "standup:" + team + ":"
	keys, next, err := s.kv.Page(ctx, prefix, cursor, 50)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, strings.TrimPrefix(k.Name, prefix))
	}
	return names, next, nil
}

// AddAnswer records user's answers for today's run of team/slug.
func (s *Store) AddAnswer(ctx context.Context, team, slug string, a Answer) error {
	day := a.At.UTC().Format("2006-01-02")
	return appendJSON(ctx, s.kv, answersKey(team, slug, day), a, 8*24*time.Hour)
}

// Answers returns what was answered for team/slug on day.
func (s *Store) Answers(ctx context.Context, team, slug, day string) ([]Answer, error) {
	var out []Answer
	err := s.kv.GetJSON(ctx, answersKey(team, slug, day), &out)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	return out, err
}

// appendJSON adds item to the JSON list stored under key.
func appendJSON[T any](ctx context.Context, kv *kvstore.Namespace, key string, item T, ttl time.Duration) error {
	var list []T
	raw, err := kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	list = append(list, item)
	return kv.PutJSON(ctx, key, list, ttl) // EXPECT kvrace
}

// Skipping reports whether user asked to sit out team/slug.
func (s *Store) Skipping(ctx context.Context, team, slug, user string) (bool, error) {
	_, err := s.kv.Get(ctx, SkipKey(team, slug, user))
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
