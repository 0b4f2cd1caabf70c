// Package undostack keeps an editor's undo and redo history of KV edits.
// Each stack holds commands taken from the other, so the elements of one
// are found through the other's, and the text of a key reached through
// them is searched once per command, not once per path between stacks.
package undostack

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Store writes to one namespace.
type Store struct {
	api     *cloudflare.Client
	account string
	ns      string
}

func (s *Store) get(ctx context.Context, key string) (string, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func (s *Store) put(ctx context.Context, key, val string) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
	})
	return err
}

// Command is a reversible edit.
type Command interface {
	Do(ctx context.Context) error
	Undo(ctx context.Context) error
	Key() string
}

type setValue struct {
	st        *Store
	key       string
	val, prev string
}

func (c *setValue) Key() string { return c.key }

func (c *setValue) Do(ctx context.Context) error { return c.st.put(ctx, c.key, c.val) }

func (c *setValue) Undo(ctx context.Context) error { return c.st.put(ctx, c.key, c.prev) }

// Stack is one editing session's history.
type Stack struct {
	st     *Store
	done   []Command
	undone []Command
	limit  int
}

// Set replaces the value of key, which the editor shows as prev, and
// records the change.
func (s *Stack) Set(ctx context.Context, key, prev, val string) error {
	return s.Run(ctx, &setValue{st: s.st, key: "page:" + key, val: val, prev: prev})
}

// Run applies c and records it.
func (s *Stack) Run(ctx context.Context, c Command) error {
	if err := c.Do(ctx); err != nil {
		return err
	}
	s.done = append(s.done, c)
	if len(s.done) > s.limit {
		s.done = s.done[len(s.done)-s.limit:]
	}
	s.undone = s.undone[:0]
	return s.bump(ctx, c.Key())
}

// Undo reverts the latest command.
func (s *Stack) Undo(ctx context.Context) error {
	if len(s.done) == 0 {
		return errors.New("nothing to undo")
	}
	c := s.done[len(s.done)-1]
	if err := c.Undo(ctx); err != nil {
		return err
	}
	s.done = s.done[:len(s.done)-1]
	s.undone = append(s.undone, c)
	return s.bump(ctx, c.Key())
}

// Redo applies the latest undone command again.
func (s *Stack) Redo(ctx context.Context) error {
	if len(s.undone) == 0 {
		return errors.New("nothing to redo")
	}
	c := s.undone[len(s.undone)-1]
	if err := c.Do(ctx); err != nil {
		return err
	}
	s.undone = s.undone[:len(s.undone)-1]
	s.done = append(s.done, c)
	return s.bump(ctx, c.Key())
}

// bump counts the edits made to a key.
func (s *Stack) bump(ctx context.Context, key string) error {
	n, _ := strconv.Atoi(mustGet(s.st.get(ctx, "edits:"+key)))
	return s.st.put(ctx, "edits:"+key, strconv.Itoa(n+1)) // want `counter kept in KV: this put writes back a count read from the same key`
}

func mustGet(v string, err error) string {
	if err != nil {
		return "0"
	}
	return v
}
