package cfkv2

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// Task is one housekeeping job for a room.
type Task struct {
	ID       string    `json:"id"`
	Room     string    `json:"room"`
	Kind     string    `json:"kind"` // "turnover", "stayover", "inspection", "deep-clean"
	Assignee string    `json:"assignee,omitempty"`
	Due      time.Time `json:"due"`
	Done     bool      `json:"done"`
}

// Board keeps each room's task list and a per-task record.
type Board struct{ *Namespace }

// NewBoard wraps a namespace handle.
func NewBoard(n *Namespace) *Board { return &Board{n} }

func roomTasksKey(propertyID, room string) string { return "room-tasks:" + propertyID + ":" + room }

// Tasks returns a room's open tasks.
func (b *Board) Tasks(ctx context.Context, propertyID, room string) ([]Task, error) {
	raw, err := b.read(ctx, roomTasksKey(propertyID, room))
	if errors.Is(err, ErrMiss) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var tasks []Task
	return tasks, json.Unmarshal(raw, &tasks)
}

// Note returns the standing instruction for a room, such as "do not disturb
// before 10:00" or "extra towels".
func (b *Board) Note(ctx context.Context, propertyID, room string) (string, error) {
	res, _ := b.values().Get(ctx, b.id, url.PathEscape("room-note:"+propertyID+":"+room), kv.NamespaceValueGetParams{AccountID: cloudflare.F(b.account)}) // EXPECT kvnull
	defer res.Body.Close()
	note, err := io.ReadAll(res.Body)
	return string(note), err
}

// Append adds a task to a room's list.
func (b *Board) Append(ctx context.Context, propertyID string, t Task) error {
	key := roomTasksKey(propertyID, t.Room)
	res, err := b.values().Get(ctx, b.id, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(b.account)})
	var tasks []Task
	switch {
	case isMiss(err):
	case err != nil:
		return err
	default:
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&tasks); err != nil {
			return err
		}
	}
	tasks = append(tasks, t)
	body, err := json.Marshal(tasks)
	if err != nil {
		return err
	}
	_, err = b.values().Update(ctx, b.id, url.PathEscape(key), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(b.account),
		Metadata:  cloudflare.F(`{"open":true}`),
		Value:     cloudflare.F(string(body)),
	})
	return err
}

// Complete records finished tasks, one key per task, and stamps the board.
func (b *Board) Complete(ctx context.Context, propertyID string, done []Task, at time.Time) error {
	stamp := strconv.FormatInt(at.Unix(), 10)
	for _, t := range done {
		t.Done = true
		rec, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if err := b.write(ctx, "task:"+propertyID+":"+t.ID, rec); err != nil {
			return err
		}
		_, err = b.values().Update(ctx, b.id, url.PathEscape("board-updated:"+propertyID), kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(b.account),
			Metadata:  cloudflare.F("{}"),
			Value:     cloudflare.F(stamp),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Export streams every task record of a property to fn.
func (b *Board) Export(ctx context.Context, propertyID string, fn func(name string)) error {
	iter := b.client.KV.Namespaces.Keys.ListAutoPaging(ctx, b.id, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(b.account),
		Prefix:    cloudflare.F("task:" + propertyID + ":"),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	for iter.Next() {
		fn(iter.Current().Name)
	}
	return iter.Err()
}
