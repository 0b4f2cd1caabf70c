// Package editor holds the collaborative-editing state of the admin: page
// locks, preview links and the editors' sessions.
package editor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/korimako/korimako/internal/kvstore"
	"github.com/korimako/korimako/internal/publish"
	"github.com/korimako/korimako/internal/undo"
)

// ErrLocked is returned when another editor holds the page.
type ErrLocked struct {
	Holder string
	Until  time.Time
}

func (e *ErrLocked) Error() string {
	return fmt.Sprintf("page is being edited by %s until %s", e.Holder, e.Until.Format(time.Kitchen))
}

type lockDoc struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

func lockKey(site, page string) string { return "locks/" + site + "/" + page }

// Desk is the editing front desk of one site.
type Desk struct {
	st   *kvstore.Store
	site string
	hist *undo.Stack
}

// NewDesk returns the desk of site.
func NewDesk(st *kvstore.Store, site string) *Desk {
	return &Desk{st: st, site: site, hist: undo.NewStack(100, nil, "")}
}

// Lock reserves page for user for the next lease.
func (d *Desk) Lock(ctx context.Context, page, user string, lease time.Duration) error {
	key := lockKey(d.site, page)
	raw, err := d.st.GetRaw(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err == nil {
		var cur lockDoc
		if json.Unmarshal(raw, &cur) == nil && cur.Holder != user && time.Now().Before(cur.Until) {
			return &ErrLocked{Holder: cur.Holder, Until: cur.Until}
		}
	}
	lease = max(lease, time.Minute)
	b, _ := json.Marshal(lockDoc{Holder: user, Until: time.Now().Add(lease)})
	return d.st.Put(ctx, key, string(b), lease) // EXPECT kvrace
}

// Unlock releases a lock the user holds.
func (d *Desk) Unlock(ctx context.Context, page string) error {
	return d.st.Delete(ctx, lockKey(d.site, page))
}

// LockUntilMeeting holds page until the end of a scheduled review.
func (d *Desk) LockUntilMeeting(ctx context.Context, page, user string, reviewEnds time.Time) error {
	b, _ := json.Marshal(lockDoc{Holder: user, Until: reviewEnds})
	return d.st.Put(ctx, lockKey(d.site, page), string(b), time.Until(reviewEnds)) // EXPECT kvttl
}

// LockForRequest keeps page locked for as long as the caller's context lives.
func (d *Desk) LockForRequest(ctx context.Context, page, user string) error {
	ttl := 10 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		ttl = max(time.Until(dl), 5*time.Second)
	}
	b, _ := json.Marshal(lockDoc{Holder: user, Until: time.Now().Add(ttl)})
	return d.st.Put(ctx, lockKey(d.site, page), string(b), ttl) // EXPECT kvttl
}

// Preview creates a shareable preview link for a draft and returns its token.
func (d *Desk) Preview(ctx context.Context, page, user string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	ref := d.site + "/" + page + "/" + user
	err = d.hist.Run(ctx, &publish.PutPreview{St: d.st, Token: token, Ref: ref, TTL: 72 * time.Hour})
	return token, err
}

// QuickPreview creates a short-lived preview link that the editor's own
// browser opens right away in a side panel.
func (d *Desk) QuickPreview(ctx context.Context, page, user string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	cmd := &publish.PutPreview{
		St:    d.st,
		Token: token,
		Ref:   d.site + "/" + page + "/" + user,
		TTL:   45 * time.Second, // EXPECT kvttl
	}
	return token, d.hist.Run(ctx, cmd)
}

// RevokeLastPreview undoes the most recent preview link.
func (d *Desk) RevokeLastPreview(ctx context.Context) error {
	return d.hist.Undo(ctx)
}

// RedeemPreview resolves a single-use preview token shared with a client.
func (d *Desk) RedeemPreview(ctx context.Context, token string) (string, error) {
	key := "previews/" + token
	ref, err := d.st.Get(ctx, key)
	if err != nil {
		return "", err
	}
	if err := d.st.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return ref, nil
}

// ArchivePage removes a page's draft; the archive can be undone.
func (d *Desk) ArchivePage(ctx context.Context, page, user string) error {
	return d.hist.Run(ctx, &publish.DeleteKey{
		St:  d.st,
		Key: "drafts/" + d.site + "/" + page + "/" + user,
		TTL: 30 * 24 * time.Hour,
	})
}
