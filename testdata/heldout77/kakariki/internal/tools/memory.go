package tools

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

// Note is one fact the assistant remembers about the user.
type Note struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Tags    []string  `json:"tags,omitempty"`
	Created time.Time `json:"created"`
}

// Memory lets the model remember, recall and forget facts about the user.
type Memory struct {
	KV       *kvstore.Store
	UserID   string
	MaxNotes int
}

type memoryArgs struct {
	Action string   `json:"action"`
	Text   string   `json:"text"`
	Tags   []string `json:"tags"`
	ID     string   `json:"id"`
	Tag    string   `json:"tag"`
}

func (m *Memory) Name() string        { return "memory" }
func (m *Memory) Description() string { return "Remember, recall or forget facts about the user." }
func (m *Memory) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{"action":{"enum":["remember","recall","forget"]},"text":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}},"id":{"type":"string"},"tag":{"type":"string"}},"required":["action"]}`)
}

func (m *Memory) key() string { return "mem:" + m.UserID }

// Notes returns every stored note of the user.
func (m *Memory) Notes(ctx context.Context) ([]Note, error) {
	var notes []Note
	err := m.KV.GetJSON(ctx, m.key(), &notes)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	return notes, err
}

// Call implements Tool.
func (m *Memory) Call(ctx context.Context, raw json.RawMessage) (string, error) {
	args, err := decode[memoryArgs](raw)
	if err != nil {
		return "", err
	}
	switch args.Action {
	case "remember":
		return m.remember(ctx, args)
	case "recall":
		notes, err := m.Notes(ctx)
		if err != nil {
			return "", err
		}
		var lines []string
		for _, n := range notes {
			if args.Tag == "" || slices.Contains(n.Tags, args.Tag) {
				lines = append(lines, fmt.Sprintf("[%s] %s", n.ID, n.Text))
			}
		}
		if len(lines) == 0 {
			return "No notes.", nil
		}
		return strings.Join(lines, "\n"), nil
	case "forget":
		notes, err := m.Notes(ctx)
		if err != nil {
			return "", err
		}
		kept := slices.DeleteFunc(notes, func(n Note) bool { return n.ID == args.ID })
		if err := m.KV.PutJSON(ctx, m.key(), kept, 0); err != nil { // EXPECT kvrace
			return "", err
		}
		return "Forgotten.", nil
	}
	return "", fmt.Errorf("unknown action %q", args.Action)
}

func (m *Memory) remember(ctx context.Context, args memoryArgs) (string, error) {
	if strings.TrimSpace(args.Text) == "" {
		return "", errors.New("text is required")
	}
	notes, err := m.Notes(ctx)
	if err != nil {
		return "", err
	}
	n := Note{ID: rand.Text()[:8], Text: args.Text, Tags: args.Tags, Created: time.Now().UTC()}
	notes = append(notes, n)
	if m.MaxNotes > 0 && len(notes) > m.MaxNotes {
		notes = notes[len(notes)-m.MaxNotes:]
	}
	if err := m.KV.PutJSON(ctx, m.key(), notes, 0); err != nil { // EXPECT kvrace
		return "", err
	}
	return "Remembered as " + n.ID + ".", nil
}
