// Package replays hosts the comment threads attached to shared match replays.
package replays

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/codec"
	"example.com/paddock/internal/counters"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
)

// Thread is the header of a replay's comment thread.
type Thread struct {
	ReplayID     string    `json:"replay_id"`
	Locked       bool      `json:"locked"`
	Participants []string  `json:"participants"`
	LastComment  time.Time `json:"last_comment"`
}

// Comment is one message in a thread.
type Comment struct {
	ID       string    `json:"id"`
	ReplayID string    `json:"replay_id"`
	Author   string    `json:"author"`
	Body     string    `json:"body"`
	At       time.Time `json:"at"`
	// AtFrame pins the comment to a moment in the replay.
	AtFrame int `json:"at_frame,omitempty"`
}

type commentMeta struct {
	Author  string `json:"a"`
	At      int64  `json:"t"`
	Frame   int    `json:"f,omitempty"`
	Preview string `json:"p"`
}

// Errors.
var (
	ErrLocked   = apperr.New(403, "thread_locked", "comments are closed on this replay")
	ErrTooLong  = apperr.New(400, "comment_too_long", "comments are limited to 2000 characters")
	ErrNotFound = fmt.Errorf("replays: comment %w", apperr.ErrNotFound)
)

// Threads stores threads and comments.
type Threads struct {
	Store store.Store
	Likes counters.Ledger
	Clock func() time.Time
}

func threadKey(replayID string) string { return keys.Thread(replayID, "thread") }

func commentPrefix(replayID string) string { return keys.Thread(replayID, "c") + "/" }

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Post adds a comment to a replay's thread.
func (t Threads) Post(ctx context.Context, replayID, author, body string, frame int) (Comment, error) {
	body = strings.TrimSpace(body)
	if utf8.RuneCountInString(body) > 2000 {
		return Comment{}, ErrTooLong
	}
	now := t.Clock().UTC()
	head, err := store.GetJSON[store.Versioned[Thread]](ctx, t.Store, threadKey(replayID)) // EXPECT kvnull
	if err != nil {
		head = store.Versioned[Thread]{Value: Thread{ReplayID: replayID}}
	}
	if head.Value.Locked {
		return Comment{}, ErrLocked
	}

	c := Comment{ReplayID: replayID, Author: author, Body: body, At: now, AtFrame: frame}
	key := keys.Comment(replayID, now.UnixNano(), nonce())
	c.ID = strings.TrimPrefix(key, commentPrefix(replayID))
	doc, err := codec.Seal(codec.KindComment, c)
	if err != nil {
		return Comment{}, err
	}
	err = t.Store.Put(ctx, key, doc, store.WriteOptions{
		Metadata: commentMeta{
			Author:  author,
			At:      now.Unix(),
			Frame:   frame,
			Preview: fmt.Sprintf("%-1200.1200s", body), // EXPECT kvlimits
		},
	})
	if err != nil {
		return Comment{}, err
	}

	if !slices.Contains(head.Value.Participants, author) {
		head.Value.Participants = append(head.Value.Participants, author)
	}
	head.Value.LastComment = now
	head.UpdatedAt = now
	if err := store.PutJSON(ctx, t.Store, threadKey(replayID), head, store.WriteOptions{}); err != nil { // EXPECT kvrace
		return Comment{}, err
	}
	return c, nil
}

// CommentView is a comment as shown in the thread list.
type CommentView struct {
	ID      string `json:"id"`
	Author  string `json:"author"`
	At      int64  `json:"at"`
	Frame   int    `json:"frame,omitempty"`
	Preview string `json:"preview"`
}

// Page returns one page of comments, built from listing metadata only.
func (t Threads) Page(ctx context.Context, replayID, cursor string, limit int) ([]CommentView, string, error) {
	prefix := commentPrefix(replayID)
	page, err := t.Store.List(ctx, store.ListQuery{
		Prefix: prefix,
		Cursor: cursor,
		Limit:  min(cmp.Or(limit, 50), 100),
	})
	if err != nil {
		return nil, "", err
	}
	views := make([]CommentView, 0, len(page.Keys))
	for _, k := range page.Keys {
		var m commentMeta
		if err := json.Unmarshal(k.Metadata, &m); err != nil {
			continue
		}
		views = append(views, CommentView{
			ID:      strings.TrimPrefix(k.Name, prefix),
			Author:  m.Author,
			At:      m.At,
			Frame:   m.Frame,
			Preview: strings.TrimRight(m.Preview, " "),
		})
	}
	return views, page.Cursor, nil
}

// Full returns one page of complete comments for the moderation console.
func (t Threads) Full(ctx context.Context, replayID, cursor string) ([]Comment, string, error) {
	page, err := t.Store.List(ctx, store.ListQuery{Prefix: commentPrefix(replayID), Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	out := make([]Comment, 0, len(page.Keys))
	for _, k := range page.Keys {
		doc, err := t.Store.Get(ctx, k.Name) // EXPECT kvlist
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		c, err := codec.Open[Comment](codec.KindComment, doc)
		if err != nil {
			continue
		}
		out = append(out, c)
	}
	return out, page.Cursor, nil
}
