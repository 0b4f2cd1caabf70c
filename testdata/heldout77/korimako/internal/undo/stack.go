// Package undo keeps the editor's history of reversible operations. Each
// Command knows how to apply and revert itself; a Stack records what was done
// so that an operator can step back and forward through it.
package undo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/korimako/korimako/internal/kvstore"
)

// Command is a reversible operation.
type Command interface {
	Do(ctx context.Context) error
	Undo(ctx context.Context) error
	// Describe is a one-line human description kept in the journal.
	Describe() string
}

// ErrNothingToUndo is returned when the stack is empty.
var ErrNothingToUndo = errors.New("undo: nothing to undo")

// ErrNothingToRedo is returned when there is nothing undone to re-apply.
var ErrNothingToRedo = errors.New("undo: nothing to redo")

// Stack is an undo/redo history. It is not safe for concurrent use; the admin
// API keeps one per editing session.
type Stack struct {
	done   []Command
	undone []Command
	limit  int

	journal    *kvstore.Store
	journalKey string
}

// NewStack returns a history holding at most limit commands. When journal is
// not nil the descriptions are mirrored to journalKey after each change.
func NewStack(limit int, journal *kvstore.Store, journalKey string) *Stack {
	return &Stack{limit: limit, journal: journal, journalKey: journalKey}
}

// Run applies c and records it.
func (s *Stack) Run(ctx context.Context, c Command) error {
	if err := c.Do(ctx); err != nil {
		return fmt.Errorf("%s: %w", c.Describe(), err)
	}
	s.done = append(s.done, c)
	if len(s.done) > s.limit {
		s.done = s.done[len(s.done)-s.limit:]
	}
	s.undone = s.undone[:0]
	return s.persist(ctx)
}

// Undo reverts the most recent command.
func (s *Stack) Undo(ctx context.Context) error {
	if len(s.done) == 0 {
		return ErrNothingToUndo
	}
	c := s.done[len(s.done)-1]
	if err := c.Undo(ctx); err != nil {
		return fmt.Errorf("undo %s: %w", c.Describe(), err)
	}
	s.done = s.done[:len(s.done)-1]
	s.undone = append(s.undone, c)
	return s.persist(ctx)
}

// Redo re-applies the most recently undone command.
func (s *Stack) Redo(ctx context.Context) error {
	if len(s.undone) == 0 {
		return ErrNothingToRedo
	}
	c := s.undone[len(s.undone)-1]
	if err := c.Do(ctx); err != nil {
		return fmt.Errorf("redo %s: %w", c.Describe(), err)
	}
	s.undone = s.undone[:len(s.undone)-1]
	s.done = append(s.done, c)
	return s.persist(ctx)
}

// Replay applies cmds in order, for example to rebuild a site on a fresh
// namespace from a saved history.
func (s *Stack) Replay(ctx context.Context, cmds []Command) error {
	for _, c := range cmds {
		if err := s.Run(ctx, c); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

type journalEntry struct {
	Step string    `json:"step"`
	At   time.Time `json:"at"`
}

func (s *Stack) persist(ctx context.Context) error {
	if s.journal == nil {
		return nil
	}
	entries := make([]journalEntry, 0, len(s.done))
	now := time.Now().UTC()
	for _, c := range s.done {
		entries = append(entries, journalEntry{Step: c.Describe(), At: now})
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	return s.journal.Put(ctx, s.journalKey, string(b), 7*24*time.Hour)
}

// Len reports how many commands can be undone.
func (s *Stack) Len() int { return len(s.done) }
